using System;
using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>ReshardPlanner: redis-cli's shares, named slots and every refusal, on captured and built views.</summary>
    public class ReshardPlannerTests
    {
        private static RedisClusterException Refusal(Action plan) => Assert.Throws<RedisClusterException>(plan);

        private static string Describe(ReshardPlan plan) => string.Join(" ", plan.Transfers.Select(t => $"{t.SourceId.Substring(0, 8)}:{t.Slots}"));

        [Fact]
        public void SeedExample_4096ToAFourthMaster_ComesOutAsRedisCliMovesThem()
        {
            var cluster = SlotPlanTestCluster.SeedWithEmptyMaster();
            var plan = ReshardPlanner.Plan(cluster, SlotPlanTestCluster.EmptyMasterId.Substring(0, 8), null, 4096);

            Assert.Equal(new[] { "0-1364", "5461-6826", "10923-12287" }, plan.Transfers.Select(t => t.Slots.ToString()));
            Assert.Equal(new[] { Ids.N1, Ids.N2, Ids.N3 }, plan.Transfers.Select(t => t.SourceId));
            Assert.All(plan.Transfers, t => Assert.Equal(SlotPlanTestCluster.EmptyMasterId, t.TargetId));
            Assert.Equal(4096, plan.SlotCount);
            Assert.Equal("127.0.0.1:21007", plan.TargetEndPoint);
            Assert.Equal(
                "Move 4096 slots to 127.0.0.1:21007 (0a0b0c0d) from 3 master(s):\n" +
                "  127.0.0.1:21001 (e23404f0) gives 1365 slots: 0-1364\n" +
                "  127.0.0.1:21002 (c2445dca) gives 1366 slots: 5461-6826\n" +
                "  127.0.0.1:21003 (4c75e964) gives 1365 slots: 10923-12287",
                plan.ToString().Replace("\r\n", "\n"));
        }

        [Fact]
        public void Moves_AreTheTransfersSlotBySlot()
        {
            var plan = ReshardPlanner.Plan(SlotPlanTestCluster.SeedWithEmptyMaster(), SlotPlanTestCluster.EmptyMasterId, null, 3);
            // 3 of 16384: the largest (21002) rounds 1.0001 up to 2, the others 0.9999 down to 0; the first of them
            // (21001, which answered) gives one more because rounding down left the count short.
            Assert.Equal(new[] { 0, 5461, 5462 }, plan.Moves.Select(m => m.Slot));
            Assert.Equal(new[] { Ids.N1, Ids.N2, Ids.N2 }, plan.Moves.Select(m => m.Source.ToString()));
            Assert.All(plan.Moves, m => Assert.Equal(SlotPlanTestCluster.EmptyMasterId, m.Target.ToString()));
        }

        [Theory]
        // redis-cli: sorted by slot count, most first; ceil for the first, floor for the rest.
        [InlineData(new[] { "0-9999", "10000-16383", "" }, 1000, "00000001:0-610 00000002:10000-10388")]
        [InlineData(new[] { "0-8191", "8192-16383", "" }, 1, "00000001:0")]
        [InlineData(new[] { "0-8191", "8192-16383", "" }, 3, "00000001:0-1 00000002:8192")]
        // In floats 10 / 78 x 39 is 5.0000005: the first source rounds it up to 6, so the second gives the 4 still wanted.
        [InlineData(new[] { "0-38", "39-77", "78-16383" }, 10, "00000001:0-5 00000002:39-42")]
        [InlineData(new[] { "0-99 200-299", "100-199 300-16383", "" }, 200, "00000001:0-1 00000002:100-199,300-397")]
        public void Shares_FollowRedisCliRounding(string[] slots, int count, string expected)
        {
            var cluster = SlotPlanTestCluster.Of(slots);
            Assert.Equal(expected, Describe(ReshardPlanner.Plan(cluster, SlotPlanTestCluster.MasterId(2), null, count)));
        }

        [Fact]
        public void FourEqualSources_AskedFor10_Give10_WhereRedisCliWouldMove9()
        {
            // 2.5 each: redis-cli rounds the first up and the rest down, 3+2+2+2. The first rounded down gives one more.
            var cluster = SlotPlanTestCluster.Of("0-4095", "4096-8191", "8192-12287", "12288-16383", "");
            var plan = ReshardPlanner.Plan(cluster, SlotPlanTestCluster.MasterId(4), null, 10);
            Assert.Equal("00000001:0-2 00000002:4096-4098 00000003:8192-8193 00000004:12288-12289", Describe(plan));
        }

        [Fact]
        public void NamedSources_OnlyThoseGive_InProportion()
        {
            var cluster = SlotPlanTestCluster.SeedWithEmptyMaster();
            var plan = ReshardPlanner.Plan(cluster, SlotPlanTestCluster.EmptyMasterId, new[] { Ids.N3.Substring(0, 10), Ids.N1 }, 100);
            // Equal counts: the first named (21003) rounds up.
            Assert.Equal(new[] { "0-49", "10923-10972" }, plan.Transfers.Select(t => t.Slots.ToString()));
        }

        [Fact]
        public void NamedSource_GivenTwice_CountsOnce()
        {
            var plan = ReshardPlanner.Plan(SlotPlanTestCluster.SeedWithEmptyMaster(), SlotPlanTestCluster.EmptyMasterId, new[] { Ids.N2, Ids.N2.Substring(0, 8) }, 10);
            Assert.Equal("5461-5470", Assert.Single(plan.Transfers).Slots.ToString());
        }

        [Fact]
        public void DefaultSources_LeaveOutEmptyMastersAndReplicas()
        {
            var cluster = SlotPlanTestCluster.Of(new[] { "0-16383", "", "" }, replicas: 2);
            var plan = ReshardPlanner.Plan(cluster, SlotPlanTestCluster.MasterId(1), null, 16384);
            Assert.Equal("00000001:0-16383", Describe(plan));
        }

        [Fact]
        public void ExplicitSlots_MoveFromTheirOwners_SkippingThoseOnTheTarget()
        {
            var cluster = SlotPlanTestCluster.Of("0-99 200-299", "100-199", "300-16383");
            var plan = ReshardPlanner.Plan(cluster, SlotPlanTestCluster.MasterId(1), null, SlotRangeList.Parse("50-150,298-301"));
            Assert.Equal("00000001:50-99,298-299 00000003:300-301", Describe(plan));
            Assert.Equal("100-150", plan.AlreadyOnTarget.ToString());
            Assert.Equal(54, plan.SlotCount);
            Assert.EndsWith("  already on the target, skipped: 100-150", plan.ToString());
        }

        [Fact]
        public void ExplicitSlots_AllOnTheTarget_IsAnEmptyPlanThatSaysSo()
        {
            var cluster = SlotPlanTestCluster.SeedWithEmptyMaster();
            var plan = ReshardPlanner.Plan(cluster, Ids.N2, null, SlotRangeList.Parse("5461-5470"));
            Assert.True(plan.IsEmpty);
            Assert.Empty(plan.Transfers);
            Assert.Equal("Nothing to move to 127.0.0.1:21002 (c2445dca): already on the target, skipped: 5461-5470", plan.ToString());
        }

        [Fact]
        public void ExplicitSlots_WithSources_MustBelongToThem()
        {
            var cluster = SlotPlanTestCluster.SeedWithEmptyMaster();
            var plan = ReshardPlanner.Plan(cluster, SlotPlanTestCluster.EmptyMasterId, new[] { Ids.N1 }, SlotRangeList.Parse("0-9"));
            Assert.Equal(Ids.N1, Assert.Single(plan.Transfers).SourceId);

            var e = Refusal(() => ReshardPlanner.Plan(cluster, SlotPlanTestCluster.EmptyMasterId, new[] { Ids.N1 }, SlotRangeList.Parse("0-9,5461")));
            Assert.Equal("SlotNotOnSource", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
            Assert.StartsWith("Slot(s) 5461 belong to 127.0.0.1:21002 (c2445dca), not to a -SourceNodeId master", e.Message);
        }

        [Fact]
        public void ExplicitSlots_Uncovered_AreRefused()
        {
            var cluster = SlotPlanTestCluster.Of("0-99", "200-16383");
            var e = Refusal(() => ReshardPlanner.Plan(cluster, SlotPlanTestCluster.MasterId(1), null, SlotRangeList.Parse("90-110")));
            Assert.Equal("SlotsUncovered", e.ErrorId);
            Assert.Equal(FailureKind.InvalidState, e.Kind);
            Assert.StartsWith("No master owns slot(s) 100-110 (11 in all)", e.Message);
        }

        [Theory]
        [InlineData("ffffffffff", "NodeNotFound", FailureKind.NotFound)]
        [InlineData("xyz", "InvalidNodeId", FailureKind.InvalidArgument)]
        [InlineData(Ids.N4, "NotAMaster", FailureKind.InvalidArgument)]
        public void BadTarget_IsRefused(string target, string errorId, FailureKind kind)
        {
            var cluster = SlotPlanTestCluster.SeedWithEmptyMaster();
            var e = Refusal(() => ReshardPlanner.Plan(cluster, target, null, 100));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(kind, e.Kind);
            var slots = Refusal(() => ReshardPlanner.Plan(cluster, target, null, SlotRangeList.Parse("0")));
            Assert.Equal(errorId, slots.ErrorId);
        }

        [Fact]
        public void ReplicaTarget_MessageNamesItsMaster()
        {
            var e = Refusal(() => ReshardPlanner.Plan(SlotPlanTestCluster.SeedWithEmptyMaster(), Ids.N4, null, 100));
            Assert.Equal("-TargetNodeId names 127.0.0.1:21004 (1be83e51), which is a replica of e23404f0: only masters own slots. Get-RedisClusterNode -Role Master lists them; nothing was changed.", e.Message);
        }

        [Theory]
        [InlineData(Ids.N1, "SourceIsTarget")]
        [InlineData(Ids.N5, "NotAMaster")]
        [InlineData(SlotPlanTestCluster.EmptyMasterId, "SourceOwnsNoSlots")]
        [InlineData("ffffffffff", "NodeNotFound")]
        public void BadSource_IsRefused(string source, string errorId)
        {
            var cluster = SlotPlanTestCluster.SeedWithEmptyMaster();
            var e = Refusal(() => ReshardPlanner.Plan(cluster, Ids.N1, new[] { Ids.N2, source }, 100));
            Assert.Equal(errorId, e.ErrorId);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-5)]
        [InlineData(16385)]
        public void SlotCountOutOfRange_IsRefused(int count)
        {
            var e = Refusal(() => ReshardPlanner.Plan(SlotPlanTestCluster.SeedWithEmptyMaster(), Ids.N1, null, count));
            Assert.Equal("InvalidSlotCount", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        }

        [Fact]
        public void NoSlotsNamed_IsRefused()
        {
            var e = Refusal(() => ReshardPlanner.Plan(SlotPlanTestCluster.SeedWithEmptyMaster(), Ids.N1, null, SlotRangeList.Empty));
            Assert.Equal("InvalidSlotCount", e.ErrorId);
        }

        [Fact]
        public void MoreSlotsThanTheSourcesOwn_IsRefused()
        {
            var cluster = SlotPlanTestCluster.SeedWithEmptyMaster();
            var e = Refusal(() => ReshardPlanner.Plan(cluster, Ids.N1, new[] { Ids.N2 }, 5463));
            Assert.Equal("NotEnoughSlots", e.ErrorId);
            Assert.Equal("-SlotCount 5463 is more than the source masters own (5462); nothing was changed.", e.Message);
            var all = Refusal(() => ReshardPlanner.Plan(cluster, Ids.N1, null, 16384 - 5461 + 1));
            Assert.Equal("-SlotCount 10924 is more than the other masters own (10923); nothing was changed.", all.Message);
            // Exactly what they own is fine: the target ends with everything.
            Assert.Equal(10923, ReshardPlanner.Plan(cluster, Ids.N1, null, 10923).SlotCount);
        }
    }
}
