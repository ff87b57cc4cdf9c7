using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>
    /// <see cref="AskingClients"/> sends ASKING and the command again when something came between them and the node
    /// answered MOVED, and gives up on a node that keeps answering MOVED.
    /// </summary>
    public class AskingClientsTests
    {
        private static readonly NodeEndPoint Target = NodeEndPoint.Parse("127.0.0.1:7000");

        /// <summary>
        /// A node importing a slot, as Redis serves it: a DUMP right after ASKING gets the value, any other DUMP
        /// MOVED. <see cref="Interjections"/> commands of the client library land between the next pairs' ASKING and DUMP.
        /// </summary>
        private sealed class ImportingNode : INodeClient, INodeConnector
        {
            private bool _asking;
            public int Interjections;
            public bool Importing = true;
            public int Dumps;

            public NodeEndPoint EndPoint => Target;
            public TimeSpan CommandTimeout => TimeSpan.FromSeconds(5);
            public bool IsConnected => true;

            public Task<INodeClient> ConnectAsync(NodeEndPoint endPoint, ConnectionSettings settings, TimeSpan commandTimeout, CancellationToken cancellationToken) =>
                Task.FromResult<INodeClient>(this);

            public Task<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken, TimeSpan? timeout = null)
            {
                if (command.Name == "ASKING")
                {
                    _asking = true;
                    if (Interjections > 0)
                    {
                        Interjections--;
                        _asking = false;
                    }
                    return Task.FromResult(RedisReply.SimpleString("OK"));
                }
                Dumps++;
                bool served = _asking && Importing;
                _asking = false;
                if (!served) return Task.FromException<RedisReply>(new RedisServerErrorException(Target, command.Name, "MOVED 3999 127.0.0.1:7001"));
                return Task.FromResult(RedisReply.Bulk(Encoding.UTF8.GetBytes("value")));
            }

            public void Dispose()
            {
            }
        }

        private static async Task<AskingClients> OpenAsync(ImportingNode node) =>
            new AskingClients(await RedisClusterConnection.OpenAsync(new ConnectionSettings(new[] { Target }), node, CancellationToken.None, readTopology: false));

        [Fact]
        public async Task APairSplitByAnotherCommand_IsSentAgain()
        {
            var node = new ImportingNode { Interjections = 1 };
            using (var asking = await OpenAsync(node))
            {
                var reply = await asking.ExecuteAsync(Target, new RedisCommand("DUMP", "key"));

                Assert.Equal("value", Encoding.UTF8.GetString(reply.Bytes));
                Assert.Equal(2, node.Dumps);
            }
        }

        [Fact]
        public async Task ANodeThatNoLongerImports_FailsWithMoved_AfterThreePairs()
        {
            var node = new ImportingNode { Importing = false };
            using (var asking = await OpenAsync(node))
            {
                var failure = await Assert.ThrowsAsync<RedisServerErrorException>(() => asking.ExecuteAsync(Target, new RedisCommand("DUMP", "key")));

                Assert.Equal(ServerErrorCode.Moved, failure.Code);
                Assert.Equal(3, node.Dumps);
            }
        }
    }
}
