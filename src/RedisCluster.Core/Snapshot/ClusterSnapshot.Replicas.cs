using System.Collections.Generic;

namespace RedisCluster
{
    public sealed partial class ClusterSnapshot
    {
        /// <summary>
        /// Replicas that are not yet usable copies of the master given for each: not replicating it by its own
        /// INFO (master_host/master_port must name the master's announced address, so a replica still linked to
        /// its former master does not pass), link down, or still in the first sync. A replica that reports its
        /// link up to the right master has its data: that is the state a failover can rely on.
        /// </summary>
        public IEnumerable<string> ReplicaLinkProblems(IEnumerable<(NodeId Replica, RedisClusterNode Master)> expected)
        {
            foreach (var (replicaId, master) in expected)
            {
                var node = Find(replicaId);
                if (node == null)
                {
                    yield return $"replica {replicaId.Short} is not among the nodes read";
                    continue;
                }
                if (!node.IsReachable)
                {
                    yield return $"{node.EndPoint} cannot be read: {node.Failure.Message}";
                    continue;
                }
                var replication = node.Replication;
                bool followsMaster = replication.IsReplica && replication.MasterPort == master.Port &&
                    string.Equals(replication.MasterHost, master.Host, System.StringComparison.OrdinalIgnoreCase);
                if (!followsMaster)
                {
                    yield return replication.IsReplica
                        ? $"{node.EndPoint} still replicates {replication.MasterHost}:{replication.MasterPort}, not {master.EndPoint}"
                        : $"{node.EndPoint} does not replicate {master.EndPoint} yet";
                }
                else if (replication.IsSyncing) yield return $"{node.EndPoint} is still in its first sync with {master.EndPoint}";
                else if (!replication.IsLinkUp) yield return $"{node.EndPoint} has its link to {master.EndPoint} down";
            }
        }

        /// <summary>
        /// Refuses to wait for what cannot come: a replica that its own view shows under another master than the one
        /// it was just given. Redis moved it there by replica migration (a master owned slots without a replica,
        /// and the given master had more replicas than cluster-migration-barrier asks for), and keeps it there.
        /// </summary>
        /// <returns>This snapshot, for the next check.</returns>
        public ClusterSnapshot EnsureReplicasStayed(IEnumerable<(NodeId Replica, RedisClusterNode Master)> expected)
        {
            foreach (var (replicaId, master) in expected)
            {
                var myself = Find(replicaId)?.Myself;
                if (myself == null || myself.Role != NodeRole.Replica || !myself.MasterNodeId.HasValue || myself.MasterNodeId == master.Id) continue;
                var other = myself.MasterNodeId.Value;
                string otherName = Find(other)?.EndPoint.ToString() ?? other.Short;
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"Redis moved {myself.EndPoint} from {master.EndPoint} to {otherName} by replica migration: {otherName} owned slots without a replica, " +
                    $"and {master.EndPoint} had more replicas than cluster-migration-barrier asks for. It now replicates {otherName}. " +
                    $"To keep a replica under {master.EndPoint}, give {otherName} a replica of its own first (or set cluster-allow-replica-migration no).",
                    myself.ToEndPoint())
                { ErrorId = "ReplicaMigrated" };
            }
            return this;
        }
    }
}
