using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RedisCluster
{
    /// <summary>One master in a rebalance: its weight, the slots it owns, the share its weight gives it and what it ends with.</summary>
    public sealed class RebalanceShare
    {
        internal RebalanceShare(RedisClusterNode master, double weight, int expectedSlotCount, int plannedSlotCount, double deviation)
        {
            NodeId = master.NodeId;
            EndPoint = master.EndPoint;
            Name = NodeRefusals.Name(master);
            Weight = weight;
            SlotCount = master.SlotCount;
            ExpectedSlotCount = expectedSlotCount;
            PlannedSlotCount = plannedSlotCount;
            Deviation = deviation;
        }

        public string NodeId { get; }
        public string EndPoint { get; }
        public double Weight { get; }

        /// <summary>Slots it owns now.</summary>
        public int SlotCount { get; }

        /// <summary>Its weighted share, 16384 / total weight x weight rounded down, as redis-cli computes it.</summary>
        public int ExpectedSlotCount { get; }

        /// <summary>Slots it owns once the plan is applied (its share, give or take the slots rounding leaves over).</summary>
        public int PlannedSlotCount { get; }

        /// <summary>
        /// How far it is off its share in percent, measured as redis-cli measures it: |100 - 100 x expected / owned|.
        /// Infinity for a master without slots that should own more than one.
        /// </summary>
        public double Deviation { get; }

        internal string Name { get; }

        internal string DescribeDeviation() => double.IsInfinity(Deviation)
            ? $"{Name} owns no slots and should own {ExpectedSlotCount}"
            : $"{Name} is {Deviation.ToString("0.##", CultureInfo.InvariantCulture)}% off its share ({SlotCount} slots, share {ExpectedSlotCount})";

        public override string ToString() =>
            $"{Name} weight {Weight.ToString("0.##", CultureInfo.InvariantCulture)}: {SlotCount} -> {PlannedSlotCount} slots";
    }

    /// <summary>
    /// What Invoke-RedisRebalance will move to bring every master to its weighted share of the slots, or why nothing
    /// moves: no master is further off its share than the threshold.
    /// </summary>
    public sealed class RebalancePlan : SlotMovePlan
    {
        internal RebalancePlan(ClusterTopology cluster, double threshold, IReadOnlyList<RebalanceShare> shares,
            IReadOnlyList<RedisClusterNode> emptyMastersLeftOut, bool isWithinThreshold, IReadOnlyList<SlotTransfer> transfers)
            : base(cluster, transfers)
        {
            Threshold = threshold;
            Shares = shares;
            EmptyMastersLeftOut = emptyMastersLeftOut.Select(m => m.NodeId).ToList();
            EmptyMastersLeftOutNames = emptyMastersLeftOut.Select(NodeRefusals.Name).ToList();
            IsWithinThreshold = isWithinThreshold;
            LargestDeviation = shares.OrderByDescending(s => s.Deviation).FirstOrDefault();
        }

        /// <summary>The percent a master may be off its share before the cluster is rebalanced.</summary>
        public double Threshold { get; }

        /// <summary>The masters that take part, with their shares.</summary>
        public IReadOnlyList<RebalanceShare> Shares { get; }

        /// <summary>Ids of masters without slots that get no share because -UseEmptyMasters was not given.</summary>
        public IReadOnlyList<string> EmptyMastersLeftOut { get; }

        /// <summary>True when no master is further off its share than the threshold: nothing moves.</summary>
        public bool IsWithinThreshold { get; }

        /// <summary>The master furthest off its share.</summary>
        public RebalanceShare LargestDeviation { get; }

        private IReadOnlyList<string> EmptyMastersLeftOutNames { get; }

        public override string ToString()
        {
            var text = new StringBuilder();
            string threshold = Threshold.ToString(CultureInfo.InvariantCulture) + "%";
            string total = Shares.Sum(s => s.Weight).ToString("0.##", CultureInfo.InvariantCulture);
            if (IsWithinThreshold)
            {
                text.AppendLine($"No rebalancing needed: every master is within the {threshold} threshold of its share; the furthest, {LargestDeviation.DescribeDeviation()}.");
            }
            else if (IsEmpty)
            {
                text.AppendLine($"Nothing moves: {LargestDeviation.DescribeDeviation()}, over the {threshold} threshold, but no master is short of its share in whole slots.");
            }
            else
            {
                text.AppendLine($"Rebalance {SlotCount} {SlotTransfer.SlotWord(SlotCount)} across {Shares.Count} masters (total weight {total}): {LargestDeviation.DescribeDeviation()}, over the {threshold} threshold.");
                foreach (var transfer in Transfers) text.AppendLine("  " + transfer);
                text.AppendLine("Shares:");
                foreach (var share in Shares) text.AppendLine("  " + share);
            }
            if (EmptyMastersLeftOutNames.Count > 0)
            {
                text.AppendLine($"Masters without slots left out (-UseEmptyMasters gives them a share): {string.Join(", ", EmptyMastersLeftOutNames)}.");
            }
            return text.ToString().TrimEnd();
        }
    }
}
