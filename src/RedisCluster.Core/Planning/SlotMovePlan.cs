using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>The slots one master hands to another in a plan, as ranges.</summary>
    public sealed class SlotTransfer
    {
        internal SlotTransfer(RedisClusterNode source, RedisClusterNode target, IEnumerable<int> slots)
        {
            Source = source.Id;
            Target = target.Id;
            SourceEndPoint = source.EndPoint;
            TargetEndPoint = target.EndPoint;
            SourceName = NodeRefusals.Name(source);
            TargetName = NodeRefusals.Name(target);
            Slots = new SlotRangeList(SlotRange.FromSlots(slots));
        }

        public string SourceId => Source.ToString();
        public string SourceEndPoint { get; }
        public string TargetId => Target.ToString();
        public string TargetEndPoint { get; }

        /// <summary>The slots that move, in ascending ranges.</summary>
        public SlotRangeList Slots { get; }

        public int SlotCount => Slots.SlotCount;

        internal NodeId Source { get; }
        internal NodeId Target { get; }
        internal string SourceName { get; }
        internal string TargetName { get; }

        internal IEnumerable<SlotMove> Moves() => Slots.AllSlots().Select(slot => new SlotMove(slot, Source, Target));

        /// <summary>"127.0.0.1:7000 (07c37dfe) gives 1365 slots: 0-1364": the line of a plan whose target is said once above.</summary>
        internal string DescribeGiving() => $"{SourceName} gives {Slots.SlotCount} {SlotWord(Slots.SlotCount)}: {Slots}";

        /// <summary>"127.0.0.1:7000 (07c37dfe) gives 1365 slots to 127.0.0.1:7003 (0a1b2c3d): 0-1364".</summary>
        public override string ToString() => $"{SourceName} gives {Slots.SlotCount} {SlotWord(Slots.SlotCount)} to {TargetName}: {Slots}";

        internal static string SlotWord(int count) => count == 1 ? "slot" : "slots";
    }

    /// <summary>
    /// What a reshard or a rebalance will move: slots handed from master to master. Planned from one view of the
    /// cluster before anything changes; the executor applies <see cref="Moves"/> and -WhatIf prints the plan.
    /// </summary>
    public abstract class SlotMovePlan
    {
        internal SlotMovePlan(ClusterTopology cluster, IReadOnlyList<SlotTransfer> transfers)
        {
            Cluster = cluster;
            Transfers = transfers;
            Moves = transfers.SelectMany(t => t.Moves()).ToList();
        }

        /// <summary>The hand-overs, one per source and target.</summary>
        public IReadOnlyList<SlotTransfer> Transfers { get; }

        /// <summary>How many slots move in all.</summary>
        public int SlotCount => Moves.Count;

        /// <summary>True when nothing needs to move.</summary>
        public bool IsEmpty => Moves.Count == 0;

        /// <summary>The view the plan was made from: the executor reaches sources and targets through it.</summary>
        internal ClusterTopology Cluster { get; }

        /// <summary>Every slot move, grouped as <see cref="Transfers"/> are and lowest slot first within each.</summary>
        internal IReadOnlyList<SlotMove> Moves { get; }
    }
}
