using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>What the reshard and rebalance planners share: naming masters, refusing bad ones, and redis-cli's slot shares.</summary>
    internal static class SlotPlanning
    {
        /// <summary>
        /// The masters in the order redis-cli lists them: the node the view was read from first, then the others in
        /// CLUSTER NODES order. Ties (equal slot counts, equal balances) keep this order, so a plan made from the same
        /// node's view comes out as redis-cli's from that node.
        /// </summary>
        public static IReadOnlyList<RedisClusterNode> MastersInManagerOrder(ClusterTopology cluster) =>
            cluster.Masters.OrderBy(m => m.IsMyself ? 0 : 1).ToList();

        /// <summary>The master an id or unique prefix names; refuses unknown text (as Resolve does) and any node that is not a master.</summary>
        public static RedisClusterNode ResolveMaster(ClusterTopology cluster, string idOrPrefix, string parameter) =>
            EnsureMaster(cluster.Resolve(idOrPrefix), parameter);

        public static RedisClusterNode EnsureMaster(RedisClusterNode node, string parameter)
        {
            if (node.Role == NodeRole.Master) return node;
            string what = node.Role == NodeRole.Replica
                ? $"a replica of {node.MasterNodeId?.Short}"
                : "not a master yet (still in its handshake)";
            throw new RedisClusterException(FailureKind.InvalidArgument,
                $"{parameter} names {NodeRefusals.Name(node)}, which is {what}: only masters own slots. Get-RedisClusterNode -Role Master lists them; nothing was changed.",
                node.ToEndPoint())
            { ErrorId = "NotAMaster" };
        }

        /// <summary>Every slot's owner in this view (null where none), read in one pass rather than a search per slot.</summary>
        public static RedisClusterNode[] OwnerTable(ClusterTopology cluster)
        {
            var owners = new RedisClusterNode[HashSlot.SlotCount];
            foreach (var (range, owner) in cluster.SlotOwners())
            {
                for (int slot = range.Start; slot <= range.End; slot++) owners[slot] = owner;
            }
            return owners;
        }

        public static RedisClusterException Uncovered(IEnumerable<int> slots, string consequence)
        {
            var ranges = new SlotRangeList(SlotRange.FromSlots(slots));
            return new RedisClusterException(FailureKind.InvalidState,
                $"No master owns slot(s) {ranges} ({ranges.SlotCount} in all): {consequence} Repair-RedisCluster assigns uncovered slots; nothing was changed.")
            { ErrorId = "SlotsUncovered" };
        }

        /// <summary>
        /// How many slots each source gives when <paramref name="slotCount"/> are taken from several, as redis-cli's
        /// clusterManagerComputeReshardTable computes it: sources by slot count, most first; each gives
        /// <c>(float)slotCount / total * owned</c>, rounded up for the first and down for the others, and no more
        /// than is still wanted. Those roundings can leave the sum short of what was asked (four equal sources asked
        /// for 10 give 3+2+2+2): redis-cli then moves fewer slots than asked; here the sources that were rounded down
        /// give one more each, in the same order, until the count is met.
        /// </summary>
        /// <param name="sources">Masters owning slots, in manager order (ties keep it).</param>
        public static IReadOnlyList<(RedisClusterNode Source, int Count)> Shares(IReadOnlyList<RedisClusterNode> sources, int slotCount)
        {
            int total = sources.Sum(s => s.SlotCount);
            if (slotCount > total) throw new ArgumentOutOfRangeException(nameof(slotCount), slotCount, "The sources own fewer slots than asked.");
            var sorted = sources.OrderByDescending(s => s.SlotCount).ToList();
            var shares = new float[sorted.Count];
            var counts = new int[sorted.Count];
            int planned = 0;
            for (int i = 0; i < sorted.Count; i++)
            {
                // Single precision on purpose: redis-cli computes the share in a float, and a double rounds some
                // shares the other way (10 of 78 slots from a source of 39 is 5.0000005 in a float: 6 rounded up).
                shares[i] = (float)slotCount / total * sorted[i].SlotCount;
                int rounded = (int)(i == 0 ? Math.Ceiling(shares[i]) : Math.Floor(shares[i]));
                counts[i] = Math.Min(Math.Min(rounded, sorted[i].SlotCount), slotCount - planned);
                planned += counts[i];
            }
            for (int i = 1; i < sorted.Count && planned < slotCount; i++)
            {
                if (counts[i] >= shares[i] || counts[i] >= sorted[i].SlotCount) continue;
                counts[i]++;
                planned++;
            }
            // Only float error can leave slots wanted now; any source with slots to spare covers them.
            for (int i = 0; i < sorted.Count && planned < slotCount; i++)
            {
                int extra = Math.Min(sorted[i].SlotCount - counts[i], slotCount - planned);
                counts[i] += extra;
                planned += extra;
            }
            return sorted.Select((source, i) => (source, counts[i])).ToList();
        }
    }
}
