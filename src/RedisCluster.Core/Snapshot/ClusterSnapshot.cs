using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>Slots one node sees owned differently from what most nodes see.</summary>
    public sealed class SlotDisagreement
    {
        internal SlotDisagreement(NodeSnapshot node, SlotRangeList slots)
        {
            Node = node;
            Slots = slots;
        }

        public NodeSnapshot Node { get; }
        public SlotRangeList Slots { get; }

        public override string ToString() => $"{Node.EndPoint} sees other owners for slots {Slots}";
    }

    /// <summary>
    /// The whole cluster at one moment: every node's own view and state, read in parallel, with the nodes
    /// that could not be read and where the views disagree, as data. Every planner and check starts here,
    /// and every wait for the cluster to settle looks at successive snapshots.
    /// </summary>
    public sealed partial class ClusterSnapshot
    {
        private readonly Lazy<ClusterTopology> _reference;

        private ClusterSnapshot(IReadOnlyList<NodeSnapshot> nodes, RedisClusterConnection connection)
        {
            Nodes = nodes;
            Connection = connection;
            _reference = new Lazy<ClusterTopology>(ChooseReference);
        }

        public IReadOnlyList<NodeSnapshot> Nodes { get; }
        public RedisClusterConnection Connection { get; }
        public IEnumerable<NodeSnapshot> Reachable => Nodes.Where(n => n.IsReachable && n.View != null);
        public IEnumerable<NodeSnapshot> Unreachable => Nodes.Where(n => !n.IsReachable);

        /// <summary>The view most reachable nodes share (by slot map); the cluster as the majority sees it.</summary>
        public ClusterTopology Reference => _reference.Value;

        public NodeSnapshot Find(NodeEndPoint endPoint) => Nodes.FirstOrDefault(n => n.EndPoint.Equals(endPoint));
        public NodeSnapshot Find(NodeId id) => Nodes.FirstOrDefault(n => n.Id == id);

        /// <summary>True when every reachable node reports the same owner for every slot.</summary>
        public bool SlotMapAgreed => Reachable.Select(n => n.SlotSignature).Distinct().Count() <= 1;

        /// <summary>Nodes whose slot map differs from the reference, with the slots in question.</summary>
        public IReadOnlyList<SlotDisagreement> Disagreements()
        {
            var reference = OwnerBySlot(Reference);
            var result = new List<SlotDisagreement>();
            foreach (var node in Reachable)
            {
                if (node.SlotSignature == Reference.SlotSignature()) continue;
                var owners = OwnerBySlot(node.View);
                var differing = Enumerable.Range(0, HashSlot.SlotCount).Where(s => owners[s] != reference[s]);
                result.Add(new SlotDisagreement(node, new SlotRangeList(SlotRange.FromSlots(differing))));
            }
            return result;
        }

        /// <summary>Who owns each slot in one view (null where uncovered).</summary>
        public static string[] OwnerBySlot(ClusterTopology view)
        {
            var owners = new string[HashSlot.SlotCount];
            foreach (var master in view.Masters)
            {
                foreach (var range in master.Slots)
                {
                    for (int s = range.Start; s <= range.End; s++) owners[s] = master.NodeId;
                }
            }
            return owners;
        }

        private ClusterTopology ChooseReference()
        {
            var views = Reachable.Select(n => n.View).ToList();
            if (views.Count == 0) return new ClusterTopology(null, new RedisClusterNode[0]);
            return views.GroupBy(v => v.SlotSignature()).OrderByDescending(g => g.Count()).First().First();
        }

        /// <summary>Reads every node of the cluster the connection reaches, all at once.</summary>
        public static async Task<ClusterSnapshot> ReadAsync(RedisClusterConnection connection, CancellationToken cancellationToken)
        {
            var topology = await connection.GetTopologyAsync(cancellationToken).ConfigureAwait(false);
            var budget = connection.Settings.ConnectTimeout;
            var read = new Dictionary<NodeEndPoint, Task<NodeSnapshot>>();
            void Start(RedisClusterNode node)
            {
                var endPoint = node.ToEndPoint();
                if (endPoint == null || (node.Flags & NodeFlags.NoAddress) != 0 || read.ContainsKey(endPoint)) return;
                read[endPoint] = NodeSnapshot.ReadAsync(connection, endPoint, node, budget, cancellationToken);
            }

            foreach (var node in topology.Nodes) Start(node);
            // Nodes some view names that the first did not (a node met by one side only) are read too.
            for (int round = 0; round < 3; round++)
            {
                var snapshots = await Task.WhenAll(read.Values).ConfigureAwait(false);
                int before = read.Count;
                foreach (var node in snapshots.Where(s => s.View != null).SelectMany(s => s.View.Nodes)) Start(node);
                if (read.Count == before) break;
            }
            var all = (await Task.WhenAll(read.Values).ConfigureAwait(false)).ToList();
            // Nodes the cluster knows without an address cannot be asked; they are still part of the picture.
            var unaddressed = topology.Nodes.Where(n => n.ToEndPoint() == null || (n.Flags & NodeFlags.NoAddress) != 0);
            return new ClusterSnapshot(all, connection) { NodesWithoutAddress = unaddressed.ToList() };
        }

        /// <summary>Reads exactly the nodes given (say, nodes being made into a cluster), all at once.</summary>
        public static async Task<ClusterSnapshot> ReadAsync(RedisClusterConnection connection, IEnumerable<NodeEndPoint> endPoints, CancellationToken cancellationToken)
        {
            var budget = connection.Settings.ConnectTimeout;
            var all = await Task.WhenAll(endPoints.Select(e => NodeSnapshot.ReadAsync(connection, e, null, budget, cancellationToken))).ConfigureAwait(false);
            return new ClusterSnapshot(all, connection) { NodesWithoutAddress = new RedisClusterNode[0] };
        }

        /// <summary>Nodes the cluster lists without an address (noaddr): known, but impossible to ask.</summary>
        public IReadOnlyList<RedisClusterNode> NodesWithoutAddress { get; private set; }

        // What stands between the cluster and "settled", in words: the conditions the waits combine.

        /// <summary>Nodes that could not be read.</summary>
        public IEnumerable<string> UnreachableProblems() => Unreachable.Select(n => $"{n.EndPoint} cannot be read: {n.Failure.Message}");

        /// <summary>Nodes that do not know all of the others yet (by id), naming whom they miss or still shake hands with.</summary>
        public IEnumerable<string> MeetProblems(IReadOnlyCollection<(NodeId Id, NodeEndPoint EndPoint)> expected)
        {
            foreach (var node in Reachable)
            {
                var missing = expected
                    .Where(e => e.Id != node.Id && !node.View.Nodes.Any(n => n.Id == e.Id && (n.Flags & (NodeFlags.Handshake | NodeFlags.NoAddress)) == 0))
                    .Select(e => e.EndPoint.ToString())
                    .ToList();
                if (missing.Count == 0)
                {
                    // A node learns its own IP from the first peer that talks to it; until then it cannot tell clients.
                    if (!node.Myself.KnowsOwnAddress) yield return $"{node.EndPoint} has not yet learnt its own address from a peer";
                    continue;
                }
                bool shaking = node.View.Nodes.Any(n => (n.Flags & NodeFlags.Handshake) != 0);
                yield return $"{node.EndPoint} has not yet met {string.Join(", ", missing)}{(shaking ? " (handshake pending)" : string.Empty)}";
            }
        }

        /// <summary>Nodes whose slot map differs from the majority's.</summary>
        public IEnumerable<string> AgreementProblems() => Disagreements().Select(d => d.ToString());

        /// <summary>Nodes that do not report cluster_state:ok, or a map that leaves slots uncovered.</summary>
        public IEnumerable<string> StateProblems()
        {
            foreach (var node in Reachable.Where(n => n.ClusterState != "ok"))
            {
                yield return $"{node.EndPoint} reports cluster_state:{node.ClusterState ?? "unknown"}";
            }
            int covered = Reference.CoveredSlotCount;
            if (covered != HashSlot.SlotCount) yield return $"{HashSlot.SlotCount - covered} slots are not covered";
        }

        /// <summary>Nodes that some view flags as failing (fail or fail?): a settled cluster has none.</summary>
        public IEnumerable<string> FailureProblems()
        {
            foreach (var node in Reachable)
            {
                foreach (var failing in node.View.Nodes.Where(n => n.IsFailing))
                {
                    yield return $"{node.EndPoint} flags {(failing.EndPoint.Length > 0 ? failing.EndPoint : failing.Id.Short)} as {((failing.Flags & NodeFlags.Failing) != 0 ? "fail" : "fail?")}";
                }
            }
        }

        /// <summary>Replicas whose link to their master is down or whose first sync is not over: not yet usable copies.</summary>
        public IEnumerable<string> ReplicaSyncProblems()
        {
            foreach (var node in Reachable.Where(n => n.Myself?.Role == NodeRole.Replica))
            {
                if (!node.Replication.IsLinkUp) yield return $"replica {node.EndPoint} has its master link down";
                else if (node.Replication.IsSyncing) yield return $"replica {node.EndPoint} is still in its first sync";
            }
        }

        /// <summary>Views that do not show the given replica relations yet (replica id to master id).</summary>
        public IEnumerable<string> ReplicaRelationProblems(IEnumerable<(NodeId Replica, NodeId Master)> expected)
        {
            var relations = expected.ToList();
            foreach (var node in Reachable)
            {
                int missing = relations.Count(r => node.View.Find(r.Replica)?.MasterNodeId != r.Master || node.View.Find(r.Replica)?.Role != NodeRole.Replica);
                if (missing > 0) yield return $"{node.EndPoint} does not yet see {missing} of {relations.Count} replica(s) attached";
            }
        }
    }
}
