using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>
    /// Properties every reshard and rebalance plan keeps, on random layouts (2 to 8 masters, slots scattered in up
    /// to 40 runs, some masters empty, replicas): each slot moves at most once, from the master that owns it, to a
    /// master, and the counts come out as planned.
    /// </summary>
    public class SlotPlanPropertyTests
    {
        private static readonly Gen<ClusterTopology> Layouts =
            Gen.Select(Gen.Int[2, 8], Gen.Int[1, HashSlot.MaxSlot].Array[0, 40], Gen.Int[0, 7].Array[41], Gen.Int[0, 3])
                .Select((masters, cuts, owners, replicas) =>
                {
                    var bounds = new[] { 0 }.Concat(cuts.Distinct().OrderBy(c => c)).Concat(new[] { HashSlot.SlotCount }).ToList();
                    var slots = new List<string>[masters];
                    for (int m = 0; m < masters; m++) slots[m] = new List<string>();
                    for (int run = 0; run + 1 < bounds.Count; run++)
                    {
                        slots[owners[run] % masters].Add(new SlotRange(bounds[run], bounds[run + 1] - 1).ToString());
                    }
                    return SlotPlanTestCluster.Of(slots.Select(s => string.Join(" ", s)).ToList(), replicas);
                });

        /// <summary>What every plan keeps; returns the slot counts per master after it.</summary>
        private static Dictionary<string, int> AssertSound(ClusterTopology cluster, SlotMovePlan plan)
        {
            Assert.Equal(plan.Moves.Count, plan.Moves.Select(m => m.Slot).Distinct().Count());
            Assert.All(plan.Moves, m => Assert.Equal(NodeRole.Master, cluster.Find(m.Target).Role));
            Assert.Equal(plan.SlotCount, plan.Transfers.Sum(t => t.SlotCount));
            // CountsAfter checks, move by move, that the source owns the slot it gives.
            var after = SlotPlanTestCluster.CountsAfter(cluster, plan);
            Assert.Equal(HashSlot.SlotCount, after.Values.Sum());
            return after;
        }

        [Fact]
        public void Reshard_ByCount_MovesExactlyTheCount_LowestSlotsOfEachSource()
        {
            Gen.Select(Layouts, Gen.Int[0, 7], Gen.Int[1, HashSlot.SlotCount]).Sample((cluster, targetIndex, wanted) =>
            {
                var masters = cluster.Masters.ToList();
                var target = masters[targetIndex % masters.Count];
                int available = HashSlot.SlotCount - target.SlotCount;
                if (available == 0) return;
                int count = 1 + (wanted - 1) % available;
                var plan = ReshardPlanner.Plan(cluster, target.NodeId, null, count);

                var after = AssertSound(cluster, plan);
                Assert.Equal(count, plan.SlotCount);
                Assert.Equal(target.SlotCount + count, after[target.NodeId]);
                Assert.All(plan.Transfers, t =>
                {
                    Assert.Equal(target.NodeId, t.TargetId);
                    var source = cluster.Find(NodeId.Parse(t.SourceId));
                    Assert.Equal(source.Slots.AllSlots().Take(t.SlotCount), t.Slots.AllSlots());
                });
            });
        }

        [Fact]
        public void Reshard_ByCount_SharesAreProportional_WithinOneSlot()
        {
            Gen.Select(Layouts, Gen.Int[1, HashSlot.SlotCount]).Sample((cluster, wanted) =>
            {
                var target = cluster.Masters.First();
                int available = HashSlot.SlotCount - target.SlotCount;
                if (available == 0) return;
                int count = 1 + (wanted - 1) % available;
                var plan = ReshardPlanner.Plan(cluster, target.NodeId, null, count);
                foreach (var source in cluster.Masters.Where(m => m != target && m.SlotCount > 0))
                {
                    double share = (double)count / available * source.SlotCount;
                    int given = plan.Transfers.Where(t => t.SourceId == source.NodeId).Sum(t => t.SlotCount);
                    Assert.InRange(given, (int)share - 1, (int)share + 2);
                }
            });
        }

        [Fact]
        public void Reshard_NamedSlots_EndUpOnTheTarget_OthersStay()
        {
            Gen.Select(Layouts, Gen.Int[0, 7], Gen.Int[0, HashSlot.MaxSlot].Array[1, 300]).Sample((cluster, targetIndex, slots) =>
            {
                var masters = cluster.Masters.ToList();
                var target = masters[targetIndex % masters.Count];
                var named = new SlotRangeList(SlotRange.FromSlots(slots));
                var plan = ReshardPlanner.Plan(cluster, target.NodeId, null, named);

                AssertSound(cluster, plan);
                Assert.Equal(named.AllSlots().Where(s => !target.OwnsSlot(s)), plan.Moves.Select(m => m.Slot).OrderBy(s => s));
                Assert.Equal(named.AllSlots().Where(target.OwnsSlot), plan.AlreadyOnTarget.AllSlots());
            });
        }

        [Fact]
        public void Rebalance_BringsEveryMasterToItsPlannedShare_MovingOnlyWhatMust()
        {
            var weights = Gen.OneOf(0.0, 0.5, 1.0, 1.0, 1.0, 2.0, 3.0).Array[8];
            Gen.Select(Layouts, weights, Gen.Bool, Gen.OneOf(0.5, 2.0, 10.0)).Sample((cluster, weightOf, useEmpty, threshold) =>
            {
                var masters = cluster.Masters.ToList();
                var given = masters.Select((m, i) => new KeyValuePair<string, double>(m.NodeId, weightOf[i])).ToList();
                var involved = masters.Where((m, i) => useEmpty || m.SlotCount > 0).ToList();
                if (involved.Sum(m => weightOf[masters.IndexOf(m)]) == 0) return;
                var plan = RebalancePlanner.Plan(cluster, given, threshold, useEmpty);

                var after = AssertSound(cluster, plan);
                Assert.Equal(plan.IsWithinThreshold, plan.Shares.All(s => s.Deviation <= threshold));
                if (plan.IsWithinThreshold)
                {
                    Assert.True(plan.IsEmpty);
                    return;
                }
                foreach (var share in plan.Shares)
                {
                    Assert.Equal(share.PlannedSlotCount, after[share.NodeId]);
                    if (share.Weight == 0) Assert.Equal(0, share.PlannedSlotCount);
                    else Assert.InRange(share.PlannedSlotCount - share.ExpectedSlotCount, 0, plan.Shares.Count);
                }
                // Fewest moves: no master both gives and takes, so exactly the slots over the planned shares move.
                Assert.Empty(plan.Transfers.Select(t => t.SourceId).Intersect(plan.Transfers.Select(t => t.TargetId)));
                Assert.Equal(plan.Shares.Sum(s => System.Math.Max(0, s.SlotCount - s.PlannedSlotCount)), plan.SlotCount);
                Assert.All(masters.Where(m => !involved.Contains(m)), m => Assert.Equal(0, after[m.NodeId]));
            });
        }
    }
}
