using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>RemoveNodePlanner on the captured six-node cluster and on small clusters laid out line by line.</summary>
    public class RemoveNodePlannerTests
    {
        private const string EmptyMaster = "0a0b0c0d0e0f00000000000000000000000000f7";
        private static readonly string EmptyMasterLine = $"{EmptyMaster} 127.0.0.1:21007@31007 master - 0 1795571823130 0 connected\n";

        private static RemoveNodePlan Plan(HealthScenario scenario, string id) => RemoveNodePlanner.Plan(scenario.Snapshot(), Ids.Id(id));

        private static RedisClusterException Refusal(HealthScenario scenario, string id) =>
            Assert.Throws<RedisClusterException>(() => Plan(scenario, id));

        /// <summary>The six-node cluster with an empty master 21007 every node knows.</summary>
        private static HealthScenario WithEmptyMaster(long keys = 0)
        {
            var scenario = new HealthScenario();
            foreach (int port in HealthScenario.Ports) scenario.Views[port] += EmptyMasterLine;
            scenario.Views[21007] = scenario.Views[21001].Replace("myself,master", "master").Replace($"{EmptyMaster} 127.0.0.1:21007@31007 master", $"{EmptyMaster} 127.0.0.1:21007@31007 myself,master");
            if (keys > 0) scenario.ExtraInfo[21007] = $"db0:keys={keys},expires=0,avg_ttl=0\r\n";
            return scenario;
        }

        /// <summary>
        /// A snapshot of nodes described as CLUSTER NODES lines without "myself": every node answers with the same
        /// view, its own line marked, unless listed as down.
        /// </summary>
        private static ClusterSnapshot Snapshot(IReadOnlyList<string> lines, params string[] down)
        {
            var nodes = new List<NodeSnapshot>();
            var all = ClusterTopology.Parse(null, string.Join("\n", lines));
            foreach (var (line, node) in lines.Zip(all.Nodes, (l, n) => (l, n)))
            {
                var endPoint = node.ToEndPoint();
                if (down.Contains(node.NodeId))
                {
                    nodes.Add(NodeSnapshot.Unanswered(endPoint, node, new RedisClusterException(FailureKind.Unreachable, "refused", endPoint)));
                    continue;
                }
                string mine = string.Join("\n", lines.Select(l => l == line ? MarkMyself(l) : l));
                string info = node.Role == NodeRole.Replica ? "role:slave\r\nmaster_link_status:up\r\n" : "role:master\r\n";
                nodes.Add(NodeSnapshot.FromReplies(endPoint, info, "cluster_state:ok\r\n", mine));
            }
            return ClusterSnapshot.FromNodes(nodes);
        }

        private static string MarkMyself(string line)
        {
            var fields = line.Split(' ');
            fields[2] = "myself," + fields[2];
            return string.Join(" ", fields);
        }

        private static string Id(int n) => n.ToString("x8") + new string('0', 32);
        private static string Master(int n, string address, int port, string slots) => $"{Id(n)} {address}:{port}@{port + 10000} master - 0 0 {n} connected {slots}".TrimEnd();
        private static string Replica(int n, string address, int port, int master) => $"{Id(n)} {address}:{port}@{port + 10000} slave {Id(master)} 0 0 {master} connected";

        private static Dictionary<string, int> SlotsAfter(RemoveNodePlan plan) =>
            plan.Cluster.Masters.Where(m => m.Id != plan.Node.Id)
                .ToDictionary(m => m.EndPoint, m => m.SlotCount + plan.Transfers.Where(t => t.Target == m.Id).Sum(t => t.SlotCount));

        [Fact]
        public void LiveMasterWithSlots_IsDrainedEvenly_ItsReplicaRepointed_ForgottenByEveryOther_AndReset()
        {
            var plan = Plan(new HealthScenario(), Ids.N1);
            Assert.True(plan.IsReachable);
            Assert.True(plan.ResetsNode);
            // 5461 slots over two masters of 5462 and 5461: both end with 8192.
            Assert.Equal(5461, plan.SlotCount);
            Assert.Equal(new Dictionary<string, int> { ["127.0.0.1:21002"] = 8192, ["127.0.0.1:21003"] = 8192 }, SlotsAfter(plan));
            Assert.Equal("0-5460", new SlotRangeList(SlotRange.FromSlots(plan.Moves.Select(m => m.Slot))).ToString());
            Assert.All(plan.Moves, m => Assert.Equal(Ids.Id(Ids.N1), m.Source));
            Assert.Equal(new[] { "0-2729", "2730-5460" }, plan.Transfers.Select(t => t.Slots.ToString()));
            // One host: placement cannot choose, so the replica goes to the master with fewest replicas, the first of equals.
            var move = Assert.Single(plan.ReplicaMoves);
            Assert.Equal(Ids.N4, move.ReplicaId);
            Assert.Equal(Ids.N2, move.MasterId);
            Assert.Equal(new[] { "127.0.0.1:21002", "127.0.0.1:21003", "127.0.0.1:21004", "127.0.0.1:21005", "127.0.0.1:21006" }, plan.ForgottenBy.OrderBy(e => e));
            Assert.Empty(plan.Warnings);
        }

        [Fact]
        public void Plan_Text_SaysEachStepInOrder()
        {
            string text = Plan(new HealthScenario(), Ids.N1).ToString();
            Assert.StartsWith("Remove 127.0.0.1:21001 (e23404f0), a master of 5461 slot(s):", text);
            Assert.Contains("1. Move its 5461 slots with their keys to 2 other master(s):", text);
            Assert.Contains("127.0.0.1:21002 (c2445dca) takes 2730 slots: 0-2729", text);
            Assert.Contains("127.0.0.1:21003 (4c75e964) takes 2731 slots: 2730-5460", text);
            Assert.Contains("2. Re-point its replica(s) (CLUSTER REPLICATE), as none may replicate a forgotten node", text);
            Assert.Contains("127.0.0.1:21004 (1be83e51) replicates 127.0.0.1:21002 (c2445dca)", text);
            Assert.Contains($"3. CLUSTER FORGET {Ids.N1} on 5 node(s) at once:", text);
            Assert.Contains("4. CLUSTER RESET HARD on 127.0.0.1:21001", text);
        }

        [Fact]
        public void FourEqualMasters_TheRemovedOnesSlotsSplitInThirds()
        {
            var lines = new[] { Master(1, "127.0.0.1", 7000, "0-4095"), Master(2, "127.0.0.1", 7001, "4096-8191"), Master(3, "127.0.0.1", 7002, "8192-12287"), Master(4, "127.0.0.1", 7003, "12288-16383") };
            var plan = RemoveNodePlanner.Plan(Snapshot(lines), NodeId.Parse(Id(4)));
            Assert.Equal(new[] { 1366, 1365, 1365 }, plan.Transfers.Select(t => t.SlotCount));
            Assert.Equal(new[] { "12288-13653", "13654-15018", "15019-16383" }, plan.Transfers.Select(t => t.Slots.ToString()));
        }

        [Fact]
        public void UnevenMasters_TheSmallestTakeMostSoTheyEndEven()
        {
            // An empty master takes its share too: the removed node's 8192 slots fill it up to the others.
            var lines = new[] { Master(1, "127.0.0.1", 7000, "0-8191"), Master(2, "127.0.0.1", 7001, "8192-16383"), Master(3, "127.0.0.1", 7002, "") };
            var plan = RemoveNodePlanner.Plan(Snapshot(lines), NodeId.Parse(Id(1)));
            Assert.Equal(new Dictionary<string, int> { ["127.0.0.1:7001"] = 8192, ["127.0.0.1:7002"] = 8192 }, SlotsAfter(plan));
            Assert.Equal("127.0.0.1:7002", Assert.Single(plan.Transfers).TargetEndPoint);
        }

        [Fact]
        public void Replicas_GoOffTheirNewMastersHost_ThenToTheMasterWithFewest()
        {
            // Master 1 on host .1 is removed; its replicas on .2 and .3 need masters: 2 is on .2, 3 is on .3.
            var lines = new[]
            {
                Master(1, "127.0.0.1", 7000, "0-5460"), Master(2, "127.0.0.2", 7001, "5461-10922"), Master(3, "127.0.0.3", 7002, "10923-16383"),
                Replica(11, "127.0.0.2", 7010, 1), Replica(12, "127.0.0.3", 7011, 1),
            };
            var plan = RemoveNodePlanner.Plan(Snapshot(lines), NodeId.Parse(Id(1)));
            Assert.Equal(new[] { (Id(11), Id(3)), (Id(12), Id(2)) }, plan.ReplicaMoves.Select(m => (m.ReplicaId, m.MasterId)));
        }

        [Fact]
        public void LiveReplica_IsOnlyForgottenAndReset()
        {
            var plan = Plan(new HealthScenario(), Ids.N4);
            Assert.True(plan.IsEmpty);
            Assert.Empty(plan.ReplicaMoves);
            Assert.Equal(5, plan.ForgottenBy.Count);
            Assert.True(plan.ResetsNode);
            Assert.StartsWith("Remove 127.0.0.1:21004 (1be83e51), a replica of e23404f0:", plan.ToString());
        }

        [Fact]
        public void DeadReplica_IsForgottenByEveryOtherNode_NotReset()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21004);
            var plan = Plan(scenario, Ids.N4);
            Assert.False(plan.IsReachable);
            Assert.False(plan.ResetsNode);
            Assert.True(plan.IsEmpty);
            Assert.Equal(5, plan.ForgottenBy.Count);
            Assert.Empty(plan.Warnings);
            Assert.Contains("that does not answer", plan.ToString());
            Assert.Contains("It is not reset, as it does not answer", plan.ToString());
        }

        [Fact]
        public void DeadEmptyMaster_IsForgotten()
        {
            var scenario = WithEmptyMaster();
            scenario.Down.Add(21007);
            var plan = Plan(scenario, EmptyMaster);
            Assert.False(plan.IsReachable);
            Assert.True(plan.IsEmpty);
            Assert.Equal(6, plan.ForgottenBy.Count);
        }

        [Fact]
        public void LiveEmptyMaster_IsForgottenAndReset_WithoutMoves()
        {
            var plan = Plan(WithEmptyMaster(), EmptyMaster);
            Assert.True(plan.IsEmpty);
            Assert.Empty(plan.ReplicaMoves);
            Assert.True(plan.ResetsNode);
        }

        [Fact]
        public void LiveEmptyMasterHoldingKeys_IsRefused()
        {
            var e = Refusal(WithEmptyMaster(keys: 3), EmptyMaster);
            Assert.Equal("NodeHoldsKeys", e.ErrorId);
            Assert.StartsWith("127.0.0.1:21007 (0a0b0c0d) owns no slots but holds 3 key(s)", e.Message);
        }

        [Fact]
        public void DeadMasterOwningSlots_IsRefused()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21001);
            var e = Refusal(scenario, Ids.N1);
            Assert.Equal("DeadMasterOwnsSlots", e.ErrorId);
            Assert.Equal(FailureKind.InvalidState, e.Kind);
            Assert.StartsWith("127.0.0.1:21001 (e23404f0) does not answer and still owns 5461 slot(s) (0-5460): forgetting it would leave them without an owner.", e.Message);
            Assert.EndsWith("Nothing was changed.", e.Message);
        }

        [Fact]
        public void LastMaster_IsRefused_ItsReplicaIsNot()
        {
            var lines = new[] { Master(1, "127.0.0.1", 7000, "0-16383"), Replica(11, "127.0.0.1", 7010, 1) };
            var e = Assert.Throws<RedisClusterException>(() => RemoveNodePlanner.Plan(Snapshot(lines), NodeId.Parse(Id(1))));
            Assert.Equal("LastMaster", e.ErrorId);
            Assert.Equal("127.0.0.1:7000 (00000001) is the cluster's last master: without it no node could serve a slot. Nothing was changed.", e.Message);
            Assert.True(RemoveNodePlanner.Plan(Snapshot(lines), NodeId.Parse(Id(11))).IsEmpty);
        }

        [Fact]
        public void UnknownNode_IsRefused()
        {
            var e = Refusal(new HealthScenario(), "ffffffffffffffffffffffffffffffffffffffff");
            Assert.Equal("NodeNotFound", e.ErrorId);
            Assert.Equal(FailureKind.NotFound, e.Kind);
        }

        [Fact]
        public void ClusterNotOk_RefusesADrain_ButNotARemovalWithoutSlots()
        {
            var scenario = new HealthScenario();
            scenario.ClusterState[21003] = "fail";
            Assert.Equal("ClusterNotReady", Refusal(scenario, Ids.N1).ErrorId);
            Assert.Equal(5, Plan(scenario, Ids.N5).ForgottenBy.Count);
        }

        [Fact]
        public void OpenSlotInvolvingTheNode_IsRefused_OthersAreNotItsConcern()
        {
            var scenario = new HealthScenario();
            // 21001 imports slot 6000 from 21002: its removal would strand that slot.
            scenario.Views[21001] = scenario.Views[21001].Replace("connected 0-5460", $"connected 0-5460 [6000-<-{Ids.N2}]");
            var e = Refusal(scenario, Ids.N1);
            Assert.Equal("SlotsOpen", e.ErrorId);
            Assert.Contains(RemoveNodePlanner.OpenSlotAdvice, e.Message);
            // The open slot is between 21001 and 21002: the replica of 21003 can go.
            Assert.Equal(5, Plan(scenario, Ids.N6).ForgottenBy.Count);
            // 21002, that slot's source, can go: its drain finishes the move towards 21001, where the slot was going.
            Assert.Equal("6000", Plan(scenario, Ids.N2).UnfinishedSlots.ToString());
        }

        [Fact]
        public void ASlotAnEarlierDrainLeftOpen_IsFinishedTowardsItsTarget_TheRestSpreadEvenly()
        {
            // What a removal of 21001 stopped by a key conflict in slot 100 leaves, before its other slots moved.
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("open-slot-source-21001.txt");
            scenario.Views[21002] = TestData.Read("open-slot-target-21002.txt");

            var plan = Plan(scenario, Ids.N1);

            Assert.Equal("100", plan.UnfinishedSlots.ToString());
            Assert.Equal(5461, plan.SlotCount);
            var moveOf100 = Assert.Single(plan.Moves, m => m.Slot == 100);
            Assert.Equal(Ids.Id(Ids.N2), moveOf100.Target);
            Assert.Equal(new Dictionary<string, int> { ["127.0.0.1:21002"] = 8192, ["127.0.0.1:21003"] = 8192 }, SlotsAfter(plan));
            Assert.Contains("(slot 100, left open by a move that stopped, is finished towards the master it was moving to)", plan.ToString());
            // The target of that slot is still refused: its removal would strand it.
            Assert.Equal("SlotsOpen", Refusal(scenario, Ids.N2).ErrorId);
        }

        [Fact]
        public void ASlotTheNodeMigratesToAMasterThatDoesNotAnswer_IsNotFinishedByTheDrain()
        {
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("open-slot-source-21001.txt");
            scenario.Down.Add(21002);
            Assert.Equal("SlotsOpen", Refusal(scenario, Ids.N1).ErrorId);
        }

        [Fact]
        public void AnotherOpenSlotInTheCluster_StillRefusesTheDrain()
        {
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("open-slot-source-21001.txt");
            // 21003 imports slot 7000 from 21002: nothing to do with 21001's drain, but slots must not move around it.
            scenario.Views[21003] = scenario.Views[21003].Replace("connected 10923-16383", $"connected 10923-16383 [7000-<-{Ids.N2}]");
            var e = Refusal(scenario, Ids.N1);
            Assert.Equal("SlotsOpen", e.ErrorId);
            Assert.Contains("slot 7000 importing from c2445dca", e.Message);
            Assert.DoesNotContain("slot 100 ", e.Message);
        }

        [Fact]
        public void ForgetTargets_AreTheNodesListingIt_PlusPlannedOnesThatStoppedAnswering()
        {
            var plan = Plan(new HealthScenario(), Ids.N4);
            var later = new HealthScenario();
            later.Down.Add(21006);
            // 21006 answered when the removal was planned: it is asked, and named if it never forgets.
            Assert.Equal(new[] { "127.0.0.1:21001", "127.0.0.1:21002", "127.0.0.1:21003", "127.0.0.1:21005", "127.0.0.1:21006" },
                NodeRemover.ForgetTargets(plan, later.Snapshot()).Select(e => e.ToString()).OrderBy(e => e));

            // A node silent already at planning was warned about then, and is not waited for.
            var warned = new HealthScenario();
            warned.Down.Add(21006);
            var planWithoutIt = Plan(warned, Ids.N4);
            Assert.DoesNotContain("127.0.0.1:21006", NodeRemover.ForgetTargets(planWithoutIt, warned.Snapshot()).Select(e => e.ToString()));
        }

        [Theory]
        [InlineData("LOADING Redis is loading the dataset in memory", true)]
        [InlineData("BUSY Redis is busy running a script.", true)]
        [InlineData("TRYAGAIN Multiple keys request during rehashing of slot", true)]
        [InlineData("NOPERM User operator has no permissions to run the 'cluster|forget' command", false)]
        [InlineData("ERR Can't forget my master!", false)]
        public void Forget_IsAskedAgainOnlyAfterATransientReply(string reply, bool transient)
        {
            var endPoint = NodeEndPoint.Parse("127.0.0.1:7000");
            Assert.Equal(transient, NodeRemover.IsTransient(new RedisServerErrorException(endPoint, "CLUSTER FORGET", reply)));
        }

        [Fact]
        public void Forget_IsAskedAgainWhenTheNodeDidNotAnswer()
        {
            var endPoint = NodeEndPoint.Parse("127.0.0.1:7000");
            Assert.True(NodeRemover.IsTransient(new RedisClusterException(FailureKind.Unreachable, "refused", endPoint)));
            Assert.True(NodeRemover.IsTransient(new RedisClusterException(FailureKind.Timeout, "slow", endPoint)));
            Assert.False(NodeRemover.IsTransient(new RedisClusterException(FailureKind.Authentication, "denied", endPoint)));
        }

        [Fact]
        public void AnotherNodeNotAnswering_IsWarnedAbout()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21006);
            var plan = Plan(scenario, Ids.N4);
            Assert.Equal(4, plan.ForgottenBy.Count);
            var warning = Assert.Single(plan.Warnings);
            Assert.StartsWith("127.0.0.1:21006 does not answer, so it cannot be told to forget 1be83e51", warning);
        }
    
        [Fact]
        public void AReplicaRedisMovedDuringTheDrain_StaysWhereItIsPlacedAsWell()
        {
            // After the drain: master 1 emptied, its replica 11 (host .3) moved by Redis to master 2 (host .2); the plan chose 3.
            var lines = new[]
            {
                Master(1, "127.0.0.1", 7000, ""), Master(2, "127.0.0.2", 7001, "0-8191"), Master(3, "127.0.0.4", 7002, "8192-16383"),
                Replica(11, "127.0.0.3", 7010, 2), Replica(12, "127.0.0.3", 7011, 3),
            };
            var cluster = ClusterTopology.Parse(null, string.Join("\n", lines));
            RedisClusterNode Node(int n) => cluster.Find(NodeId.Parse(Id(n)));
            Assert.True(RemoveNodePlanner.PlacedAsWell(cluster, Node(1).Id, Node(11), Node(2), Node(3)));
            // On its new master's host it moves on to the planned one.
            var sameHost = ClusterTopology.Parse(null, string.Join("\n", lines).Replace("127.0.0.3:7010", "127.0.0.2:7010"));
            Assert.False(RemoveNodePlanner.PlacedAsWell(sameHost, Node(1).Id, sameHost.Find(Node(11).Id), sameHost.Find(Node(2).Id), sameHost.Find(Node(3).Id)));
            // Still with the removed node (replica migration off): it must move.
            Assert.False(RemoveNodePlanner.PlacedAsWell(cluster, Node(1).Id, Node(11), Node(1), Node(3)));
        }
    }
}
