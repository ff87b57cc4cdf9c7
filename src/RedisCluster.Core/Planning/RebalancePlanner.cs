using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// Plans Invoke-RedisRebalance with redis-cli's rebalance arithmetic (clusterManagerCommandRebalance): each master's
    /// share is 16384 / total weight x its weight, rounded down; nothing moves unless some master is more than the
    /// threshold off; then slots go from the masters most over their share to those most under, two pointers meeting
    /// in the middle, each giver handing over its lowest slots. That moves exactly the slots that must move.
    /// </summary>
    public static class RebalancePlanner
    {
        public const double DefaultThreshold = 2;

        /// <param name="cluster">The view most nodes agree on.</param>
        /// <param name="weights">Weights by node id, unique id prefix or endpoint ("host:port"); a master not named weighs 1, weight 0 empties it.</param>
        /// <param name="threshold">Percent a master may be off its share before anything moves; above 0.</param>
        /// <param name="useEmptyMasters">Give masters without slots a share; without it they are left out, as redis-cli leaves them.</param>
        public static RebalancePlan Plan(ClusterTopology cluster, IEnumerable<KeyValuePair<string, double>> weights, double threshold = DefaultThreshold, bool useEmptyMasters = false)
        {
            // redis-cli's threshold 0 silently turns the check off, so nothing ever moves; a positive percent says what is meant.
            if (double.IsNaN(threshold) || double.IsInfinity(threshold) || threshold <= 0)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-Threshold {threshold} is no percentage: give a number above 0 (the default is {DefaultThreshold}); nothing was changed.")
                { ErrorId = "InvalidThreshold" };
            }
            var weightOf = ResolveWeights(cluster, weights);
            var owners = SlotPlanning.OwnerTable(cluster);
            var uncovered = Enumerable.Range(0, HashSlot.SlotCount).Where(slot => owners[slot] == null).ToList();
            if (uncovered.Count > 0) throw SlotPlanning.Uncovered(uncovered, "shares cannot be worked out while slots are missing.");

            var masters = SlotPlanning.MastersInManagerOrder(cluster);
            var involved = masters.Where(m => useEmptyMasters || m.SlotCount > 0).ToList();
            var leftOut = masters.Except(involved).ToList();
            // Single precision throughout, as redis-cli sums and divides its weights in floats: in a double, weights
            // 0.1, 0.2 and 0.3 would give the last 8191 slots rather than redis-cli's 8192.
            float totalWeight = 0;
            foreach (var master in involved) totalWeight += (float)Weight(weightOf, master);
            if (totalWeight <= 0)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    "Every master taking part weighs 0: at least one must keep a weight above 0 to own the slots; nothing was changed.")
                { ErrorId = "NoWeight" };
            }

            var expected = involved.ToDictionary(m => m.Id, m => (int)((float)HashSlot.SlotCount / totalWeight * (float)Weight(weightOf, m)));
            var deviation = involved.ToDictionary(m => m.Id, m => Deviation(m.SlotCount, expected[m.Id]));
            bool withinThreshold = involved.All(m => deviation[m.Id] <= threshold);
            var balance = involved.ToDictionary(m => m.Id, m => withinThreshold ? 0 : m.SlotCount - expected[m.Id]);
            if (!withinThreshold) HandOutRoundingRemainder(involved.Where(m => Weight(weightOf, m) > 0).ToList(), balance);

            var transfers = withinThreshold ? new List<SlotTransfer>() : PairGiversWithTakers(involved, balance);
            var shares = involved
                .Select(m => new RebalanceShare(m, Weight(weightOf, m), expected[m.Id], m.SlotCount - balance[m.Id], deviation[m.Id]))
                .ToList();
            return new RebalancePlan(cluster, threshold, shares, leftOut, withinThreshold, transfers);
        }

        /// <summary>The weight as given (what the plan shows); the arithmetic takes it as a float, as redis-cli does.</summary>
        private static double Weight(IReadOnlyDictionary<NodeId, double> weightOf, RedisClusterNode master) =>
            weightOf.TryGetValue(master.Id, out double weight) ? weight : 1;

        /// <summary>
        /// redis-cli's measure: <c>fabs(100 - (100.0 * expected / slots_count))</c>, in percent of what the master owns.
        /// A master without slots has no such percent; redis-cli counts it as off when its share is more than one slot.
        /// </summary>
        private static double Deviation(int owned, int expected)
        {
            if (owned > 0) return Math.Abs(100 - (100.0 * expected / owned));
            return expected > 1 ? double.PositiveInfinity : 0;
        }

        /// <summary>
        /// Shares are rounded down, so the givers' surplus can exceed the takers' deficit. As redis-cli does, masters
        /// not above their share take one slot more each, in manager order, pass after pass, until the two match.
        /// Unlike redis-cli, a master weighing 0 takes none: weight 0 means empty. And float shares can all come out
        /// a slot low (weights 0.1, 0.05 and 0.01 give 10239, 5119 and 1023): when no master is at or under its share,
        /// where redis-cli loops forever, the givers keep the slots left over.
        /// </summary>
        private static void HandOutRoundingRemainder(IReadOnlyList<RedisClusterNode> weighted, Dictionary<NodeId, int> balance)
        {
            int surplus = balance.Values.Sum();
            var takers = weighted.Where(m => balance[m.Id] <= 0).ToList();
            var givers = weighted.Where(m => balance[m.Id] > 0).ToList();
            while (surplus > 0 && takers.Count > 0)
            {
                foreach (var master in takers)
                {
                    if (surplus == 0) break;
                    balance[master.Id]--;
                    surplus--;
                }
            }
            foreach (var master in givers)
            {
                int kept = Math.Min(surplus, balance[master.Id]);
                balance[master.Id] -= kept;
                surplus -= kept;
            }
        }

        /// <summary>
        /// redis-cli's two pointers: masters by balance, most under their share first; the first taker and the last
        /// giver exchange as many slots as the smaller of their balances, and whichever is settled gives way to the next.
        /// A giver hands over its lowest slots, and after giving to one taker its lowest remaining ones to the next.
        /// </summary>
        private static List<SlotTransfer> PairGiversWithTakers(IReadOnlyList<RedisClusterNode> involved, Dictionary<NodeId, int> balance)
        {
            var remaining = involved.ToDictionary(m => m.Id, m => balance[m.Id]);
            var byBalance = involved.OrderBy(m => remaining[m.Id]).ToList();
            var given = involved.ToDictionary(m => m.Id, m => 0);
            var transfers = new List<SlotTransfer>();
            int taker = 0, giver = byBalance.Count - 1;
            while (taker < giver)
            {
                var to = byBalance[taker];
                var from = byBalance[giver];
                int count = Math.Min(-remaining[to.Id], remaining[from.Id]);
                if (count > 0)
                {
                    transfers.Add(new SlotTransfer(from, to, from.Slots.AllSlots().Skip(given[from.Id]).Take(count)));
                    given[from.Id] += count;
                    remaining[to.Id] += count;
                    remaining[from.Id] -= count;
                }
                if (remaining[to.Id] >= 0) taker++;
                if (remaining[from.Id] <= 0) giver--;
            }
            return transfers;
        }

        /// <summary>Weights by master id; refuses a name that is no master, a master named twice and a weight that is no number of 0 or more.</summary>
        private static IReadOnlyDictionary<NodeId, double> ResolveWeights(ClusterTopology cluster, IEnumerable<KeyValuePair<string, double>> weights)
        {
            var resolved = new Dictionary<NodeId, double>();
            foreach (var entry in weights ?? Enumerable.Empty<KeyValuePair<string, double>>())
            {
                var master = SlotPlanning.EnsureMaster(FindNamed(cluster, entry.Key), "-Weight");
                // Above float's range redis-cli's arithmetic would divide infinities.
                if (double.IsNaN(entry.Value) || entry.Value < 0 || entry.Value > float.MaxValue)
                {
                    throw new RedisClusterException(FailureKind.InvalidArgument,
                        $"-Weight gives {NodeRefusals.Name(master)} the weight {entry.Value}: a weight is a number of 0 or more (0 empties the master); nothing was changed.",
                        master.ToEndPoint())
                    { ErrorId = "InvalidWeight" };
                }
                if (resolved.ContainsKey(master.Id))
                {
                    throw new RedisClusterException(FailureKind.InvalidArgument,
                        $"-Weight names {NodeRefusals.Name(master)} twice ('{entry.Key}' is the second): give each master one weight; nothing was changed.",
                        master.ToEndPoint())
                    { ErrorId = "WeightGivenTwice" };
                }
                resolved.Add(master.Id, entry.Value);
            }
            return resolved;
        }

        /// <summary>The node a -Weight key names: "host:port" as the cluster announces it, or an id or unique prefix.</summary>
        private static RedisClusterNode FindNamed(ClusterTopology cluster, string name)
        {
            string text = (name ?? string.Empty).Trim();
            if (!text.Contains(":")) return cluster.Resolve(text);
            if (!NodeEndPoint.TryParse(text, out var endPoint, out string error))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, $"-Weight key {error}") { ErrorId = "InvalidEndPoint" };
            }
            return cluster.Find(endPoint) ?? throw new RedisClusterException(FailureKind.NotFound,
                $"No node of the cluster has the endpoint {endPoint} (as seen from {cluster.Source}); give it as the cluster announces it, or the node id.")
            { ErrorId = "NodeNotFound" };
        }
    }
}
