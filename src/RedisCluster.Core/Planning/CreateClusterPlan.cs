using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RedisCluster
{
    /// <summary>
    /// A node offered for a new cluster, as inspected: where it runs, its id, its bus port and, when it has
    /// already been through part of a creation, its own view of the cluster and how many keys it holds.
    /// </summary>
    public sealed class CandidateNode
    {
        public CandidateNode(NodeEndPoint endPoint, string hostKey, NodeId nodeId = default, int busPort = 0, ClusterTopology currentView = null, long keyCount = 0)
        {
            EndPoint = endPoint;
            HostKey = hostKey;
            NodeId = nodeId;
            BusPort = busPort > 0 ? busPort : endPoint.DefaultBusPort;
            CurrentView = currentView;
            KeyCount = keyCount;
        }

        public NodeEndPoint EndPoint { get; }
        public NodeId NodeId { get; }

        /// <summary>The node's own CLUSTER NODES when inspected; null when not known (planning on paper).</summary>
        public ClusterTopology CurrentView { get; }

        public long KeyCount { get; }

        /// <summary>A node that knows no other and owns no slot: nothing of a cluster yet.</summary>
        public bool IsFresh => CurrentView == null || (CurrentView.Nodes.Count(n => (n.Flags & NodeFlags.Handshake) == 0) <= 1 && (CurrentView.Myself?.SlotCount ?? 0) == 0);

        /// <summary>The cluster bus port the node listens on, for CLUSTER MEET.</summary>
        public int BusPort { get; }

        /// <summary>The resolved address of the host: nodes with equal keys share a machine.</summary>
        public string HostKey { get; }

        public override string ToString() => EndPoint.ToString();
    }

    public sealed class PlannedMaster
    {
        public PlannedMaster(CandidateNode node, SlotRange slots, IReadOnlyList<CandidateNode> replicas)
        {
            Node = node;
            Slots = slots;
            Replicas = replicas;
        }

        public CandidateNode Node { get; }
        public SlotRange Slots { get; }
        public IReadOnlyList<CandidateNode> Replicas { get; }
    }

    /// <summary>What New-RedisCluster will do: which nodes become masters with which slots, and who replicates whom.</summary>
    public sealed class CreateClusterPlan
    {
        public CreateClusterPlan(IReadOnlyList<PlannedMaster> masters, IReadOnlyList<string> warnings)
        {
            Masters = masters;
            Warnings = warnings;
        }

        public IReadOnlyList<PlannedMaster> Masters { get; }

        /// <summary>True when some nodes already carry part of this very plan: an earlier run that stopped is finished.</summary>
        public bool Resumes => AllNodes.Any(n => !n.IsFresh);

        /// <summary>Placement compromises the node set forced, such as a replica on its master's host.</summary>
        public IReadOnlyList<string> Warnings { get; }

        public IEnumerable<CandidateNode> AllNodes => Masters.SelectMany(m => new[] { m.Node }.Concat(m.Replicas));

        public override string ToString()
        {
            var text = new StringBuilder();
            text.AppendLine($"{(Resumes ? "Finish creating" : "Create")} a cluster of {Masters.Count} masters and {Masters.Sum(m => m.Replicas.Count)} replicas:");
            foreach (var master in Masters)
            {
                text.AppendLine($"  master {master.Node.EndPoint,-22} slots {master.Slots} ({master.Slots.Count})");
                foreach (var replica in master.Replicas)
                {
                    text.AppendLine($"    replica {replica.EndPoint}");
                }
            }
            foreach (var warning in Warnings) text.AppendLine("  warning: " + warning);
            return text.ToString().TrimEnd();
        }
    }
}
