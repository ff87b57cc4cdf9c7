using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// Plans Invoke-RedisReshard from one view of the cluster (the one most nodes agree on): a number of slots taken
    /// from sources as redis-cli's reshard takes them, or named slots taken from whoever owns them. Every refusal
    /// comes before anything is planned, so nothing is changed.
    /// </summary>
    public static class ReshardPlanner
    {
        /// <summary>
        /// Moves <paramref name="slotCount"/> slots to the target. Without sources, every other master that owns
        /// slots gives, in proportion to what it owns; each source gives its lowest slots.
        /// </summary>
        /// <param name="sources">Ids or unique prefixes of the masters to take slots from; null or empty for all others.</param>
        public static ReshardPlan Plan(ClusterTopology cluster, string target, IEnumerable<string> sources, int slotCount)
        {
            if (slotCount <= 0 || slotCount > HashSlot.SlotCount)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-SlotCount {slotCount} is no number of slots to move: give 1 to {HashSlot.SlotCount}; nothing was changed.")
                { ErrorId = "InvalidSlotCount" };
            }
            var targetNode = SlotPlanning.ResolveMaster(cluster, target, "-TargetNodeId");
            var sourceNodes = ResolveSources(cluster, targetNode, sources)
                ?? SlotPlanning.MastersInManagerOrder(cluster).Where(m => m.Id != targetNode.Id && m.SlotCount > 0).ToList();
            int owned = sourceNodes.Sum(s => s.SlotCount);
            if (slotCount > owned)
            {
                string who = sources == null || !sources.Any() ? "the other masters" : "the source masters";
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-SlotCount {slotCount} is more than {who} own ({owned}); nothing was changed.", targetNode.ToEndPoint())
                { ErrorId = "NotEnoughSlots" };
            }
            var transfers = SlotPlanning.Shares(sourceNodes, slotCount)
                .Where(share => share.Count > 0)
                .Select(share => new SlotTransfer(share.Source, targetNode, share.Source.Slots.AllSlots().Take(share.Count)))
                .OrderBy(transfer => transfer.Slots[0].Start)
                .ToList();
            return new ReshardPlan(cluster, targetNode, transfers, SlotRangeList.Empty);
        }

        /// <summary>
        /// Moves the named slots to the target, each from the master that owns it now. Slots the target owns already
        /// are skipped, so a run that stopped part way is completed by the same command.
        /// </summary>
        /// <param name="sources">When given, every slot to move must belong to one of these masters.</param>
        public static ReshardPlan Plan(ClusterTopology cluster, string target, IEnumerable<string> sources, SlotRangeList slots)
        {
            if (slots == null || slots.SlotCount == 0)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, "-Slot names no slot to move; nothing was changed.")
                { ErrorId = "InvalidSlotCount" };
            }
            var targetNode = SlotPlanning.ResolveMaster(cluster, target, "-TargetNodeId");
            var sourceNodes = ResolveSources(cluster, targetNode, sources);
            var ownerOf = SlotPlanning.OwnerTable(cluster);
            var owners = slots.AllSlots().Select(slot => (Slot: slot, Owner: ownerOf[slot])).ToList();
            var uncovered = owners.Where(o => o.Owner == null).Select(o => o.Slot).ToList();
            if (uncovered.Count > 0) throw SlotPlanning.Uncovered(uncovered, "a slot without an owner has no keys to move.");
            var moving = owners.Where(o => o.Owner.Id != targetNode.Id).ToList();
            if (sourceNodes != null)
            {
                var elsewhere = moving.Where(o => !sourceNodes.Any(s => s.Id == o.Owner.Id)).ToList();
                if (elsewhere.Count > 0)
                {
                    throw new RedisClusterException(FailureKind.InvalidArgument,
                        $"Slot(s) {new SlotRangeList(SlotRange.FromSlots(elsewhere.Select(o => o.Slot)))} belong to " +
                        $"{string.Join(", ", elsewhere.Select(o => NodeRefusals.Name(o.Owner)).Distinct())}, not to a -SourceNodeId master; " +
                        "name their owner as a source or leave -SourceNodeId out; nothing was changed.", targetNode.ToEndPoint())
                    { ErrorId = "SlotNotOnSource" };
                }
            }
            var transfers = moving
                .GroupBy(o => o.Owner.Id)
                .Select(group => new SlotTransfer(group.First().Owner, targetNode, group.Select(o => o.Slot)))
                .OrderBy(transfer => transfer.Slots[0].Start)
                .ToList();
            var alreadyOnTarget = new SlotRangeList(SlotRange.FromSlots(owners.Where(o => o.Owner.Id == targetNode.Id).Select(o => o.Slot)));
            return new ReshardPlan(cluster, targetNode, transfers, alreadyOnTarget);
        }

        /// <summary>The named source masters, each once; null when none are named.</summary>
        private static IReadOnlyList<RedisClusterNode> ResolveSources(ClusterTopology cluster, RedisClusterNode target, IEnumerable<string> sources)
        {
            if (sources == null || !sources.Any()) return null;
            var resolved = new List<RedisClusterNode>();
            foreach (string source in sources)
            {
                var node = SlotPlanning.ResolveMaster(cluster, source, "-SourceNodeId");
                if (node.Id == target.Id)
                {
                    throw new RedisClusterException(FailureKind.InvalidArgument,
                        $"-SourceNodeId names the target {NodeRefusals.Name(node)}: a master cannot give slots to itself; nothing was changed.", node.ToEndPoint())
                    { ErrorId = "SourceIsTarget" };
                }
                if (node.SlotCount == 0)
                {
                    throw new RedisClusterException(FailureKind.InvalidArgument,
                        $"-SourceNodeId names {NodeRefusals.Name(node)}, which owns no slots to give; nothing was changed.", node.ToEndPoint())
                    { ErrorId = "SourceOwnsNoSlots" };
                }
                if (!resolved.Any(r => r.Id == node.Id)) resolved.Add(node);
            }
            // In the order typed, as redis-cli keeps --cluster-from: among sources owning as many slots, the first
            // named rounds its share up.
            return resolved;
        }
    }
}
