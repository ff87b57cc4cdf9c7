using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Creates a cluster from empty nodes: checks every node before touching any, then applies a
    /// CreateClusterPlan step by step and waits, within a deadline, until all nodes agree and report ok.
    /// Every step does only what is not done yet, so running a creation again after a timeout, a Ctrl+C or a
    /// crash finishes it.
    /// </summary>
    public sealed class ClusterCreator
    {
        private const string Activity = "Creating Redis cluster";

        private const string RunAgain = "Running the same New-RedisCluster again finishes the creation from where it stopped.";

        private readonly RedisClusterConnection _connection;

        public ClusterCreator(RedisClusterConnection connection) => _connection = connection;

        /// <summary>
        /// Refuses, before anything changes, nodes that are duplicates, unreachable, too old or not in cluster
        /// mode. Returns the nodes with their hosts resolved and their current state, for the planner.
        /// </summary>
        public async Task<IReadOnlyList<CandidateNode>> InspectAsync(IReadOnlyList<NodeEndPoint> endPoints, CancellationToken cancellationToken)
        {
            NodeSetRules.EnsureGivenOnce(endPoints);
            var resolver = new HostResolver();
            var hostKeys = Task.WhenAll(endPoints.Select(resolver.AddressOfAsync));
            var snapshot = await ClusterSnapshot.ReadAsync(_connection, endPoints, cancellationToken).ConfigureAwait(false);

            var unreachable = snapshot.Unreachable.ToList();
            if (unreachable.Count > 0)
            {
                var first = unreachable[0].Failure;
                throw new RedisClusterException(first.Kind,
                    unreachable.Count == 1 ? first.Message : string.Join(" ", unreachable.Select(u => u.Failure.Message)), first.EndPoint, first)
                { ErrorId = first.ErrorId };
            }
            ServerRequirements.EnsureNewEnough(snapshot.Nodes.Select(n => (n.EndPoint, n.ServerVersion)), "Creating a cluster (CLUSTER ADDSLOTSRANGE)");
            var noCluster = snapshot.Nodes.Where(n => !n.ClusterEnabled).ToList();
            if (noCluster.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    "Nodes not fit for a new cluster (nothing was changed): " +
                    string.Join(" ", noCluster.Select(n => $"{n.EndPoint}: {NodeSetRules.ClusterDisabledReason}")))
                { ErrorId = "ClusterSupportDisabled" };
            }
            NodeSetRules.EnsureDistinctNodes(snapshot.Nodes.Select(n => (n.EndPoint, n.Myself.Id)));
            var hosts = await hostKeys.ConfigureAwait(false);
            return snapshot.Nodes.Select((n, i) => new CandidateNode(n.EndPoint, hosts[i], n.Myself.Id, n.Myself.BusPort, n.View, n.KeyCount)).ToList();
        }

        /// <summary>Applies the plan, skipping what the nodes already did. Returns the topology every node agreed on.</summary>
        public async Task<ClusterTopology> ApplyAsync(CreateClusterPlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {

            var nodes = plan.AllNodes.ToList();
            var endPoints = nodes.Select(n => n.EndPoint).ToList();
            // Every new master waits out a rejoin delay of its node timeout before it reports ok, and every replica
            // the diskless sync delay before its first sync: shorten both for the creation, and put the configured
            // values back once the cluster has settled (or failed to).
            return await NodeTimeoutOverride.RunWithImmediateSyncAsync(_connection, endPoints,
                token => ApplyWithTimeoutLoweredAsync(plan, nodes, endPoints, deadline, progress, token), progress, cancellationToken).ConfigureAwait(false);
        }

        private async Task<ClusterTopology> ApplyWithTimeoutLoweredAsync(
            CreateClusterPlan plan, List<CandidateNode> nodes, List<NodeEndPoint> endPoints, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            void Report(string status, int percent) => progress?.Report(new OperationProgress(Activity, status, percent));
            var clients = new Dictionary<CandidateNode, INodeClient>();
            foreach (var node in nodes) clients[node] = await _connection.GetNodeAsync(node.EndPoint, cancellationToken).ConfigureAwait(false);
            var views = nodes.ToDictionary(n => n, n => n.CurrentView);

            Report("Assigning slots to masters", 10);
            await Task.WhenAll(plan.Masters.Select(m =>
            {
                var owned = views[m.Node]?.Myself?.Slots ?? SlotRangeList.Empty;
                var missing = SlotRange.FromSlots(m.Slots.Slots().Where(s => !owned.ContainsSlot(s)));
                if (missing.Count == 0) return Task.CompletedTask;
                var arguments = new List<object> { "ADDSLOTSRANGE" };
                foreach (var range in missing) arguments.AddRange(new object[] { range.Start, range.End });
                return clients[m.Node].ExecuteAsync(new RedisCommand("CLUSTER", arguments.ToArray()), cancellationToken);
            })).ConfigureAwait(false);

            // Distinct epochs settle who owns what without a round of epoch collisions. Only a node that knows
            // no other may be given one; a node resumed from an earlier run keeps what it has.
            Report("Setting config epochs", 20);
            await Task.WhenAll(nodes.Select((n, i) => n.IsFresh && (views[n]?.Myself?.ConfigEpoch ?? 0) == 0
                ? clients[n].CallAsync(cancellationToken, "CLUSTER", "SET-CONFIG-EPOCH", i + 1)
                : Task.FromResult(RedisReply.Null))).ConfigureAwait(false);

            // Every node meets every other directly: all handshakes start at once instead of waiting for
            // gossip to carry the news from one shared node, which is what redis-cli waits for.
            Report("Introducing nodes to each other", 30);
            bool Knows(CandidateNode a, CandidateNode b) => views[a] != null && views[a].Find(b.NodeId) != null;
            await Task.WhenAll(nodes.SelectMany((a, i) => nodes.Skip(i + 1).Where(b => !Knows(a, b) && !Knows(b, a)).Select(b =>
                clients[a].CallAsync(cancellationToken, "CLUSTER", "MEET", b.HostKey, b.EndPoint.Port, b.BusPort)))).ConfigureAwait(false);

            Task<ClusterSnapshot> Read(CancellationToken token) => ClusterSnapshot.ReadAsync(_connection, endPoints, token);
            var members = nodes.Select(n => (n.NodeId, n.EndPoint)).ToList();
            var met = await ClusterWait.UntilAsync(Read, s => s.UnreachableProblems().Concat(s.MeetProblems(members)),
                deadline, "Waiting for every node to know the others", 40, progress, cancellationToken,
                ClusterWait.HandshakeAdvice + " " + RunAgain).ConfigureAwait(false);

            Report("Attaching replicas", 60);
            var relations = plan.Masters.SelectMany(m => m.Replicas.Select(r => (Replica: r, Master: m.Node))).ToList();
            await Task.WhenAll(relations
                .Where(r => met.Find(r.Replica.EndPoint).Myself.MasterNodeId != r.Master.NodeId)
                .Select(r => clients[r.Replica].CallAsync(cancellationToken, "CLUSTER", "REPLICATE", r.Master.NodeId.ToString()))).ConfigureAwait(false);

            var expected = relations.Select(r => (r.Replica.NodeId, r.Master.NodeId)).ToList();
            var settled = await ClusterWait.UntilAsync(Read,
                s => s.UnreachableProblems().Concat(s.MeetProblems(members)).Concat(s.AgreementProblems()).Concat(s.ReplicaRelationProblems(expected))
                    .Concat(s.StateProblems()).Concat(s.FailureProblems()).Concat(s.ReplicaSyncProblems()),
                deadline, "Waiting for the cluster to agree, report ok and sync its replicas", 75, progress, cancellationToken, RunAgain).ConfigureAwait(false);
            Report("Cluster created", 100);
            return settled.Reference;
        }
    }
}
