using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>
    /// Which node client <see cref="RedisClusterConnection.GetNodeAsync"/> hands out after a node was down: never the
    /// failure of an earlier attempt, so the first read after a restart reaches the node.
    /// </summary>
    public class ConnectionReuseTests
    {
        private static readonly NodeEndPoint Node = NodeEndPoint.Parse("127.0.0.1:7000");
        private static readonly CancellationToken None = CancellationToken.None;

        /// <summary>
        /// A connector whose node is up or down as the test says. Down, an attempt fails only when the test fails it
        /// (<see cref="FailAttempts"/>), as a connect timeout does: after the caller got the attempt, so it stays cached.
        /// </summary>
        private sealed class SwitchableConnector : INodeConnector
        {
            private readonly ConcurrentQueue<TaskCompletionSource<INodeClient>> _pending = new ConcurrentQueue<TaskCompletionSource<INodeClient>>();
            public volatile bool Up = true;
            public int Attempts;
            public readonly ConcurrentQueue<FakeClient> Clients = new ConcurrentQueue<FakeClient>();

            public Task<INodeClient> ConnectAsync(NodeEndPoint endPoint, ConnectionSettings settings, TimeSpan commandTimeout, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref Attempts);
                if (Up)
                {
                    var client = new FakeClient(endPoint, commandTimeout);
                    Clients.Enqueue(client);
                    return Task.FromResult<INodeClient>(client);
                }
                var attempt = new TaskCompletionSource<INodeClient>(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending.Enqueue(attempt);
                return attempt.Task;
            }

            public void FailAttempts()
            {
                while (_pending.TryDequeue(out var attempt))
                {
                    attempt.SetException(new RedisClusterException(FailureKind.Timeout, "127.0.0.1:7000 did not answer.") { ErrorId = "NodeNotAnswering" });
                }
            }
        }

        /// <summary>One call while the node is down: it gets an attempt still under way, which then fails.</summary>
        private static async Task FailingCallAsync(RedisClusterConnection connection, SwitchableConnector connector)
        {
            var call = connection.GetNodeAsync(Node, None);
            connector.FailAttempts();
            await Assert.ThrowsAsync<RedisClusterException>(() => call);
        }

        private sealed class FakeClient : INodeClient
        {
            public FakeClient(NodeEndPoint endPoint, TimeSpan commandTimeout)
            {
                EndPoint = endPoint;
                CommandTimeout = commandTimeout;
            }

            public NodeEndPoint EndPoint { get; }
            public TimeSpan CommandTimeout { get; }
            public bool IsConnected { get; set; } = true;
            public bool Disposed { get; private set; }

            public Task<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
                Task.FromResult(RedisReply.SimpleString("PONG"));

            public void Dispose() => Disposed = true;
        }

        private static async Task<(RedisClusterConnection, SwitchableConnector)> OpenAsync()
        {
            var connector = new SwitchableConnector();
            var connection = await RedisClusterConnection.OpenAsync(new ConnectionSettings(new[] { Node }), connector, None, readTopology: false);
            return (connection, connector);
        }

        [Fact]
        public async Task AFailedAttempt_IsNotHandedOutAgain_OnceTheNodeIsBack()
        {
            var (connection, connector) = await OpenAsync();
            connector.Clients.TryPeek(out var first);
            first.IsConnected = false;
            connector.Up = false;
            // The node is restarting: the read finds the connection dropped, connects again and fails.
            await FailingCallAsync(connection, connector);
            Assert.True(first.Disposed);

            connector.Up = true;
            var client = await connection.GetNodeAsync(Node, None);

            Assert.True(client.IsConnected);
            Assert.NotSame(first, client);
        }

        [Fact]
        public async Task WhileTheNodeIsDown_EveryCallTriesAgain_AndAConnectedClientIsKept()
        {
            var (connection, connector) = await OpenAsync();
            connector.Clients.TryPeek(out var first);
            first.IsConnected = false;
            connector.Up = false;
            int before = connector.Attempts;
            await FailingCallAsync(connection, connector);
            await FailingCallAsync(connection, connector);
            Assert.Equal(before + 2, connector.Attempts);

            connector.Up = true;
            var back = await connection.GetNodeAsync(Node, None);
            Assert.Same(back, await connection.GetNodeAsync(Node, None));
            Assert.Equal(before + 3, connector.Attempts);
        }
    }
}
