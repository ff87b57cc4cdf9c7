using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Xunit;

namespace RedisCluster.Tests
{
    public class CreateClusterPlannerTests
    {
        private static List<CandidateNode> Nodes(params (string Host, int Port)[] nodes) =>
            nodes.Select(n => new CandidateNode(new NodeEndPoint(n.Host, n.Port), n.Host)).ToList();

        private static List<CandidateNode> TwoPerHost(int hosts) =>
            Enumerable.Range(1, hosts).SelectMany(h => new[] { ($"10.0.0.{h}", 6379), ($"10.0.0.{h}", 6479) }).Select(n => new CandidateNode(new NodeEndPoint(n.Item1, n.Item2), n.Item1)).ToList();

        [Theory]
        [InlineData(3, "0-5460 5461-10922 10923-16383")]
        [InlineData(1, "0-16383")]
        [InlineData(4, "0-4095 4096-8191 8192-12287 12288-16383")]
        [InlineData(5, "0-3276 3277-6553 6554-9829 9830-13106 13107-16383")]
        public void SplitSlots_MatchesRedisCli(int masters, string expected)
        {
            Assert.Equal(expected, string.Join(" ", CreateClusterPlanner.SplitSlots(masters)));
        }

        [Fact]
        public void SplitSlots_CoversEverySlotOnceForAnyMasterCount()
        {
            Gen.Int[1, 2000].Sample(masters =>
            {
                var ranges = CreateClusterPlanner.SplitSlots(masters);
                Assert.Equal(masters, ranges.Count);
                Assert.Equal(0, ranges[0].Start);
                Assert.Equal(HashSlot.MaxSlot, ranges[ranges.Count - 1].End);
                for (int i = 1; i < ranges.Count; i++) Assert.Equal(ranges[i - 1].End + 1, ranges[i].Start);
                Assert.True(ranges.Max(r => r.Count) - ranges.Min(r => r.Count) <= 1);
            });
        }

        [Fact]
        public void ThreeHostsTwoNodesEach_OneMasterPerHost_ReplicasElsewhere()
        {
            var plan = CreateClusterPlanner.Plan(TwoPerHost(3), 1);
            Assert.Equal(3, plan.Masters.Select(m => m.Node.HostKey).Distinct().Count());
            Assert.All(plan.Masters, m => Assert.NotEqual(m.Node.HostKey, Assert.Single(m.Replicas).HostKey));
            Assert.Empty(plan.Warnings);
        }

        [Fact]
        public void OneHost_WarnsForEveryReplica()
        {
            var nodes = Nodes(("h", 1), ("h", 2), ("h", 3), ("h", 4), ("h", 5), ("h", 6));
            var plan = CreateClusterPlanner.Plan(nodes, 1);
            Assert.Equal(3, plan.Warnings.Count);
            Assert.Equal(new[] { 1, 2, 3 }, plan.Masters.Select(m => m.Node.EndPoint.Port));
        }

        [Fact]
        public void TooFewNodes_IsRefused()
        {
            var e = Assert.Throws<RedisClusterException>(() => CreateClusterPlanner.Plan(TwoPerHost(2).Take(5).ToList(), 1));
            Assert.Equal("TooFewNodes", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        }

        [Fact]
        public void ExtraNodes_JoinAsReplicas()
        {
            var plan = CreateClusterPlanner.Plan(TwoPerHost(4).Take(7).ToList(), 1);
            Assert.Equal(3, plan.Masters.Count);
            Assert.Equal(4, plan.Masters.Sum(m => m.Replicas.Count));
        }

        [Fact]
        public void AnyNodeSet_UsesEveryNodeOnce_AndAvoidsMasterHostWhenPossible()
        {
            var gen = Gen.Select(Gen.Int[1, 6], Gen.Int[0, 2], Gen.Int[3, 15]);
            gen.Sample((hosts, replicas, count) =>
            {
                var nodes = Enumerable.Range(0, count).Select(i => new CandidateNode(new NodeEndPoint($"h{i % hosts}", 7000 + i), $"h{i % hosts}")).ToList();
                if (count / (replicas + 1) < 3) return;
                var plan = CreateClusterPlanner.Plan(nodes, replicas);
                var used = plan.AllNodes.ToList();
                Assert.Equal(nodes.Count, used.Count);
                Assert.Equal(nodes.Count, used.Distinct().Count());
                Assert.All(plan.Masters, m => Assert.True(m.Replicas.Count >= replicas));
                int distinctHosts = nodes.Select(n => n.HostKey).Distinct().Count();
                if (distinctHosts > 1 && plan.Masters.All(m => nodes.Count(n => n.HostKey != m.Node.HostKey) >= replicas * plan.Masters.Count))
                {
                    // With nodes to spare on other hosts, no replica shares its master's host.
                    Assert.Empty(plan.Warnings);
                }
            });
        }

        [Fact]
        public void Plan_PrintsMastersSlotsAndReplicas()
        {
            string text = CreateClusterPlanner.Plan(TwoPerHost(3), 1).ToString();
            Assert.Contains("3 masters and 3 replicas", text);
            Assert.Contains("slots 0-5460 (5461)", text);
            Assert.Contains("replica 10.0.0.", text);
        }
    }
}
