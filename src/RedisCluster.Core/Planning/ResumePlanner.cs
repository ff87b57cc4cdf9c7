using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// Plans Invoke-RedisReshard -Resume from the open-slot markers every node gives about itself. Markers that do
    /// not name one move between two masters the cluster lists (two targets for a slot, a peer it has forgotten) are
    /// refused as a whole before anything changes: deciding those is Repair-RedisCluster's work.
    /// </summary>
    public static class ResumePlanner
    {
        public static ResumePlan Plan(ClusterSnapshot snapshot) =>
            Plan(snapshot.Reference, snapshot.Reachable.Select(n => n.Myself).Where(self => self != null).ToList());

        /// <param name="cluster">The view most nodes agree on: it names sources and targets.</param>
        /// <param name="myselves">Each node's line about itself, the only line that shows its markers.</param>
        internal static ResumePlan Plan(ClusterTopology cluster, IReadOnlyList<RedisClusterNode> myselves)
        {
            var moves = SlotMigrator.OpenSlotMoves(myselves);
            var marked = myselves
                .SelectMany(self => self.MigratingSlots.Select(m => m.Slot).Concat(self.ImportingSlots.Select(m => m.Slot)))
                .Distinct();
            var resolvable = moves.Where(m => IsMaster(cluster, m.Source) && IsMaster(cluster, m.Target)).ToList();
            var undecided = marked.Except(resolvable.Select(m => m.Slot)).OrderBy(slot => slot).ToList();
            if (undecided.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"Slot(s) {new SlotRangeList(SlotRange.FromSlots(undecided))} are open with markers that do not name one move " +
                    "between two masters of the cluster (several targets, or a node it no longer lists as a master): -Resume cannot tell " +
                    "where their keys belong. Repair-RedisCluster decides such slots; nothing was changed.")
                { ErrorId = "OpenSlotsNeedRepair" };
            }
            var transfers = resolvable
                .GroupBy(m => (m.Source, m.Target))
                .Select(g => new SlotTransfer(cluster.Find(g.Key.Source), cluster.Find(g.Key.Target), g.Select(m => m.Slot)))
                .OrderBy(t => t.Slots[0].Start)
                .ToList();
            return new ResumePlan(cluster, transfers);
        }

        private static bool IsMaster(ClusterTopology cluster, NodeId id) => cluster.Find(id)?.Role == NodeRole.Master;
    }
}
