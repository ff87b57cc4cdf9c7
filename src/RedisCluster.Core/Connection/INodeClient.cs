using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// A direct line to one node. Commands go to exactly this node and are never redirected: a MOVED or ASK
    /// reply comes back as a <see cref="RedisServerErrorException"/> from the node asked. Commands issued
    /// concurrently are pipelined on one socket.
    /// </summary>
    public interface INodeClient : IDisposable
    {
        NodeEndPoint EndPoint { get; }

        bool IsConnected { get; }

        /// <summary>The longest a call on this client may take; a longer call needs a client opened with a longer timeout.</summary>
        TimeSpan CommandTimeout { get; }

        /// <summary>
        /// Runs one command. <paramref name="timeout"/> shortens the client's timeout for this call. A cancelled
        /// token stops the command from being sent; a command already sent runs to its answer or its timeout,
        /// never longer. A timed-out call stops the wait, not the command: the node may still run it, so a caller
        /// that gave up re-reads the node's state before it decides anything.
        /// </summary>
        Task<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken, TimeSpan? timeout = null);
    }

    /// <summary>Opens node clients; the engine in the private load context provides the implementation.</summary>
    public interface INodeConnector
    {
        /// <summary>Connects and authenticates, or fails within the connect timeout with a classified error.</summary>
        Task<INodeClient> ConnectAsync(NodeEndPoint endPoint, ConnectionSettings settings, TimeSpan commandTimeout, CancellationToken cancellationToken);
    }

    public static class NodeClientExtensions
    {
        public static Task<RedisReply> CallAsync(this INodeClient client, CancellationToken cancellationToken, string command, params object[] arguments) =>
            client.ExecuteAsync(new RedisCommand(command, arguments), cancellationToken);

        public static async Task<string> CallStringAsync(this INodeClient client, CancellationToken cancellationToken, string command, params object[] arguments) =>
            (await client.ExecuteAsync(new RedisCommand(command, arguments), cancellationToken).ConfigureAwait(false)).AsString();

        public static async Task<long> CallInt64Async(this INodeClient client, CancellationToken cancellationToken, string command, params object[] arguments) =>
            (await client.ExecuteAsync(new RedisCommand(command, arguments), cancellationToken).ConfigureAwait(false)).AsInt64();
    }
}
