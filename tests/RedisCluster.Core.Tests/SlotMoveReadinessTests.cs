using System;
using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>
    /// ClusterSnapshot.EnsureReadyToMoveSlots / EnsureHealthyToMoveSlots and ResumePlanner on the captured six-node
    /// views (Data/cluster-nodes): what refuses a slot move before anything changes, and what -Resume finishes.
    /// </summary>
    public class SlotMoveReadinessTests
    {
        private const string Advice = "Invoke-RedisReshard -Resume finishes them, with every key.";

        private static RedisClusterException Refusal(Action check) => Assert.Throws<RedisClusterException>(check);

        /// <summary>A view with open-slot markers added to the node's line about itself, where CLUSTER NODES shows them.</summary>
        private static string WithOwnMarkers(string view, string markers) =>
            string.Join("\n", view.Split('\n').Select(line => line.Contains("myself") ? line.TrimEnd() + " " + markers : line));

        private static HealthScenario WithSlot100Open()
        {
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("open-slot-source-21001.txt");
            scenario.Views[21002] = TestData.Read("open-slot-target-21002.txt");
            return scenario;
        }

        [Fact]
        public void AHealthyCluster_IsReady()
        {
            var snapshot = new HealthScenario().Snapshot();
            snapshot.EnsureReadyToMoveSlots(Advice);
            snapshot.EnsureHealthyToMoveSlots();
        }

        [Fact]
        public void OpenSlots_RefuseWithSlotsOpen_NamingTheMarkersAndTheAdvice()
        {
            var refusal = Refusal(() => WithSlot100Open().Snapshot().EnsureReadyToMoveSlots(Advice));

            Assert.Equal("SlotsOpen", refusal.ErrorId);
            Assert.Equal(FailureKind.InvalidState, refusal.Kind);
            Assert.Contains("127.0.0.1:21001 has slot 100 migrating to c2445dca", refusal.Message);
            Assert.Contains("127.0.0.1:21002 has slot 100 importing from e23404f0", refusal.Message);
            Assert.Contains(Advice, refusal.Message);
            Assert.EndsWith("Nothing was changed.", refusal.Message);
        }

        [Fact]
        public void OpenSlots_AreNoHealthProblem_SoResumeMayFinishThem()
        {
            WithSlot100Open().Snapshot().EnsureHealthyToMoveSlots();
        }

        [Fact]
        public void ANodeNotOk_RefusesWithClusterNotReady_BothWays()
        {
            var scenario = new HealthScenario();
            scenario.ClusterState[21002] = "fail";
            var snapshot = scenario.Snapshot();

            var ready = Refusal(() => snapshot.EnsureReadyToMoveSlots(Advice));
            var healthy = Refusal(() => snapshot.EnsureHealthyToMoveSlots());

            Assert.Equal("ClusterNotReady", ready.ErrorId);
            Assert.Equal("ClusterNotReady", healthy.ErrorId);
            Assert.Contains("127.0.0.1:21002", ready.Message);
            Assert.Equal(ready.Message, healthy.Message);
        }

        [Fact]
        public void AnUnreachableMaster_RefusesWithClusterNotReady()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21003);

            var refusal = Refusal(() => scenario.Snapshot().EnsureReadyToMoveSlots(Advice));

            Assert.Equal("ClusterNotReady", refusal.ErrorId);
            Assert.Contains("master 127.0.0.1:21003 cannot be read", refusal.Message);
        }

        [Fact]
        public void ADeadMasterWhoseReplicaTookOver_DoesNotStopSlotMoves()
        {
            // 21003 died and its replica 21006 took its slots: 21003 stays listed, failing and without slots, until
            // it is forgotten or comes back as a replica. It holds nothing to move.
            var scenario = new HealthScenario();
            foreach (int port in scenario.Views.Keys.ToList())
            {
                scenario.Views[port] = string.Join("\n", scenario.Views[port].Split('\n').Select(line =>
                    line.StartsWith("4c75e964") ? line.Replace("master - ", "master,fail - ").Replace(" 10923-16383", string.Empty) :
                    line.StartsWith("d02caf0e") ? line.Replace("slave 4c75e9642687c801de6cba07abce0de0961198f9", "master -").TrimEnd() + " 10923-16383" :
                    line));
            }
            scenario.Down.Add(21003);

            scenario.Snapshot().EnsureReadyToMoveSlots(Advice);
        }

        [Fact]
        public void AnUnreachableReplica_DoesNotStopSlotMoves()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21006);

            scenario.Snapshot().EnsureReadyToMoveSlots(Advice);
        }

        [Fact]
        public void ANodeSeeingAnotherOwner_RefusesWithClusterNotReady()
        {
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("moved-slot-21001.txt");

            var refusal = Refusal(() => scenario.Snapshot().EnsureReadyToMoveSlots(Advice));

            Assert.Equal("ClusterNotReady", refusal.ErrorId);
            Assert.Contains("127.0.0.1:21001 sees other owners for slots 100", refusal.Message);
        }

        [Fact]
        public void Resume_FinishesASlotOpenOnBothSides_TowardItsTarget()
        {
            var plan = ResumePlanner.Plan(WithSlot100Open().Snapshot());

            var transfer = Assert.Single(plan.Transfers);
            Assert.Equal(Ids.N1, transfer.SourceId);
            Assert.Equal(Ids.N2, transfer.TargetId);
            Assert.Equal("100", transfer.Slots.ToString());
            Assert.Equal(
                "Finish 1 open slot left by a move that stopped:\n" +
                "  127.0.0.1:21001 (e23404f0) gives 1 slot to 127.0.0.1:21002 (c2445dca): 100",
                plan.ToString().Replace("\r\n", "\n"));
        }

        [Theory]
        [InlineData(21001, "open-slot-source-21001.txt")]
        [InlineData(21002, "open-slot-target-21002.txt")]
        public void Resume_FinishesASlotOpenOnOneSideOnly(int port, string capture)
        {
            // What a stop between the two SETSLOTs that open a slot leaves: one marker, which still names the move.
            var scenario = new HealthScenario();
            scenario.Views[port] = TestData.Read(capture);

            var plan = ResumePlanner.Plan(scenario.Snapshot());

            Assert.Equal(new[] { (Ids.N1, Ids.N2, "100") }, plan.Transfers.Select(t => (t.SourceId, t.TargetId, t.Slots.ToString())));
        }

        [Fact]
        public void Resume_WithNothingOpen_IsEmptyAndSaysSo()
        {
            var plan = ResumePlanner.Plan(new HealthScenario().Snapshot());

            Assert.True(plan.IsEmpty);
            Assert.Equal("No slot is open: nothing to resume.", plan.ToString());
        }

        [Fact]
        public void Resume_RefusesMarkersThatNameTwoMoves_ForRepair()
        {
            // 21003 also imports slot 100, from 21001: two targets, so which holds the keys is for a repair to decide.
            var scenario = WithSlot100Open();
            scenario.Views[21003] = WithOwnMarkers(TestData.Read("six-node-21003.txt"), $"[100-<-{Ids.N1}]");

            var refusal = Refusal(() => ResumePlanner.Plan(scenario.Snapshot()));

            Assert.Equal("OpenSlotsNeedRepair", refusal.ErrorId);
            Assert.Equal(FailureKind.InvalidState, refusal.Kind);
            Assert.Contains("Slot(s) 100 ", refusal.Message);
            Assert.Contains("Repair-RedisCluster", refusal.Message);
        }

        [Fact]
        public void Resume_RefusesAMarkerPointingAtAReplica()
        {
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("open-slot-source-21001.txt").Replace($"[100->-{Ids.N2}]", $"[100->-{Ids.N4}]");

            var refusal = Refusal(() => ResumePlanner.Plan(scenario.Snapshot()));

            Assert.Equal("OpenSlotsNeedRepair", refusal.ErrorId);
        }

        [Fact]
        public void Resume_GroupsSlotsByPair_LowestFirst()
        {
            var scenario = new HealthScenario();
            scenario.Views[21001] = WithOwnMarkers(TestData.Read("six-node-21001.txt"), $"[7->-{Ids.N3}] [5->-{Ids.N2}] [6->-{Ids.N2}]");

            var plan = ResumePlanner.Plan(scenario.Snapshot());

            Assert.Equal(new[] { (Ids.N2, "5-6"), (Ids.N3, "7") }, plan.Transfers.Select(t => (t.TargetId, t.Slots.ToString())));
            Assert.Equal(3, plan.SlotCount);
        }
    }
}
