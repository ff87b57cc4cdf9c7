using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// A way into one cluster: the settings to reach its nodes, the nodes it has learnt of, and one direct,
    /// pipelined client per node (and per longer command timeout), opened on first use. Disposing closes the
    /// sockets; a later use opens them again, so objects that carry a connection stay usable after the
    /// command that made them has finished.
    /// </summary>
    public sealed class RedisClusterConnection : IDisposable
    {
        private readonly ConcurrentDictionary<ClientKey, Lazy<Task<INodeClient>>> _clients =
            new ConcurrentDictionary<ClientKey, Lazy<Task<INodeClient>>>();

        private readonly INodeConnector _connector;

        // Every node the last topology named: where to turn when the current node and the seeds are gone.
        private volatile IReadOnlyList<NodeEndPoint> _knownEndPoints = new NodeEndPoint[0];
        private volatile NodeEndPoint _endPoint;

        // Nodes reset out of the cluster through this connection: asked for the topology only when nothing else answers.
        private readonly ConcurrentDictionary<NodeEndPoint, bool> _retired = new ConcurrentDictionary<NodeEndPoint, bool>();

        private RedisClusterConnection(ConnectionSettings settings, INodeConnector connector)
        {
            Settings = settings;
            _connector = connector;
        }

        /// <summary>How nodes are reached. Internal: it holds the credential, and objects that carry the connection export it.</summary>
        internal ConnectionSettings Settings { get; }

        // What the connection shows (Format-List, ConvertTo-Json) is plain text and flags: nothing deep, nothing secret.

        /// <summary>The node this connection reads the topology from ("ip:port"); another one takes over when it fails.</summary>
        public string EndPoint => _endPoint?.ToString();

        /// <summary>The nodes the last topology read named, to fall back on when one fails.</summary>
        public EndPointList KnownEndPoints => new EndPointList(_knownEndPoints.Select(e => e.ToString()));

        /// <summary>The endpoints given when the connection was opened.</summary>
        public EndPointList Seeds => new EndPointList(Settings.Seeds.Select(e => e.ToString()));

        public string UserName => Settings.UserName;
        public bool UseTls => Settings.UseTls;

        /// <summary>True while at least one node socket is open.</summary>
        public bool IsOpen => _clients.Values.Any(c => c.IsValueCreated && c.Value.Status == TaskStatus.RanToCompletion && c.Value.Result.IsConnected);

        /// <summary>
        /// Opens a connection through the first seed that answers and reads the topology there, so every node
        /// of the cluster is known from the start and any of them can stand in when one fails.
        /// </summary>
        public static async Task<RedisClusterConnection> OpenAsync(ConnectionSettings settings, INodeConnector connector, CancellationToken cancellationToken, bool readTopology = true)
        {
            var connection = new RedisClusterConnection(settings, connector);
            try
            {
                connection._endPoint = await connection.FirstReachableAsync(settings.Seeds, cancellationToken).ConfigureAwait(false);
                if (readTopology) await connection.GetTopologyAsync(cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>
        /// The client for one node, connecting it on first use. Any endpoint will do, in the cluster or not (a node
        /// about to join it): it is reached with this connection's credential, TLS and timeouts. A command timeout
        /// longer than the settings' gets a client of its own: the client library caps every call at its
        /// connection's timeout.
        /// </summary>
        public Task<INodeClient> GetNodeAsync(NodeEndPoint endPoint, CancellationToken cancellationToken, TimeSpan? commandTimeout = null) =>
            GetClientAsync(endPoint, cancellationToken, commandTimeout, bulk: false);

        /// <summary>
        /// A client for bulk administration traffic, such as the slot migrator's SETSLOT bursts, listings and MIGRATEs:
        /// <see cref="RespNodeClient"/>, which speaks RESP itself and costs a fraction of the general client per
        /// command. Otherwise as <see cref="GetNodeAsync"/>: one per node and command timeout, kept, never redirected.
        /// </summary>
        internal Task<INodeClient> GetBulkNodeAsync(NodeEndPoint endPoint, CancellationToken cancellationToken, TimeSpan? commandTimeout = null) =>
            GetClientAsync(endPoint, cancellationToken, commandTimeout, bulk: true);

        private Task<INodeClient> GetClientAsync(NodeEndPoint endPoint, CancellationToken cancellationToken, TimeSpan? commandTimeout, bool bulk)
        {
            if (endPoint == null) throw new ArgumentNullException(nameof(endPoint));
            var timeout = commandTimeout.HasValue && commandTimeout.Value > Settings.CommandTimeout ? commandTimeout.Value : Settings.CommandTimeout;
            var key = new ClientKey(endPoint, timeout, bulk);
            for (int attempt = 0; ; attempt++)
            {
                var lazy = _clients.GetOrAdd(key, k => new Lazy<Task<INodeClient>>(() => k.Bulk
                    ? RespNodeClient.ConnectAsync(k.EndPoint, Settings, k.Timeout, CancellationToken.None)
                    : _connector.ConnectAsync(k.EndPoint, Settings, k.Timeout, CancellationToken.None)));
                var task = lazy.Value;
                bool dropped = task.Status == TaskStatus.RanToCompletion && !task.Result.IsConnected;
                if (task.IsFaulted || task.IsCanceled || dropped)
                {
                    // A failed or dropped connection is not kept, and not handed out again: this call connects anew,
                    // as the node may be back already (restarted since an earlier read found it down). Only a
                    // failure of that new attempt reaches the caller.
                    if (((ICollection<KeyValuePair<ClientKey, Lazy<Task<INodeClient>>>>)_clients).Remove(
                        new KeyValuePair<ClientKey, Lazy<Task<INodeClient>>>(key, lazy)) && dropped)
                    {
                        task.Result.Dispose();
                    }
                    if (attempt == 0) continue;
                }
                return WithCancellation(task, cancellationToken);
            }
        }

        /// <summary>Which kept client a call gets: its node, its command timeout, and whether it is the bulk kind.</summary>
        private struct ClientKey : IEquatable<ClientKey>
        {
            public ClientKey(NodeEndPoint endPoint, TimeSpan timeout, bool bulk)
            {
                EndPoint = endPoint;
                Timeout = timeout;
                Bulk = bulk;
            }

            public NodeEndPoint EndPoint { get; }
            public TimeSpan Timeout { get; }
            public bool Bulk { get; }

            public bool Equals(ClientKey other) => EndPoint.Equals(other.EndPoint) && Timeout == other.Timeout && Bulk == other.Bulk;
            public override bool Equals(object obj) => obj is ClientKey other && Equals(other);
            public override int GetHashCode() => (EndPoint.GetHashCode() * 397 ^ Timeout.GetHashCode()) * 2 + (Bulk ? 1 : 0);
        }

        /// <summary>
        /// A client of the caller's own, not shared with other work: for command pairs that must reach the node back
        /// to back, such as ASKING then DUMP, which other commands pipelined on a shared socket could split. The
        /// caller disposes it.
        /// </summary>
        internal Task<INodeClient> OpenPrivateClientAsync(NodeEndPoint endPoint, CancellationToken cancellationToken) =>
            _connector.ConnectAsync(endPoint, Settings, Settings.CommandTimeout, cancellationToken);

        /// <summary>CLUSTER NODES from the current node, falling back to the seeds and then every other known node.</summary>
        public async Task<ClusterTopology> GetTopologyAsync(CancellationToken cancellationToken)
        {
            var candidates = new[] { _endPoint }.Where(e => e != null).Concat(Settings.Seeds).Concat(_knownEndPoints).Distinct()
                .OrderBy(e => _retired.ContainsKey(e)).ToList();
            var failures = new List<RedisClusterException>();
            foreach (var endPoint in candidates)
            {
                try
                {
                    var topology = await ReadTopologyAsync(endPoint, cancellationToken).ConfigureAwait(false);
                    _endPoint = endPoint;
                    _knownEndPoints = topology.Nodes.Select(n => n.ToEndPoint()).Where(e => e != null).ToList();
                    return topology;
                }
                catch (RedisClusterException e) when (e.Kind == FailureKind.Unreachable || e.Kind == FailureKind.Timeout || e.Kind == FailureKind.Protocol)
                {
                    failures.Add(e);
                }
            }
            throw NoneAnswered(failures);
        }

        /// <summary>
        /// Marks a node that no longer belongs to the cluster (it was reset): it knows only itself, so the topology is
        /// read from any other node that answers, and from it only when none does.
        /// </summary>
        internal void Retire(NodeEndPoint endPoint)
        {
            _retired[endPoint] = true;
            if (endPoint.Equals(_endPoint)) _endPoint = null;
        }

        /// <summary>CLUSTER NODES as one given node sees it.</summary>
        public async Task<ClusterTopology> ReadTopologyAsync(NodeEndPoint endPoint, CancellationToken cancellationToken)
        {
            var client = await GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
            string text;
            try
            {
                try
                {
                    text = await client.CallStringAsync(cancellationToken, "CLUSTER", "NODES").ConfigureAwait(false);
                }
                catch (RedisClusterException e) when (e.Kind == FailureKind.Unreachable && !client.IsConnected)
                {
                    // A kept connection to a node that went down since fails as dropped: the node is asked once more on a
                    // fresh one, so a node that is gone is told as such (the port refuses) and one already back answers.
                    client = await GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
                    text = await client.CallStringAsync(cancellationToken, "CLUSTER", "NODES").ConfigureAwait(false);
                }
            }
            catch (RedisServerErrorException e) when (e.Code == ServerErrorCode.Err)
            {
                // Redis says "This instance has cluster support disabled": say it in our words.
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{endPoint} is not a cluster node: cluster support is disabled there ('cluster-enabled yes' is needed).", endPoint, e) { ErrorId = "ClusterSupportDisabled" };
            }
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
                catch (RedisClusterException e) when (e.Kind == FailureKind.Unreachable || e.Kind == FailureKind.Timeout || e.Kind == FailureKind.Protocol)
                {
                    failures.Add(e);
                }
            }
            throw NoneAnswered(failures);
        }

        private static RedisClusterException NoneAnswered(IReadOnlyList<RedisClusterException> failures)
        {
            if (failures.Count == 1) return failures[0];
            return new RedisClusterException(failures[0].Kind,
                $"No node of the cluster could be used ({failures.Count} tried): " + string.Join(" ", failures.Select(f => f.Message)), failures[0].EndPoint, failures[0])
            { ErrorId = failures[0].ErrorId };
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
            var closing = new List<Task<INodeClient>>();
            foreach (var key in _clients.Keys.ToList())
            {
                if (_clients.TryRemove(key, out var lazy) && lazy.IsValueCreated) closing.Add(lazy.Value);
            }
            if (closing.Count == 0) return;
            // Closing a client blocks while its sockets shut down. Done one after another in one pool work item, so
            // a connection to 60 nodes never takes 60 pool threads from the work that goes on meanwhile (which
            // starved the next connection for 30 s), and a connection per call pays for no thread of its own
            // (a dedicated thread cost 0.4 ms a call).
            Task.Factory.StartNew(() =>
            {
                foreach (var client in closing)
                {
                    if (client.Status == TaskStatus.RanToCompletion) client.Result.Dispose();
                    else client.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
                }
            }, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default);
        }

        /// <summary>Safe to print: endpoints and user name, never the password.</summary>
        public override string ToString() => Settings.ToString();
    }
}
