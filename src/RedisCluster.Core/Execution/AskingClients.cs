using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Runs a command after ASKING on a node that is importing the command's slot, which serves it only then.
    /// Each node gets a client of this object's own, used for one pair at a time, so that none of our other
    /// commands can come between ASKING and the command.
    /// </summary>
    /// <remarks>
    /// The client library can still write a command of its own between the two (its periodic checks on the
    /// connection, or a reconnect) and so use up the ASKING: the node then answers MOVED, which it never does to a
    /// command after ASKING in a slot it imports. Such a pair is sent again; a node that keeps answering MOVED no
    /// longer imports the slot, and that error is the caller's.
    /// </remarks>
    internal sealed class AskingClients : IDisposable
    {
        private const int Attempts = 3;

        private readonly RedisClusterConnection _connection;
        private readonly ConcurrentDictionary<NodeEndPoint, Lazy<Task<INodeClient>>> _clients = new ConcurrentDictionary<NodeEndPoint, Lazy<Task<INodeClient>>>();
        private readonly SemaphoreSlim _onePair = new SemaphoreSlim(1, 1);

        public AskingClients(RedisClusterConnection connection)
        {
            _connection = connection;
        }

        public async Task<RedisReply> ExecuteAsync(NodeEndPoint node, RedisCommand command)
        {
            var client = await _clients.GetOrAdd(node,
                n => new Lazy<Task<INodeClient>>(() => _connection.OpenPrivateClientAsync(n, CancellationToken.None))).Value.ConfigureAwait(false);
            await _onePair.WaitAsync().ConfigureAwait(false);
            try
            {
                for (int attempt = 1; ; attempt++)
                {
                    var asking = client.ExecuteAsync(new RedisCommand("ASKING"), CancellationToken.None);
                    var reply = client.ExecuteAsync(command, CancellationToken.None);
                    await asking.ConfigureAwait(false);
                    try
                    {
                        return await reply.ConfigureAwait(false);
                    }
                    catch (RedisServerErrorException e) when (e.Code == ServerErrorCode.Moved && attempt < Attempts)
                    {
                    }
                }
            }
            finally
            {
                _onePair.Release();
            }
        }

        public void Dispose()
        {
            foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
            {
                if (client.Value.Status == TaskStatus.RanToCompletion) client.Value.Result.Dispose();
            }
            _onePair.Dispose();
        }
    }
}
