using System.Collections.Generic;

namespace RedisCluster
{
    /// <summary>A node's INFO replication, as far as cluster administration needs it.</summary>
    public sealed class ReplicationState
    {
        internal ReplicationState(IReadOnlyDictionary<string, string> info)
        {
            IsReplica = info.Get("role") == "slave";
            MasterHost = info.Get("master_host");
            MasterPort = (int)(info.GetInt64("master_port") ?? 0);
            IsLinkUp = info.Get("master_link_status") == "up";
            IsSyncing = info.Get("master_sync_in_progress") == "1";
            Offset = info.GetInt64(IsReplica ? "slave_repl_offset" : "master_repl_offset") ?? 0;
            SecondsSinceMasterContact = info.GetInt64("master_last_io_seconds_ago");
            ConnectedReplicas = (int)(info.GetInt64("connected_slaves") ?? 0);
        }

        public bool IsReplica { get; }
        public string MasterHost { get; }
        public int MasterPort { get; }

        /// <summary>master_link_status:up on a replica.</summary>
        public bool IsLinkUp { get; }

        /// <summary>A replica still in its first (or a full) sync: not yet a usable copy.</summary>
        public bool IsSyncing { get; }

        /// <summary>The replication offset: a replica's processed offset, a master's own.</summary>
        public long Offset { get; }

        public long? SecondsSinceMasterContact { get; }
        public int ConnectedReplicas { get; }

        /// <summary>A replica whose link is up and whose first sync is over.</summary>
        public bool IsInSync => IsReplica && IsLinkUp && !IsSyncing;
    }
}
