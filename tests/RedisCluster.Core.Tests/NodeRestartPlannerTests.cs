using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>
    /// New-RedisClusterNode -Restart's choices on the captured six-node cluster (21001-21003 masters, 21004-21006 their
    /// replicas): the order, how each node goes, and when a restarted node counts as back.
    /// </summary>
    public class NodeRestartPlannerTests
    {
        private static NodeEndPoint At(int port) => HealthScenario.EndPoint(port);

        [Fact]
        public void Order_PutsNodesAloneAndReplicasFirst_MastersAfter_TheUnaskedLast_KeepingTheGivenOrderWithin()
        {
            var kinds = new (string Name, NodeRestartKind? Kind)[]
            {
                ("m1", NodeRestartKind.InPlace), ("unknown", null), ("r1", NodeRestartKind.Replica), ("alone", NodeRestartKind.Alone),
                ("m2", NodeRestartKind.InPlace), ("r2", NodeRestartKind.Replica),
            };
            var order = NodeRestartPlanner.Order(kinds, k => k.Kind).Select(k => k.Name);
            Assert.Equal(new[] { "alone", "r1", "r2", "m1", "m2", "unknown" }, order);
        }

        [Fact]
        public void Classify_TellsReplicasFromMasters_AndANodeThatKnowsNoOtherIsAlone()
        {
            var view = ClusterTopology.Parse(At(21001), new HealthScenario().Views[21001]);
            Assert.Equal(NodeRestartKind.Replica, NodeRestartPlanner.Classify(view, At(21004)));
            Assert.Equal(NodeRestartKind.InPlace, NodeRestartPlanner.Classify(view, At(21002)));
            var fresh = ClusterTopology.Parse(At(21000), TestData.Read("fresh-single-node.txt"));
            Assert.Equal(NodeRestartKind.Alone, NodeRestartPlanner.Classify(fresh, At(21000)));
        }

        [Fact]
        public void ANodeInNoCluster_IsJustRestarted()
        {
            var step = NodeRestartPlanner.Alone(At(21000));
            Assert.Equal(NodeRestartKind.Alone, step.Kind);
            Assert.Null(step.HandOver);
            Assert.Null(step.Warning);
            Assert.Equal("restarting 127.0.0.1:21000 (in no cluster, 1 of 1)", step.DescribeRestart(1, 1));
        }

        [Fact]
        public void AReplica_IsRestartedAsItIs()
        {
            var step = NodeRestartPlanner.Plan(new HealthScenario().Snapshot(), At(21005));
            Assert.Equal(NodeRestartKind.Replica, step.Kind);
            Assert.Null(step.HandOver);
            Assert.Null(step.Warning);
            Assert.Equal("restarting 127.0.0.1:21005 (replica, 2 of 6)", step.DescribeRestart(2, 6));
        }

        [Fact]
        public void AMasterWithAReplicaInSync_HandsItsSlotsToItByADefaultFailover_ThenRestartsAsItsReplica()
        {
            var step = NodeRestartPlanner.Plan(new HealthScenario().Snapshot(), At(21001));
            Assert.Equal(NodeRestartKind.HandOver, step.Kind);
            Assert.Equal(FailoverMode.Default, step.HandOver.Mode);
            Assert.Equal(Ids.N4, step.HandOver.Replica.NodeId);
            Assert.Equal(Ids.N1, step.HandOver.Master.NodeId);
            Assert.Null(step.Warning);
            Assert.Equal("handing 127.0.0.1:21001's slots to its replica 127.0.0.1:21004 (CLUSTER FAILOVER) before its restart (4 of 6)", step.DescribeHandOver(4, 6));
            Assert.Equal("restarting 127.0.0.1:21001 (now a replica of 127.0.0.1:21004, 4 of 6)", step.DescribeRestart(4, 6));
        }

        [Fact]
        public void AMasterWithoutAReplica_IsRestartedInPlace_WithAWarningThatItsSlotsAreUnavailable()
        {
            var scenario = new HealthScenario().Everywhere($"slave {Ids.N1}", $"slave {Ids.N2}");
            var step = NodeRestartPlanner.Plan(scenario.Snapshot(), At(21001));
            Assert.Equal(NodeRestartKind.InPlace, step.Kind);
            Assert.Null(step.HandOver);
            Assert.Equal("The master 127.0.0.1:21001 (e23404f0) owns 5461 slots and it has no replica: it is restarted in place, " +
                "and its slots are unavailable to clients until it is back and the cluster sees it ok.", step.Warning);
            Assert.Equal("restarting 127.0.0.1:21001 (master, in place, 1 of 1)", step.DescribeRestart(1, 1));
        }

        [Theory]
        [InlineData("master_link_status:down\r\n")]
        [InlineData("master_sync_in_progress:1\r\n")]
        public void AMasterWhoseReplicaIsNotInSync_IsRestartedInPlace_WithAWarning(string replicaInfo)
        {
            var scenario = new HealthScenario();
            scenario.ExtraInfo[21004] = replicaInfo;
            var step = NodeRestartPlanner.Plan(scenario.Snapshot(), At(21001));
            Assert.Equal(NodeRestartKind.InPlace, step.Kind);
            Assert.Contains("none of its replicas can take over", step.Warning);
        }

        [Fact]
        public void AMasterWhoseReplicaIsDown_IsRestartedInPlace_WithAWarning()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21004);
            Assert.Equal(NodeRestartKind.InPlace, NodeRestartPlanner.Plan(scenario.Snapshot(), At(21001)).Kind);
        }

        [Fact]
        public void AMasterOwningNoSlots_IsRestartedInPlace_WithoutAWarning()
        {
            var scenario = new HealthScenario().Everywhere(" 0-5460", string.Empty);
            var step = NodeRestartPlanner.Plan(scenario.Snapshot(), At(21001));
            Assert.Equal(NodeRestartKind.InPlace, step.Kind);
            Assert.Null(step.Warning);
        }

        [Fact]
        public void AMasterThatCannotBeRead_IsNotPlanned()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21001);
            var e = Assert.Throws<RedisClusterException>(() => NodeRestartPlanner.Plan(scenario.Snapshot(), At(21001)));
            Assert.Equal("NodeUnreachable", e.ErrorId);
        }

        [Fact]
        public void WhatIf_NamesTheFailoverStep()
        {
            Assert.Contains(NodeRestartPlanner.Steps, s => s.Contains("CLUSTER FAILOVER to its best replica"));
            Assert.Contains(NodeRestartPlanner.Steps, s => s.Contains("restart in place") && s.Contains("unavailable"));
        }

        [Fact]
        public void Rejoined_WhenItAnswers_NobodyFlagsIt_TheClusterIsOk_AndAsAReplicaItsLinkIsUp()
        {
            Assert.Empty(new HealthScenario().Snapshot().RejoinProblems(At(21004)));
            Assert.Empty(new HealthScenario().Snapshot().RejoinProblems(At(21001)));
        }

        [Fact]
        public void NotRejoined_WhileItCannotBeRead()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21004);
            Assert.Contains(scenario.Snapshot().RejoinProblems(At(21004)), p => p.StartsWith("127.0.0.1:21004 cannot be read"));
        }

        [Fact]
        public void NotRejoined_WhileAnotherNodeStillFlagsItAsFailing()
        {
            var scenario = new HealthScenario();
            scenario.Views[21002] = string.Join("\n", scenario.Views[21002].Split('\n').Select(l => l.StartsWith(Ids.N4) ? l.Replace(" slave ", " slave,fail? ") : l));
            Assert.Equal(new[] { "1 node(s) still flag 127.0.0.1:21004 as failing" }, scenario.Snapshot().RejoinProblems(At(21004)));
        }

        [Fact]
        public void NotRejoined_WhileItsLinkToItsMasterIsDownOrSyncing()
        {
            var scenario = new HealthScenario();
            scenario.ExtraInfo[21004] = "master_sync_in_progress:1\r\n";
            Assert.Equal(new[] { "127.0.0.1:21004 is still in its first sync with 127.0.0.1:21001" }, scenario.Snapshot().RejoinProblems(At(21004)));
            scenario.ExtraInfo[21004] = "master_link_status:down\r\n";
            Assert.Equal(new[] { "127.0.0.1:21004 has its link to 127.0.0.1:21001 down" }, scenario.Snapshot().RejoinProblems(At(21004)));
        }

        [Fact]
        public void NotRejoined_WhileANodeSeesTheClusterFail()
        {
            var scenario = new HealthScenario();
            scenario.ClusterState[21001] = "fail";
            Assert.Equal(new[] { "127.0.0.1:21001 reports cluster_state:fail" }, scenario.Snapshot().RejoinProblems(At(21001)));
        }

        [Fact]
        public void NotRejoined_ByTroublesOfOtherNodesThatLeaveEverySlotCovered()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21006);
            Assert.Empty(scenario.Snapshot().RejoinProblems(At(21004)));
        }
    }
}
