using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>What Reset-RedisClusterNode will do to one node.</summary>
    public sealed class ResetNodePlan
    {
        internal ResetNodePlan(NodeEndPoint endPoint, RedisClusterNode node, bool hard, long keyCount, IReadOnlyList<RedisClusterNode> knownNodes)
        {
            EndPoint = endPoint;
            Node = node;
            Hard = hard;
            KeyCount = keyCount;
            KnownNodes = knownNodes;
        }

        /// <summary>Where the node is reached.</summary>
        public NodeEndPoint EndPoint { get; }

        /// <summary>The node as it sees itself before the reset.</summary>
        public RedisClusterNode Node { get; }

        /// <summary>CLUSTER RESET HARD: a new node id and config epoch 0 besides forgetting the cluster.</summary>
        public bool Hard { get; }

        public long KeyCount { get; }

        /// <summary>The other nodes it knows: they keep listing it after the reset until each forgets it.</summary>
        public IReadOnlyList<RedisClusterNode> KnownNodes { get; }

        /// <summary>True when the reset deletes data: a master's keys (flushed first), or a replica's copy (Redis empties a replica it resets).</summary>
        public bool DeletesData => Node.Role == NodeRole.Replica || KeyCount > 0;

        /// <summary>True when the keys must be flushed before CLUSTER RESET, which refuses a master holding keys.</summary>
        public bool FlushesFirst => Node.Role != NodeRole.Replica && KeyCount > 0;

        public string Command => Hard ? "CLUSTER RESET HARD" : "CLUSTER RESET SOFT";

        /// <summary>The question asked before data is deleted (unless -Force).</summary>
        public string DataLossQuestion => Node.Role == NodeRole.Replica
            ? $"{NodeRefusals.Name(Node)} is a replica: the reset deletes its copy of the data ({KeyCount} key(s)). Reset it?"
            : $"{NodeRefusals.Name(Node)} holds {KeyCount} key(s): they are deleted (FLUSHALL) before the reset and cannot be recovered. Delete them and reset it?";

        public override string ToString()
        {
            string role = Node.Role == NodeRole.Replica ? $"replica of {Node.MasterNodeId?.Short}" : "master without slots";
            var parts = new List<string> { $"{Command} on {NodeRefusals.Name(Node)}, a {role}" };
            if (KnownNodes.Count > 0) parts.Add($"it forgets the {KnownNodes.Count} other node(s) it knows, which keep listing it until each forgets it");
            if (DeletesData) parts.Add(FlushesFirst ? $"its {KeyCount} key(s) are deleted first (FLUSHALL)" : $"its copy of the data ({KeyCount} key(s)) is deleted");
            if (Hard) parts.Add("it gets a new node id");
            return string.Join("; ", parts) + ".";
        }
    }

    /// <summary>Pure checks for Reset-RedisClusterNode: a reset never takes slots out of a cluster, and deletes data only when told to.</summary>
    public static class ResetNodePlanner
    {
        /// <param name="nodeView">The node's own CLUSTER NODES.</param>
        /// <param name="keyCount">Keys the node holds.</param>
        /// <param name="deleteData">-DeleteData: a node holding data (a replica always does) may be emptied.</param>
        public static ResetNodePlan Plan(NodeEndPoint endPoint, ClusterTopology nodeView, long keyCount, bool hard, bool deleteData)
        {
            var node = nodeView.Myself;
            if (node.Role == NodeRole.Master)
            {
                // Always refused, -DeleteData or not: Redis would reset such a master and the cluster would lose those slots.
                if (node.SlotCount > 0) throw NodeRefusals.OwnsSlots(node, "resetting it would take them out of the cluster.");
                if (node.MigratingSlots.Count + node.ImportingSlots.Count > 0) throw NodeRefusals.SlotsOpen(node);
            }
            var known = nodeView.Nodes.Where(n => !n.IsMyself && (n.Flags & NodeFlags.Handshake) == 0).ToList();
            var plan = new ResetNodePlan(endPoint, node, hard, keyCount, known);
            if (plan.DeletesData && !deleteData)
            {
                string why = node.Role == NodeRole.Replica
                    ? $"is a replica of {node.MasterNodeId?.Short}: a reset turns it into an empty master, deleting its copy of the data ({keyCount} key(s))"
                    : $"holds {keyCount} key(s), which a reset requires deleting";
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{NodeRefusals.Name(node)} {why}. Add -DeleteData to delete them with the reset; nothing was changed.", endPoint)
                { ErrorId = "NodeHoldsData" };
            }
            return plan;
        }
    }
}
