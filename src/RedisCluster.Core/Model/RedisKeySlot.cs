namespace RedisCluster
{
    /// <summary>Where a key lives: its slot, the hash tag that decided it, and the owner when known.</summary>
    public sealed class RedisKeySlot
    {
        public RedisKeySlot(string key, ClusterTopology topology)
        {
            Key = key;
            Slot = HashSlot.Of(key);
            HashTag = HashSlot.HashTagOf(key);
            var owner = topology?.OwnerOf(Slot);
            NodeId = owner?.NodeId;
            EndPoint = owner?.EndPoint;
            Connection = owner?.Connection;
        }

        /// <summary>The connection the owner was found through, when there was one.</summary>
        public RedisClusterConnection Connection { get; }

        public string Key { get; }
        public int Slot { get; }

        /// <summary>The part of the key that was hashed, or null when the whole key was.</summary>
        public string HashTag { get; }

        /// <summary>The id of the master serving the slot, when a connection was at hand.</summary>
        public string NodeId { get; }
        public string EndPoint { get; }
    }
}
