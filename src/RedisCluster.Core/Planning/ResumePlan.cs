using System.Collections.Generic;
using System.Text;

namespace RedisCluster
{
    /// <summary>
    /// What Invoke-RedisReshard -Resume finishes: every slot left open (MIGRATING on its source, IMPORTING on its
    /// target) by a move that stopped, moved on to the node its markers name. Derived from the nodes' own markers,
    /// so it needs nothing recorded by the run that stopped.
    /// </summary>
    public sealed class ResumePlan : SlotMovePlan
    {
        internal ResumePlan(ClusterTopology cluster, IReadOnlyList<SlotTransfer> transfers) : base(cluster, transfers)
        {
        }

        public override string ToString()
        {
            if (IsEmpty) return "No slot is open: nothing to resume.";
            var text = new StringBuilder();
            text.AppendLine($"Finish {SlotCount} open {SlotTransfer.SlotWord(SlotCount)} left by a move that stopped:");
            foreach (var transfer in Transfers) text.AppendLine("  " + transfer);
            return text.ToString().TrimEnd();
        }
    }
}
