using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>
    /// RebalancePlanner. The expected moves of the layouts below are what redis-cli 7.0.15 printed for the same
    /// layouts with <c>--cluster rebalance --cluster-simulate</c> (checked by hand on four real nodes).
    /// </summary>
    public class RebalancePlannerTests
    {
        private static RedisClusterException Refusal(Action plan) => Assert.Throws<RedisClusterException>(plan);

        private static Dictionary<string, double> Weights(params (int Master, double Weight)[] weights) =>
            weights.ToDictionary(w => SlotPlanTestCluster.MasterId(w.Master), w => w.Weight);

        /// <summary>"7002>7003:1366": redis-cli's "Moving 1366 slots from 127.0.0.1:7002 to 127.0.0.1:7003", by port.</summary>
        private static string Describe(RebalancePlan plan) =>
            string.Join(" ", plan.Transfers.Select(t => $"{t.SourceEndPoint.Substring(10)}>{t.TargetEndPoint.Substring(10)}:{t.SlotCount}"));

        private static readonly string[] Even = { "0-5460", "5461-10922", "10923-16383", "" };

        [Fact]
        public void EvenCluster_IsWithinThreshold_AndSaysWhy()
        {
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of(Even), null);
            Assert.True(plan.IsWithinThreshold);
            Assert.True(plan.IsEmpty);
            Assert.Equal(3, plan.Shares.Count);
            Assert.Equal(SlotPlanTestCluster.MasterId(1), plan.LargestDeviation.NodeId);
            Assert.Equal(new[] { SlotPlanTestCluster.MasterId(3) }, plan.EmptyMastersLeftOut);
            Assert.Equal(
                "No rebalancing needed: every master is within the 2% threshold of its share; the furthest, 127.0.0.1:7001 (00000002) is 0.02% off its share (5462 slots, share 5461).\n" +
                "Masters without slots left out (-UseEmptyMasters gives them a share): 127.0.0.1:7003 (00000004).",
                plan.ToString().Replace("\r\n", "\n"));
        }

        [Fact]
        public void UseEmptyMasters_GivesTheEmptyOneAQuarter_LikeTheSeedReshard()
        {
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of(Even), null, useEmptyMasters: true);
            Assert.False(plan.IsWithinThreshold);
            Assert.Equal("7001>7003:1366 7002>7003:1365 7000>7003:1365", Describe(plan));
            Assert.Equal(new[] { "5461-6826", "10923-12287", "0-1364" }, plan.Transfers.Select(t => t.Slots.ToString()));
            Assert.All(plan.Shares, s => Assert.Equal(4096, s.PlannedSlotCount));
            Assert.True(double.IsPositiveInfinity(plan.LargestDeviation.Deviation));
            Assert.StartsWith("Rebalance 4096 slots across 4 masters (total weight 4): 127.0.0.1:7003 (00000004) owns no slots and should own 4096, over the 2% threshold.\n" +
                "  127.0.0.1:7001 (00000002) gives 1366 slots to 127.0.0.1:7003 (00000004): 5461-6826\n", plan.ToString().Replace("\r\n", "\n"));
            Assert.Contains("  127.0.0.1:7003 (00000004) weight 1: 0 -> 4096 slots", plan.ToString());
        }

        [Fact]
        public void DoubleWeight_TakesHalf()
        {
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of(Even), Weights((0, 2)));
            Assert.Equal("7001>7000:1366 7002>7000:1365", Describe(plan));
            Assert.Equal(new[] { 8192, 4096, 4096 }, plan.Shares.Select(s => s.PlannedSlotCount));
        }

        [Fact]
        public void WeightZero_EmptiesTheMaster_LowestSlotsFirst()
        {
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of(Even), Weights((2, 0)));
            Assert.Equal("7002>7000:2731 7002>7001:2730", Describe(plan));
            // The giver hands its lowest slots to the first taker, and its lowest remaining ones to the next.
            Assert.Equal(new[] { "10923-13653", "13654-16383" }, plan.Transfers.Select(t => t.Slots.ToString()));
            Assert.Equal(0, plan.Shares[2].PlannedSlotCount);
        }

        [Fact]
        public void RoundingRemainder_GoesToTheFirstMasterNotOverItsShare()
        {
            // Shares 5461 x 3 = 16383: one slot over, which the first taker in manager order (7001) receives.
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of("0-7999", "8000-11999", "12000-16383", ""), null);
            Assert.Equal("7000>7001:1462 7000>7002:1077", Describe(plan));
            Assert.Equal(new[] { 5461, 5462, 5461 }, plan.Shares.Select(s => s.PlannedSlotCount));
            Assert.Equal(new[] { 5461, 5461, 5461 }, plan.Shares.Select(s => s.ExpectedSlotCount));
        }

        [Theory]
        [InlineData(2, false, "7000>7002:77 7000>7001:62")]
        [InlineData(3, true, "")]
        public void Threshold_DecidesWhetherAnythingMoves(double threshold, bool within, string moves)
        {
            // 5600 slots against a share of 5461 is 2.48% off. The slot rounding leaves over goes to the first taker in
            // CLUSTER NODES order, here 7001 (redis-cli asked a node that listed 7002 first and moved 78 and 61).
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of("0-5599", "5600-10999", "11000-16383", ""), null, threshold);
            Assert.Equal(within, plan.IsWithinThreshold);
            Assert.Equal(moves, Describe(plan));
            Assert.Equal(SlotPlanTestCluster.MasterId(0), plan.LargestDeviation.NodeId);
            Assert.Equal(2.48, plan.LargestDeviation.Deviation, 2);
            Assert.Equal(threshold, plan.Threshold);
        }

        [Fact]
        public void FractionalWeights_AndAnEmptyMaster_AsRedisCli()
        {
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of("0-999", "1000-1999", "2000-16383", ""), Weights((3, 3), (1, 0.7), (0, 1.5)), useEmptyMasters: true);
            Assert.Equal("7002>7003:7928 7002>7000:2964 7002>7001:850", Describe(plan));
        }

        [Fact]
        public void Shares_AreWorkedOutInFloats_AsRedisCli()
        {
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of(Even), Weights((0, 0.1), (1, 0.2), (2, 0.3)));
            Assert.Equal(new[] { 2730, 5461, 8192 }, plan.Shares.Select(s => s.ExpectedSlotCount));
            Assert.Equal("7000>7002:2731 7001>7002:1", Describe(plan));
            Assert.Equal(new[] { 0.1, 0.2, 0.3 }, plan.Shares.Select(s => s.Weight));
        }

        [Fact]
        public void TinyWeight_AsRedisCli()
        {
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of("0-99", "100-199", "200-16383", ""), Weights((1, 0.001)), useEmptyMasters: true);
            Assert.Equal("7002>7003:5460 7002>7000:5265 7001>7000:95", Describe(plan));
        }

        [Fact]
        public void WeightedEmptyMasterWithoutUseEmptyMasters_IsLeftOut_AsRedisCli()
        {
            var plan = RebalancePlanner.Plan(SlotPlanTestCluster.Of("0-4000", "4001-4100", "4101-16000", "16001-16383"), Weights((3, 5), (1, 2.5)));
            Assert.Equal("7002>7003:8241 7002>7001:1935 7000>7001:2277", Describe(plan));
        }

        [Fact]
        public void Weights_ByPrefixAndByEndPoint()
        {
            var cluster = SlotPlanTestCluster.Of(Even);
            var byPrefix = RebalancePlanner.Plan(cluster, new Dictionary<string, double> { [SlotPlanTestCluster.MasterId(0).Substring(0, 8)] = 2 });
            var byEndPoint = RebalancePlanner.Plan(cluster, new Dictionary<string, double> { ["127.0.0.1:7000"] = 2 });
            Assert.Equal("7001>7000:1366 7002>7000:1365", Describe(byPrefix));
            Assert.Equal(Describe(byPrefix), Describe(byEndPoint));
            Assert.Equal(2, byEndPoint.Shares[0].Weight);
        }

        [Fact]
        public void SharesAllOneSlotLow_GiversKeepTheRest_WhereRedisCliLoopsForever()
        {
            // In floats, 16384 / 0.16 x 0.1 is 10239.99: shares 10239, 5119 and 1023 leave every master one slot over its
            // share and none under it. redis-cli 7.0.15 hangs on this layout with --cluster-threshold 0.001.
            var cluster = SlotPlanTestCluster.Of("0-10239", "10240-15359", "15360-16383");
            var plan = RebalancePlanner.Plan(cluster, Weights((0, 0.1), (1, 0.05), (2, 0.01)), 0.001);
            Assert.Equal(new[] { 10239, 5119, 1023 }, plan.Shares.Select(s => s.ExpectedSlotCount));
            Assert.False(plan.IsWithinThreshold);
            Assert.True(plan.IsEmpty);
            Assert.Equal(new[] { 10240, 5120, 1024 }, plan.Shares.Select(s => s.PlannedSlotCount));
            Assert.StartsWith("Nothing moves: 127.0.0.1:7002 (00000003) is 0.1% off its share (1024 slots, share 1023), over the 0.001% threshold, but no master is short of its share in whole slots.", plan.ToString());
        }

        [Theory]
        [InlineData("ffffffffff", 1, "NodeNotFound", FailureKind.NotFound)]
        [InlineData("127.0.0.1:7999", 1, "NodeNotFound", FailureKind.NotFound)]
        [InlineData("127.0.0.1:", 1, "InvalidEndPoint", FailureKind.InvalidArgument)]
        [InlineData("00000100", 1, "NotAMaster", FailureKind.InvalidArgument)]
        [InlineData("00000001", -1, "InvalidWeight", FailureKind.InvalidArgument)]
        [InlineData("00000001", double.NaN, "InvalidWeight", FailureKind.InvalidArgument)]
        [InlineData("00000001", 1e39, "InvalidWeight", FailureKind.InvalidArgument)]
        public void BadWeight_IsRefused(string name, double weight, string errorId, FailureKind kind)
        {
            var cluster = SlotPlanTestCluster.Of(Even, replicas: 1);
            var e = Refusal(() => RebalancePlanner.Plan(cluster, new Dictionary<string, double> { [name] = weight }));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(kind, e.Kind);
        }

        [Fact]
        public void SameMasterWeighedTwice_IsRefused()
        {
            var weights = new[] { new KeyValuePair<string, double>("00000001", 2), new KeyValuePair<string, double>("127.0.0.1:7000", 3) };
            var e = Refusal(() => RebalancePlanner.Plan(SlotPlanTestCluster.Of(Even), weights));
            Assert.Equal("WeightGivenTwice", e.ErrorId);
            Assert.Equal("-Weight names 127.0.0.1:7000 (00000001) twice ('127.0.0.1:7000' is the second): give each master one weight; nothing was changed.", e.Message);
        }

        [Fact]
        public void EveryWeightZero_IsRefused()
        {
            var e = Refusal(() => RebalancePlanner.Plan(SlotPlanTestCluster.Of(Even), Weights((0, 0), (1, 0), (2, 0))));
            Assert.Equal("NoWeight", e.ErrorId);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        [InlineData(double.NaN)]
        public void ThresholdNotAbove0_IsRefused(double threshold)
        {
            var e = Refusal(() => RebalancePlanner.Plan(SlotPlanTestCluster.Of(Even), null, threshold));
            Assert.Equal("InvalidThreshold", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        }

        [Fact]
        public void UncoveredSlots_AreRefused()
        {
            var e = Refusal(() => RebalancePlanner.Plan(SlotPlanTestCluster.Of("0-5460", "5461-10922", "10923-16000"), null));
            Assert.Equal("SlotsUncovered", e.ErrorId);
            Assert.StartsWith("No master owns slot(s) 16001-16383 (383 in all)", e.Message);
        }
    }
}
