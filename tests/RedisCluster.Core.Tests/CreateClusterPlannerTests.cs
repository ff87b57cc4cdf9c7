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
        public void OneHost_WarnsOnce_NotForEveryReplica()
        {
            var nodes = Nodes(("h", 1), ("h", 2), ("h", 3), ("h", 4), ("h", 5), ("h", 6));
            var plan = CreateClusterPlanner.Plan(nodes, 1);
            Assert.Equal("All 6 nodes run on one host (h): losing it loses the cluster, whatever the placement.", Assert.Single(plan.Warnings));
            Assert.Equal(new[] { 1, 2, 3 }, plan.Masters.Select(m => m.Node.EndPoint.Port));
        }

        [Fact]
        public void TwoHostsThreeMasters_StillKeepsEveryReplicaOffItsMastersHost()
        {
            var plan = CreateClusterPlanner.Plan(Nodes(("a", 1), ("a", 2), ("a", 3), ("b", 1), ("b", 2), ("b", 3)), 1);
            Assert.Empty(plan.Warnings);
            Assert.All(plan.Masters, m => Assert.NotEqual(m.Node.HostKey, Assert.Single(m.Replicas).HostKey));
        }

        [Fact]
        public void TwoHostsTwoReplicasEach_WarnsOfTheReplicasItCannotMove()
        {
            // Each master needs two replicas on hosts other than its own: with two hosts one must share.
            var plan = CreateClusterPlanner.Plan(Nodes(("a", 1), ("a", 2), ("a", 3), ("a", 4), ("a", 5), ("b", 1), ("b", 2), ("b", 3), ("b", 4)), 2);
            Assert.NotEmpty(plan.Warnings);
            Assert.All(plan.Warnings, w => Assert.Matches(@"^\S+ replicates \S+ on the same host \([ab]\): losing that host loses both\.$", w));
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

        // ---- nodes that already carry part of a cluster ----

        private static readonly string[] Ids = Enumerable.Range(1, 6).Select(i => new string((char)('a' + i - 1), 40)).ToArray();

        /// <summary>Six nodes on three hosts, each with the id Ids[i] and the view given (null: not inspected).</summary>
        private static List<CandidateNode> Inspected(params string[] views) =>
            Enumerable.Range(0, 6).Select(i =>
            {
                var endPoint = new NodeEndPoint($"10.0.0.{i / 2 + 1}", i % 2 == 0 ? 6379 : 6479);
                string text = views.Length > i ? views[i] : null;
                // "keys " before a view: the node holds three keys.
                long keys = text != null && text.StartsWith("keys ") ? 3 : 0;
                var view = text == null ? null : ClusterTopology.Parse(endPoint, keys > 0 ? text.Substring(5) : text);
                return new CandidateNode(endPoint, endPoint.Host, NodeId.Parse(Ids[i]), 0, view, keys);
            }).ToList();

        private static string Fresh(int i) => $"{Ids[i]} :{(i % 2 == 0 ? 6379 : 6479)}@0 myself,master - 0 0 0 connected";

        private static string Line(int i, string flags, string master = "-", string slots = "", int epoch = 0) =>
            $"{Ids[i]} 10.0.0.{i / 2 + 1}:{(i % 2 == 0 ? 6379 : 6479)}@{(i % 2 == 0 ? 16379 : 16479)} {flags} {master} 0 0 {epoch} connected {slots}".TrimEnd();

        [Fact]
        public void FreshNodes_PlanAFreshCreation()
        {
            var plan = CreateClusterPlanner.Plan(Inspected(Enumerable.Range(0, 6).Select(Fresh).ToArray()), 1);
            Assert.False(plan.Resumes);
            Assert.StartsWith("Create a cluster", plan.ToString());
        }

        [Fact]
        public void NodesCarryingPartOfThisPlan_AreResumed()
        {
            // An earlier run assigned the first master's slots and met two nodes, then stopped.
            var fresh = Enumerable.Range(0, 6).Select(Fresh).ToArray();
            var first = CreateClusterPlanner.Plan(Inspected(fresh), 1);
            var master = first.Masters[0];
            int m = System.Array.IndexOf(Ids, master.Node.NodeId.ToString());
            int r = System.Array.IndexOf(Ids, master.Replicas[0].NodeId.ToString());
            var views = (string[])fresh.Clone();
            views[m] = Line(m, "myself,master", slots: master.Slots.ToString(), epoch: 1) + "\n" + Line(r, "slave", Ids[m]);
            views[r] = Line(r, "myself,slave", Ids[m]) + "\n" + Line(m, "master", slots: master.Slots.ToString(), epoch: 1);
            var plan = CreateClusterPlanner.Plan(Inspected(views), 1);
            Assert.True(plan.Resumes);
            Assert.StartsWith("Finish creating a cluster", plan.ToString());
            Assert.Equal(first.ToString().Substring("Create".Length), plan.ToString().Substring("Finish creating".Length));
        }

        [Fact]
        public void FreshNodeWithKeys_IsRefused()
        {
            var views = Enumerable.Range(0, 6).Select(Fresh).ToArray();
            views[3] = "keys " + views[3];
            var e = Assert.Throws<RedisClusterException>(() => CreateClusterPlanner.Plan(Inspected(views), 1));
            Assert.Equal("NodeNotEmpty", e.ErrorId);
            Assert.Equal(FailureKind.InvalidState, e.Kind);
            Assert.Contains("10.0.0.2:6479: it holds 3 key(s)", e.Message);
        }

        [Fact]
        public void NodeKnowingAStranger_IsRefused()
        {
            var views = Enumerable.Range(0, 6).Select(Fresh).ToArray();
            views[0] = Line(0, "myself,master") + "\n" + $"{new string('9', 40)} 10.9.9.9:6379@16379 master - 0 0 1 connected 0-16383";
            var e = Assert.Throws<RedisClusterException>(() => CreateClusterPlanner.Plan(Inspected(views), 1));
            Assert.Contains("10.0.0.1:6379: it already knows 1 node(s) outside this set (10.9.9.9:6379): it is part of another cluster.", e.Message);
        }

        [Fact]
        public void NodeOwningSlotsThePlanGivesElsewhere_IsRefused()
        {
            var views = Enumerable.Range(0, 6).Select(Fresh).ToArray();
            var plan = CreateClusterPlanner.Plan(Inspected(views), 1);
            int replica = System.Array.IndexOf(Ids, plan.Masters[1].Replicas[0].NodeId.ToString());
            views[replica] = Line(replica, "myself,master", slots: "100-200", epoch: 1);
            var e = Assert.Throws<RedisClusterException>(() => CreateClusterPlanner.Plan(Inspected(views), 1));
            Assert.Contains("it owns slots 100-200, which this plan does not give it", e.Message);
        }

        [Fact]
        public void ReplicaOfAnotherMaster_IsRefused()
        {
            var views = Enumerable.Range(0, 6).Select(Fresh).ToArray();
            var plan = CreateClusterPlanner.Plan(Inspected(views), 1);
            int replica = System.Array.IndexOf(Ids, plan.Masters[0].Replicas[0].NodeId.ToString());
            int wrongMaster = System.Array.IndexOf(Ids, plan.Masters[1].Node.NodeId.ToString());
            views[replica] = Line(replica, "myself,slave", Ids[wrongMaster]) + "\n" + Line(wrongMaster, "master");
            var e = Assert.Throws<RedisClusterException>(() => CreateClusterPlanner.Plan(Inspected(views), 1));
            Assert.Contains($"it replicates {Ids[wrongMaster].Substring(0, 8)}, which this plan does not make its master", e.Message);
        }

        [Fact]
        public void ServersOlderThan7_AreRefusedByName()
        {
            var e = Assert.Throws<RedisClusterException>(() => ServerRequirements.EnsureNewEnough(new[]
            {
                (new NodeEndPoint("10.0.0.1", 6379), new System.Version(7, 0, 15)),
                (new NodeEndPoint("10.0.0.2", 6379), new System.Version(6, 2, 14)),
                (new NodeEndPoint("10.0.0.3", 6379), (System.Version)null),
            }, "Creating a cluster"));
            Assert.Equal("ServerTooOld", e.ErrorId);
            Assert.Equal("Creating a cluster needs Redis 7.0 or newer; nothing was changed. Too old: 10.0.0.2:6379 runs 6.2.14.", e.Message);
            ServerRequirements.EnsureNewEnough(new[] { (new NodeEndPoint("h", 1), new System.Version(7, 0)) }, "Creating a cluster");
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
