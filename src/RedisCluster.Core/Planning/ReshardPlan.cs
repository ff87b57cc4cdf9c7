using System.Collections.Generic;
using System.Text;

namespace RedisCluster
{
    /// <summary>What Invoke-RedisReshard will move: slots from one or more sources to one target master.</summary>
    public sealed class ReshardPlan : SlotMovePlan
    {
        internal ReshardPlan(ClusterTopology cluster, RedisClusterNode target, IReadOnlyList<SlotTransfer> transfers, SlotRangeList alreadyOnTarget)
            : base(cluster, transfers)
        {
            Target = target.Id;
            TargetEndPoint = target.EndPoint;
            TargetName = NodeRefusals.Name(target);
            AlreadyOnTarget = alreadyOnTarget;
        }

        public string TargetId => Target.ToString();
        public string TargetEndPoint { get; }

        /// <summary>Slots named with -Slot that the target owns already: skipped, so running the same command again completes it.</summary>
        public SlotRangeList AlreadyOnTarget { get; }

        internal NodeId Target { get; }
        private string TargetName { get; }

        public override string ToString()
        {
            var text = new StringBuilder();
            if (IsEmpty)
            {
                text.Append($"Nothing to move to {TargetName}");
            }
            else
            {
                text.AppendLine($"Move {SlotCount} {SlotTransfer.SlotWord(SlotCount)} to {TargetName} from {Transfers.Count} master(s):");
                foreach (var transfer in Transfers) text.AppendLine("  " + transfer.DescribeGiving());
            }
            if (AlreadyOnTarget.Count > 0)
            {
                text.Append(IsEmpty ? ": " : "  ").Append($"already on the target, skipped: {AlreadyOnTarget}");
            }
            return text.ToString().TrimEnd();
        }
    }
}
