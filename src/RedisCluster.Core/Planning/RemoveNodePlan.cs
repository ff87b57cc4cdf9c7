using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RedisCluster
{
    /// <summary>A replica of the node being removed, and the master it is to replicate instead.</summary>
    public sealed class ReplicaMove
    {
        internal ReplicaMove(RedisClusterNode replica, RedisClusterNode master)
        {
            Replica = replica.Id;
            Master = master.Id;
            ReplicaEndPoint = replica.EndPoint;
            MasterEndPoint = master.EndPoint;
            ReplicaName = NodeRefusals.Name(replica);
            MasterName = NodeRefusals.Name(master);
        }

        public string ReplicaId => Replica.ToString();
        public string ReplicaEndPoint { get; }
        public string MasterId => Master.ToString();
        public string MasterEndPoint { get; }

        internal NodeId Replica { get; }
        internal NodeId Master { get; }
        private string ReplicaName { get; }
        private string MasterName { get; }

        public override string ToString() => $"{ReplicaName} replicates {MasterName}";
    }

    /// <summary>
    /// What Remove-RedisClusterNode will do, in order: drain the node's slots to the other masters (the moves of
    /// this <see cref="SlotMovePlan"/>), re-point its replicas to other masters, have every other node forget it
    /// (CLUSTER FORGET), and reset it (CLUSTER RESET HARD) so it can join a cluster again. A node that does not
    /// answer is only forgotten.
    /// </summary>
    public sealed class RemoveNodePlan : SlotMovePlan
    {
        internal RemoveNodePlan(ClusterTopology cluster, RedisClusterNode node, bool isReachable, IReadOnlyList<SlotTransfer> drain, SlotRangeList unfinishedSlots,
            IReadOnlyList<ReplicaMove> replicaMoves, IReadOnlyList<RedisClusterNode> forgetters, IReadOnlyList<string> warnings)
            : base(cluster, drain)
        {
            Node = node;
            IsReachable = isReachable;
            UnfinishedSlots = unfinishedSlots;
            ReplicaMoves = replicaMoves;
            ForgottenBy = forgetters.Select(f => f.EndPoint).ToList();
            Forgetters = forgetters;
            Warnings = warnings;
            NodeName = NodeRefusals.Name(node);
        }

        /// <summary>The node to remove, as the cluster lists it before the removal.</summary>
        public RedisClusterNode Node { get; }

        public string NodeId => Node.NodeId;
        public string EndPoint => Node.EndPoint;

        /// <summary>False for a node that did not answer: it is only forgotten, not drained or reset.</summary>
        public bool IsReachable { get; }

        /// <summary>
        /// Slots of the drain that a move which stopped left open (an earlier removal of the node stopped by a key
        /// conflict or Ctrl+C, a killed process): they are finished towards the master they were moving to.
        /// </summary>
        public SlotRangeList UnfinishedSlots { get; }

        /// <summary>Replicas of the node that move to another master before it is forgotten (none may keep replicating it).</summary>
        public IReadOnlyList<ReplicaMove> ReplicaMoves { get; }

        /// <summary>The nodes that are sent CLUSTER FORGET, by endpoint.</summary>
        public IReadOnlyList<string> ForgottenBy { get; }

        /// <summary>True when the node is reset (CLUSTER RESET HARD) at the end, so it can join a cluster again.</summary>
        public bool ResetsNode => IsReachable;

        /// <summary>What may go wrong later though the removal itself can go ahead.</summary>
        public IReadOnlyList<string> Warnings { get; }

        internal IReadOnlyList<RedisClusterNode> Forgetters { get; }
        internal string NodeName { get; }

        public override string ToString()
        {
            var text = new StringBuilder();
            string what = Node.Role == NodeRole.Replica ? $"replica of {Node.MasterNodeId?.Short}" : Node.SlotCount > 0 ? $"master of {Node.SlotCount} slot(s)" : "master without slots";
            text.AppendLine($"Remove {NodeName}, a {what}{(IsReachable ? string.Empty : " that does not answer")}:");
            int step = 1;
            if (!IsEmpty)
            {
                text.AppendLine($"  {step++}. Move its {SlotCount} {SlotTransfer.SlotWord(SlotCount)} with their keys to {Transfers.Count} other master(s):");
                foreach (var transfer in Transfers) text.AppendLine($"       {transfer.TargetName} takes {transfer.SlotCount} {SlotTransfer.SlotWord(transfer.SlotCount)}: {transfer.Slots}");
                if (UnfinishedSlots.SlotCount > 0)
                {
                    text.AppendLine($"       ({SlotTransfer.SlotWord(UnfinishedSlots.SlotCount)} {UnfinishedSlots}, left open by a move that stopped, {(UnfinishedSlots.SlotCount == 1 ? "is" : "are")} finished towards the master {(UnfinishedSlots.SlotCount == 1 ? "it was" : "they were")} moving to)");
                }
            }
            if (ReplicaMoves.Count > 0)
            {
                text.AppendLine($"  {step++}. Re-point its replica(s) (CLUSTER REPLICATE), as none may replicate a forgotten node (one the drain already moved to a master placed as well stays there):");
                foreach (var move in ReplicaMoves) text.AppendLine($"       {move}");
            }
            text.AppendLine(ForgottenBy.Count == 0
                ? $"  {step++}. No other node answers to be told to forget it."
                : $"  {step++}. CLUSTER FORGET {NodeId} on {ForgottenBy.Count} node(s) at once: {string.Join(", ", ForgottenBy)}.");
            text.AppendLine(ResetsNode
                ? $"  {step}. CLUSTER RESET HARD on {EndPoint} (its copy of the data is deleted, it gets a new id) so it can join a cluster again."
                : $"  {step}. It is not reset, as it does not answer: reset it (Reset-RedisClusterNode) before starting it again.");
            foreach (var warning in Warnings) text.AppendLine($"  Warning: {warning}");
            return text.ToString().TrimEnd();
        }
    }
}
