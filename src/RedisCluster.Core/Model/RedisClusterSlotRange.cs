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
        public NodeId? MasterId => Master?.NodeId;
        public string MasterEndPoint => Master?.EndPoint;
        public IReadOnlyList<RedisClusterNode> Replicas { get; }
        public IReadOnlyList<string> ReplicaEndPoints => Replicas.Select(r => r.EndPoint).ToList();

        /// <summary>Every slot exactly once, in order: the owned ranges and the gaps between them.</summary>
        public static IReadOnlyList<RedisClusterSlotRange> From(ClusterTopology topology)
        {
            var result = new List<RedisClusterSlotRange>();
            int next = 0;
            foreach (var (range, owner) in topology.SlotOwners())
            {
                if (range.Start > next) result.Add(Uncovered(next, range.Start - 1));
                result.Add(new RedisClusterSlotRange(range, owner, topology.ReplicasOf(owner.NodeId).ToList()));
                next = range.End + 1;
            }
            if (next <= HashSlot.MaxSlot) result.Add(Uncovered(next, HashSlot.MaxSlot));
            return result;
        }

        private static RedisClusterSlotRange Uncovered(int start, int end) =>
            new RedisClusterSlotRange(new SlotRange(start, end), null, new RedisClusterNode[0]);
    }
}
