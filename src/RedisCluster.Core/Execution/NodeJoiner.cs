using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Adds empty nodes to a running cluster: inspects them and the cluster without changing anything, then
    /// applies an AddNodePlan and returns only once the nodes are usable. redis-cli's add-node returns once
    /// MEET is sent, and a reshard started then meets CLUSTERDOWN from the new master and leaves a slot open;
    /// here the join is over when every node knows every new node and each new node knows every node, the new
    /// nodes report cluster_state:ok with the cluster's slot map, and each new replica has finished its first
    /// sync from its master.
    /// </summary>
    public sealed class NodeJoiner
    {
        private const string Activity = "Adding nodes to the Redis cluster";

        private const string TimeoutAdvice =
            "The nodes were introduced and may still finish joining on their own (Get-RedisClusterNode shows them); " +
            "being part of the cluster now, they are refused by another Add-RedisClusterNode.";

        private readonly RedisClusterConnection _connection;

        public NodeJoiner(RedisClusterConnection connection) => _connection = connection;

        /// <summary>Reads the cluster and the offered nodes, all at once, changing nothing. Offered nodes are reached with the connection's credentials and TLS settings.</summary>
        public async Task<JoinInspection> InspectAsync(IReadOnlyList<NodeEndPoint> newNodes, CancellationToken cancellationToken)
        {
            NodeSetRules.EnsureGivenOnce(newNodes);
            var resolver = new HostResolver();
            var addresses = Task.WhenAll(newNodes.Select(e => AddressOrNullAsync(resolver, e)));
            var clusterRead = ClusterSnapshot.ReadAsync(_connection, cancellationToken);
            var offered = await ClusterSnapshot.ReadAsync(_connection, newNodes, cancellationToken).ConfigureAwait(false);
            var cluster = await clusterRead.ConfigureAwait(false);
            var resolved = await addresses.ConfigureAwait(false);

            var candidates = offered.Nodes.Select((n, i) => n.IsReachable
                ? new JoinCandidate(n.EndPoint, resolved[i], n.View, n.KeyCount, n.ServerVersion, n.ClusterEnabled)
                : new JoinCandidate(n.EndPoint, resolved[i], failure: n.Failure)).ToList();
            var reference = cluster.Reference;
            // A handshake in progress is nobody yet; any other node that cannot be read is a member the join cannot wait for.
            var unreachable = reference.Nodes
                .Where(n => (n.Flags & NodeFlags.Handshake) == 0 && (n.ToEndPoint() == null || !(cluster.Find(n.ToEndPoint())?.IsReachable ?? false)))
                .Select(n => n.Id);
            return new JoinInspection(reference, candidates, unreachable, cluster.StateProblems());
        }

        /// <summary>Applies the plan within the deadline; returns the new nodes as the cluster lists them.</summary>
        public Task<IReadOnlyList<RedisClusterNode>> ApplyAsync(AddNodePlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            // A new empty master reports ok only a rejoin delay (its node timeout, at most 5 s) after it last saw
            // itself in a minority, which it does until it knows the masters: lower only the new nodes' timeout
            // for the join. A master holds a replica's first sync back by its diskless sync delay (5 s by default),
            // for more replicas to share it: the master of new replicas starts it at once. Each node's own values
            // are put back on every way out.
            var newNodes = plan.Nodes.Select(n => n.Node.EndPoint).ToList();
            var syncSources = plan.Nodes.Where(n => n.IsReplica).Select(n => n.Master.ToEndPoint()).Where(e => e != null).Distinct().ToList();
            return NodeTimeoutOverride.RunAsync(_connection, newNodes, syncSources, token => JoinAsync(plan, deadline, progress, token), progress, cancellationToken);
        }

        private async Task<IReadOnlyList<RedisClusterNode>> JoinAsync(AddNodePlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            void Report(string status, int percent) => progress?.Report(new OperationProgress(Activity, status, percent));
            var joining = plan.Nodes.Select(n => n.Node).ToList();

            // Every member meets every new node directly, and new nodes meet each other: all handshakes start at
            // once rather than waiting for gossip. A node learns its own address from the MEETs it receives.
            Report("Introducing the new nodes to the cluster", 10);
            var meets = plan.Members.SelectMany(m => joining.Select(n => (From: m.ToEndPoint(), To: n)))
                .Concat(joining.SelectMany((a, i) => joining.Skip(i + 1).Select(b => (From: a.EndPoint, To: b))));
            await Task.WhenAll(meets.Select(async meet =>
            {
                var client = await _connection.GetNodeAsync(meet.From, cancellationToken).ConfigureAwait(false);
                await client.CallAsync(cancellationToken, "CLUSTER", "MEET", meet.To.Address, meet.To.EndPoint.Port, meet.To.BusPort).ConfigureAwait(false);
            })).ConfigureAwait(false);

            var everyone = plan.Members.Select(m => (m.Id, EndPoint: m.ToEndPoint())).Concat(joining.Select(n => (n.Id, n.EndPoint))).ToList();
            var readFrom = everyone.Select(e => e.EndPoint).ToList();
            Task<ClusterSnapshot> Read(CancellationToken token) => ClusterSnapshot.ReadAsync(_connection, readFrom, token);
            await ClusterWait.UntilAsync(Read, s => s.UnreachableProblems().Concat(s.MeetProblems(everyone)),
                deadline, "Waiting for the new nodes and the cluster to know each other", 40, progress, cancellationToken,
                ClusterWait.HandshakeAdvice + " " + TimeoutAdvice).ConfigureAwait(false);

            // A node can replicate only a master it knows; now every new node knows every member.
            var replicas = plan.Nodes.Where(n => n.IsReplica).ToList();
            if (replicas.Count > 0)
            {
                Report("Attaching the new replicas", 60);
                await Task.WhenAll(replicas.Select(async r =>
                {
                    var client = await _connection.GetNodeAsync(r.Node.EndPoint, cancellationToken).ConfigureAwait(false);
                    await client.CallAsync(cancellationToken, "CLUSTER", "REPLICATE", r.Master.NodeId).ConfigureAwait(false);
                })).ConfigureAwait(false);
            }

            var relations = replicas.Select(r => (r.Node.Id, r.Master.Id)).ToList();
            var links = replicas.Select(r => (r.Node.Id, r.Master)).ToList();
            var settled = await ClusterWait.UntilAsync(Read,
                s => s.EnsureReplicasStayed(links).UnreachableProblems().Concat(s.MeetProblems(everyone)).Concat(s.AgreementProblems()).Concat(s.StateProblems())
                    .Concat(s.ReplicaRelationProblems(relations)).Concat(s.ReplicaLinkProblems(links)).Distinct(),
                deadline, replicas.Count > 0 ? "Waiting for the new nodes to report ok and the replicas to finish their first sync" : "Waiting for the new nodes to report ok",
                75, progress, cancellationToken, TimeoutAdvice).ConfigureAwait(false);
            Report("Nodes added", 100);
            return joining.Select(n => settled.Reference.Find(n.Id)).ToList();
        }

        private static async Task<string> AddressOrNullAsync(HostResolver resolver, NodeEndPoint endPoint)
        {
            try
            {
                return await resolver.AddressOfAsync(endPoint).ConfigureAwait(false);
            }
            catch (RedisClusterException)
            {
                // The node's own read fails the same way and says so; the plan refuses it then.
                return null;
            }
        }
    }
}
