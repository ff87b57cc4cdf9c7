using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Creates a cluster from empty nodes: checks every node before touching any, then applies a
    /// CreateClusterPlan step by step and waits, within a bound, until all nodes agree and report ok.
    /// </summary>
    public sealed class ClusterCreator
    {
        private const string Activity = "Creating Redis cluster";
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
        private readonly RedisClusterConnection _connection;

        public ClusterCreator(RedisClusterConnection connection) => _connection = connection;

        /// <summary>
        /// Refuses, before anything changes, nodes that are duplicates, unreachable, not in cluster mode,
        /// already part of a cluster or holding keys. Returns the nodes with their hosts resolved.
        /// </summary>
        public async Task<IReadOnlyList<CandidateNode>> InspectAsync(IReadOnlyList<NodeEndPoint> endPoints, CancellationToken cancellationToken)
        {
            var duplicates = endPoints.GroupBy(e => e).Where(g => g.Count() > 1).Select(g => g.Key.ToString()).ToList();
            if (duplicates.Count > 0)
            {
                throw Invalid("DuplicateEndPoint", $"Each node may be given once; repeated: {string.Join(", ", duplicates)}.");
            }
            var inspections = await Task.WhenAll(endPoints.Select(e => InspectNodeAsync(e, cancellationToken))).ConfigureAwait(false);

            var unreachable = inspections.Where(i => i.Failure != null).ToList();
            if (unreachable.Count > 0)
            {
                var first = unreachable[0].Failure;
                throw new RedisClusterException(first.Kind,
                    unreachable.Count == 1 ? first.Message : string.Join(" ", unreachable.Select(u => u.Failure.Message)), first.EndPoint, first)
                { ErrorId = first.ErrorId };
            }
            var sameNode = inspections.GroupBy(i => i.NodeId).Where(g => g.Count() > 1).ToList();
            if (sameNode.Count > 0)
            {
                throw Invalid("DuplicateEndPoint",
                    "These endpoints reach the same node: " + string.Join("; ", sameNode.Select(g => string.Join(" = ", g.Select(i => i.EndPoint)))) + ".");
            }
            var problems = inspections.Where(i => i.Problem != null).Select(i => $"{i.EndPoint}: {i.Problem}").ToList();
            if (problems.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    "Nodes not fit for a new cluster (nothing was changed): " + string.Join(" ", problems)) { ErrorId = "NodeNotEmpty" };
            }
            return inspections.Select(i => new CandidateNode(i.EndPoint, i.HostKey, i.NodeId, i.BusPort)).ToList();
        }

        private sealed class Inspection
        {
            public NodeEndPoint EndPoint;
            public string HostKey;
            public NodeId NodeId;
            public int BusPort;
            public string Problem;
            public RedisClusterException Failure;
        }

        private async Task<Inspection> InspectNodeAsync(NodeEndPoint endPoint, CancellationToken cancellationToken)
        {
            var inspection = new Inspection { EndPoint = endPoint };
            try
            {
                inspection.HostKey = await ResolveHostAsync(endPoint.Host).ConfigureAwait(false);
                var client = await _connection.GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
                var info = RedisClusterInfo.ParseFields(await client.ExecuteStringAsync("INFO", "cluster").ConfigureAwait(false));
                if (!info.TryGetValue("cluster_enabled", out var enabled) || enabled != "1")
                {
                    inspection.Problem = "cluster support is disabled (set 'cluster-enabled yes' in its config and restart it).";
                    return inspection;
                }
                var topology = ClusterTopology.Parse(endPoint, await client.ExecuteStringAsync("CLUSTER", "NODES").ConfigureAwait(false));
                inspection.NodeId = topology.Myself.NodeId;
                inspection.BusPort = topology.Myself.BusPort;
                long keys = await client.ExecuteInt64Async("DBSIZE").ConfigureAwait(false);
                if (topology.Nodes.Count > 1) inspection.Problem = $"it already knows {topology.Nodes.Count - 1} other node(s): it is part of a cluster.";
                else if (topology.Myself.SlotCount > 0) inspection.Problem = $"it already owns {topology.Myself.SlotCount} slot(s).";
                else if (keys > 0) inspection.Problem = $"it holds {keys} key(s); a new cluster starts from empty nodes.";
            }
            catch (RedisClusterException e)
            {
                inspection.Failure = e;
            }
            return inspection;
        }

        /// <summary>The host's address, so that two names for one machine count as one host and MEET gets an IP.</summary>
        private static async Task<string> ResolveHostAsync(string host)
        {
            if (IPAddress.TryParse(host, out var literal)) return literal.ToString();
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
                var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
                return address.ToString();
            }
            catch (SocketException e)
            {
                throw new RedisClusterException(FailureKind.Unreachable, $"Host '{host}' cannot be resolved: {e.Message}", inner: e) { ErrorId = "HostNotResolved" };
            }
        }

        /// <summary>Applies the plan. Returns the topology every node agreed on.</summary>
        public async Task<ClusterTopology> ApplyAsync(CreateClusterPlan plan, TimeSpan timeout, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            void Report(string status, int percent) => progress?.Report(new OperationProgress(Activity, status, percent));

            var nodes = plan.AllNodes.ToList();
            var clients = new Dictionary<CandidateNode, NodeClient>();
            foreach (var node in nodes) clients[node] = await _connection.GetNodeAsync(node.EndPoint, cancellationToken).ConfigureAwait(false);

            Report("Assigning slots to masters", 10);
            await Task.WhenAll(plan.Masters.Select(m =>
                clients[m.Node].ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", m.Slots.Start, m.Slots.End))).ConfigureAwait(false);

            // Distinct epochs settle who owns what without a round of epoch collisions.
            Report("Setting config epochs", 20);
            await Task.WhenAll(nodes.Select((n, i) => clients[n].ExecuteAsync("CLUSTER", "SET-CONFIG-EPOCH", i + 1))).ConfigureAwait(false);

            // Every node meets every other directly: all handshakes start at once instead of waiting for
            // gossip to carry the news from one shared node, which is what redis-cli waits for.
            Report("Introducing nodes to each other", 30);
            await Task.WhenAll(nodes.SelectMany((a, i) => nodes.Skip(i + 1).Select(b =>
                clients[a].ExecuteAsync("CLUSTER", "MEET", b.HostKey, b.EndPoint.Port, b.BusPort)))).ConfigureAwait(false);

            var deadline = Stopwatch.StartNew();
            await WaitUntilAsync("Waiting for every node to know the others", 40, Report, timeout, deadline, cancellationToken,
                async () => (await ReadAllAsync(nodes, clients).ConfigureAwait(false)).All(t => t.Nodes.Count == nodes.Count && t.Nodes.All(n => (n.Flags & (NodeFlags.Handshake | NodeFlags.NoAddress)) == 0))).ConfigureAwait(false);

            Report("Attaching replicas", 60);
            await Task.WhenAll(plan.Masters.SelectMany(m => m.Replicas.Select(r =>
                clients[r].ExecuteAsync("CLUSTER", "REPLICATE", m.Node.NodeId.ToString())))).ConfigureAwait(false);

            ClusterTopology agreed = null;
            await WaitUntilAsync("Waiting for the cluster to agree and report ok", 75, Report, timeout, deadline, cancellationToken, async () =>
            {
                var views = await ReadAllAsync(nodes, clients).ConfigureAwait(false);
                string signature = views[0].SlotSignature();
                bool replicasSeen = views.All(v => plan.Masters.All(m => m.Replicas.Count == v.ReplicasOf(m.Node.NodeId).Count()));
                if (!replicasSeen || views.Any(v => v.SlotSignature() != signature || v.CoveredSlotCount != HashSlot.SlotCount)) return false;
                var states = await Task.WhenAll(nodes.Select(n => clients[n].ExecuteStringAsync("CLUSTER", "INFO"))).ConfigureAwait(false);
                if (!states.All(s => RedisClusterInfo.ParseFields(s).TryGetValue("cluster_state", out var state) && state == "ok")) return false;
                agreed = views[0];
                return true;
            }).ConfigureAwait(false);
            Report("Cluster created", 100);
            foreach (var node in agreed.Nodes) node.Connection = _connection;
            return agreed;
        }

        private static async Task<ClusterTopology[]> ReadAllAsync(IEnumerable<CandidateNode> nodes, IReadOnlyDictionary<CandidateNode, NodeClient> clients) =>
            await Task.WhenAll(nodes.Select(async n =>
                ClusterTopology.Parse(n.EndPoint, await clients[n].ExecuteStringAsync("CLUSTER", "NODES").ConfigureAwait(false)))).ConfigureAwait(false);

        private static async Task WaitUntilAsync(string status, int percent, Action<string, int> report, TimeSpan timeout, Stopwatch elapsed, CancellationToken cancellationToken, Func<Task<bool>> condition)
        {
            while (true)
            {
                report($"{status} ({elapsed.Elapsed.TotalSeconds:0} s)", percent);
                if (await condition().ConfigureAwait(false)) return;
                if (elapsed.Elapsed > timeout)
                {
                    throw new RedisClusterException(FailureKind.Timeout,
                        $"{status}: not done after {timeout.TotalSeconds:0} s. The nodes are joined but not settled: check that every bus port (port + 10000) is reachable between them, then run Get-RedisClusterInfo.")
                    { ErrorId = "ClusterNotSettled" };
                }
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        private static RedisClusterException Invalid(string errorId, string message) =>
            new RedisClusterException(FailureKind.InvalidArgument, message) { ErrorId = errorId };
    }
}
