using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>A run of slots with the master serving it and that master's replicas; no master when uncovered.</summary>
    public sealed class RedisClusterSlotRange
    {
        private RedisClusterSlotRange(SlotRange range, RedisClusterNode master, IReadOnlyList<RedisClusterNode> replicas)
        {
            Range = range;
            Master = master;
            Replicas = replicas;
        }

        public SlotRange Range { get; }
        public int Start => Range.Start;
        public int End => Range.End;
        public int SlotCount => Range.Count;
        public bool IsCovered => Master != null;
        public RedisClusterNode Master { get; }
        public string MasterId => Master?.NodeId;
        public string MasterEndPoint => Master?.EndPoint;
        public IReadOnlyList<RedisClusterNode> Replicas { get; }
        public EndPointList ReplicaEndPoints => new EndPointList(Replicas.Select(r => r.EndPoint));

        /// <summary>The connection the slot map was read through, so the range pipes on.</summary>
        public RedisClusterConnection Connection => Master?.Connection;

        /// <summary>
        /// Every slot exactly once, in order: the owned ranges and the gaps between them; with <paramref name="only"/>,
        /// just the parts of them that fall inside those slots.
        /// </summary>
        public static IReadOnlyList<RedisClusterSlotRange> From(ClusterTopology topology, IReadOnlyList<SlotRange> only = null)
        {
            var all = new List<RedisClusterSlotRange>();
            int next = 0;
            foreach (var (range, owner) in topology.SlotOwners())
            {
                if (range.Start > next) all.Add(Uncovered(next, range.Start - 1));
                all.Add(new RedisClusterSlotRange(range, owner, topology.ReplicasOf(owner.Id).ToList()));
                next = range.End + 1;
            }
            if (next <= HashSlot.MaxSlot) all.Add(Uncovered(next, HashSlot.MaxSlot));
            if (only == null) return all;
            var wanted = SlotRange.Normalize(only);
            return all.SelectMany(r => wanted
                    .Where(w => w.Start <= r.End && w.End >= r.Start)
                    .Select(w => new RedisClusterSlotRange(new SlotRange(Math.Max(w.Start, r.Start), Math.Min(w.End, r.End)), r.Master, r.Replicas)))
                .ToList();
        }

        private static RedisClusterSlotRange Uncovered(int start, int end) =>
            new RedisClusterSlotRange(new SlotRange(start, end), null, new RedisClusterNode[0]);
    }
}
