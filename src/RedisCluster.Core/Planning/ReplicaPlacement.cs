using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// What the shared placement rules say about replicas a change adds or moves: only findings about those
    /// replicas, so a change is not blamed for the placement it found.
    /// </summary>
    internal static class ReplicaPlacement
    {
        /// <summary>A node of a topology as placement sees it, known by its id; its host is the address it announces.</summary>
        public static PlacedNode Of(RedisClusterNode node) =>
            new PlacedNode(node.NodeId, node.EndPoint, node.Host, node.Role == NodeRole.Master, node.MasterId);

        /// <param name="after">Every node as placed once the change is made.</param>
        /// <param name="changedReplicas">Keys of the replicas the change adds or moves.</param>
        public static IEnumerable<string> Warnings(IReadOnlyList<PlacedNode> after, ICollection<string> changedReplicas) =>
            PlacementRules.Evaluate(after)
                .Where(f => f.Problem == PlacementProblem.ReplicaOnMasterHost && changedReplicas.Contains(f.Nodes[0].Key))
                .Select(f => f.Message);

        /// <summary>
        /// Masters that own slots without a working replica, when the given master is to have more than one: Redis's
        /// replica migration (cluster-allow-replica-migration, barrier 1 by default) may then move one of its
        /// replicas, perhaps the new one, to such a master at once. Measured on 7.0: it does for a master that got
        /// slots in a reshard and never had a replica; a master whose last replica was moved away by CLUSTER
        /// REPLICATE is not a target (Redis clears its mark), so the change's own leaving replica is no reason.
        /// </summary>
        /// <param name="joining">Replicas the change gives the master.</param>
        /// <param name="leaving">A replica the change moves away from its present master, if any.</param>
        public static IEnumerable<string> MigrationWarnings(ClusterTopology cluster, RedisClusterNode master, int joining, NodeId? leaving)
        {
            int replicasAfter = cluster.ReplicasOf(master.Id).Count(r => !r.IsFailing && r.Id != leaving) + joining;
            if (replicasAfter < 2) yield break;
            var orphans = cluster.Masters
                .Where(m => m.Id != master.Id && m.SlotCount > 0 && !m.IsFailing && !cluster.ReplicasOf(m.Id).Any(r => !r.IsFailing))
                .Select(m => m.EndPoint)
                .ToList();
            if (orphans.Count == 0) yield break;
            yield return $"{string.Join(", ", orphans)} own(s) slots without a replica: Redis's replica migration may move one of {master.EndPoint}'s " +
                $"{replicasAfter} replicas there at once, the new one too. Give {(orphans.Count == 1 ? "it" : "them")} a replica first to keep this one under {master.EndPoint}.";
        }
    }
}
