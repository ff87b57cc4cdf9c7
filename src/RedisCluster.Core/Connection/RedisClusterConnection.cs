using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// A way into one cluster: the settings to reach its nodes and one direct, pipelined client per node,
    /// opened on first use. Disposing closes the sockets; a later use opens them again, so objects that
    /// carry a connection stay usable after the command that made them has finished.
    /// </summary>
    public sealed class RedisClusterConnection : IDisposable
    {
        private readonly ConcurrentDictionary<NodeEndPoint, Lazy<Task<NodeClient>>> _clients =
            new ConcurrentDictionary<NodeEndPoint, Lazy<Task<NodeClient>>>();

        // Nodes the last topology named: where to turn when the current node and the seeds are gone.
        private volatile IReadOnlyList<NodeEndPoint> _knownEndPoints = new NodeEndPoint[0];

        private RedisClusterConnection(ConnectionSettings settings) => Settings = settings;

        public ConnectionSettings Settings { get; }

        /// <summary>The node this connection reads the topology from; another one takes over when it fails.</summary>
        public NodeEndPoint EndPoint { get; private set; }

        /// <summary>True while at least one node socket is open.</summary>
        public bool IsOpen => _clients.Values.Any(c => c.IsValueCreated && c.Value.Status == TaskStatus.RanToCompletion && c.Value.Result.IsConnected);

        /// <summary>Opens a connection through the first seed that answers.</summary>
        public static async Task<RedisClusterConnection> OpenAsync(ConnectionSettings settings, CancellationToken cancellationToken)
        {
            var connection = new RedisClusterConnection(settings);
            try
            {
                connection.EndPoint = await connection.FirstReachableAsync(settings.Seeds, cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>The client for one node, connecting it on first use.</summary>
        public Task<NodeClient> GetNodeAsync(NodeEndPoint endPoint, CancellationToken cancellationToken)
        {
            var lazy = _clients.GetOrAdd(endPoint, ep => new Lazy<Task<NodeClient>>(() => NodeClient.ConnectAsync(ep, Settings, CancellationToken.None)));
            var task = lazy.Value;
            if (task.IsFaulted || task.IsCanceled)
            {
                // A failed connect is not cached: the node may be back by the next call.
                _clients.TryRemove(endPoint, out _);
            }
            return WithCancellation(task, cancellationToken);
        }

        /// <summary>CLUSTER NODES from the current node, falling back to the seeds and the other known nodes.</summary>
        public async Task<ClusterTopology> GetTopologyAsync(CancellationToken cancellationToken)
        {
            var candidates = new[] { EndPoint }.Concat(Settings.Seeds).Concat(_knownEndPoints).Distinct().ToList();
            RedisClusterException last = null;
            foreach (var endPoint in candidates)
            {
                try
                {
                    var topology = await ReadTopologyAsync(endPoint, cancellationToken).ConfigureAwait(false);
                    EndPoint = endPoint;
                    _knownEndPoints = topology.Nodes.Select(n => n.ToEndPoint()).Where(e => e != null).ToList();
                    return topology;
                }
                catch (RedisClusterException e) when (e.Kind == FailureKind.Unreachable || e.Kind == FailureKind.Timeout)
                {
                    last = e;
                }
            }
            throw last;
        }

        /// <summary>CLUSTER NODES as one given node sees it.</summary>
        public async Task<ClusterTopology> ReadTopologyAsync(NodeEndPoint endPoint, CancellationToken cancellationToken)
        {
            var client = await GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
            string text = await client.ExecuteStringAsync("CLUSTER", "NODES").ConfigureAwait(false);
            var topology = ClusterTopology.Parse(endPoint, text);
            foreach (var node in topology.Nodes) node.Connection = this;
            return topology;
        }

        private async Task<NodeEndPoint> FirstReachableAsync(IEnumerable<NodeEndPoint> endPoints, CancellationToken cancellationToken)
        {
            var failures = new List<RedisClusterException>();
            foreach (var endPoint in endPoints)
            {
                try
                {
                    await GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
                    return endPoint;
                }
                catch (RedisClusterException e) when (e.Kind == FailureKind.Unreachable || e.Kind == FailureKind.Timeout)
                {
                    failures.Add(e);
                }
            }
            if (failures.Count == 1) throw failures[0];
            throw new RedisClusterException(FailureKind.Unreachable,
                "No node answered: " + string.Join(" ", failures.Select(f => f.Message)), failures[0].EndPoint) { ErrorId = "NodeUnreachable" };
        }

        private static async Task<T> WithCancellation<T>(Task<T> task, CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled || task.IsCompleted) return await task.ConfigureAwait(false);
            var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
            if (await Task.WhenAny(task, cancelled).ConfigureAwait(false) == cancelled)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            return await task.ConfigureAwait(false);
        }

        public void Dispose()
        {
            foreach (var endPoint in _clients.Keys.ToList())
            {
                if (_clients.TryRemove(endPoint, out var lazy) && lazy.IsValueCreated && lazy.Value.Status == TaskStatus.RanToCompletion)
                {
                    lazy.Value.Result.Dispose();
                }
            }
        }

        /// <summary>Safe to print: endpoints and user name, never the password.</summary>
        public override string ToString() => Settings.ToString();
    }
}
