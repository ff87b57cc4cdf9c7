using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static RedisCluster.Tests.Ids;

namespace RedisCluster.Tests
{
    /// <summary>
    /// The repair planner on the captured six-node cluster (masters 21001-21003 with N1-N3, replicas 21004-21006),
    /// each shape made by editing the nodes' own CLUSTER NODES texts (markers show only on a node's own line) and
    /// giving the key counts a census would find.
    /// </summary>
    public class RepairPlannerTests
    {
        private static readonly Dictionary<string, int> PortOf = new Dictionary<string, int>
        {
            [N1] = 21001, [N2] = 21002, [N3] = 21003, [N4] = 21004, [N5] = 21005, [N6] = 21006,
        };

        /// <summary>Edits the line about <paramref name="id"/> in the views of the given ports (every port by default).</summary>
        private static void Edit(HealthScenario scenario, string id, Func<string[], string[]> edit, params int[] ports)
        {
            foreach (int port in ports.Length == 0 ? HealthScenario.Ports : ports)
            {
                var lines = scenario.Views[port].Split('\n').Select(line =>
                {
                    if (!line.StartsWith(id, StringComparison.Ordinal)) return line;
                    return string.Join(" ", edit(line.TrimEnd('\r').Split(' ')));
                });
                scenario.Views[port] = string.Join("\n", lines);
            }
        }

        /// <summary>Adds fields (slots or markers such as "[100->-id]") to a node's own line.</summary>
        private static void AddToOwnLine(HealthScenario scenario, string id, params string[] fields) =>
            Edit(scenario, id, f => f.Concat(fields).ToArray(), PortOf[id]);

        private static string[] Slots(string[] fields, params string[] slots) => fields.Take(8).Concat(slots).ToArray();

        /// <summary>A master as everyone (itself included) lists it, with these flags (myself kept where it was), epoch and slots.</summary>
        private static void Everywhere(HealthScenario scenario, string id, string flags, string masterId, string epoch, params string[] slots) =>
            Edit(scenario, id, f =>
            {
                var copy = f.ToArray();
                copy[2] = (f[2].StartsWith("myself,", StringComparison.Ordinal) ? "myself," : string.Empty) + flags;
                copy[3] = masterId;
                copy[6] = epoch;
                return Slots(copy, slots);
            });

        private static SlotKeyCensus Keys(params (string Id, int Slot, long Count)[] counts) =>
            SlotKeyCensus.FromCounts(counts.GroupBy(c => c.Id).Select(g =>
                new KeyValuePair<string, IReadOnlyDictionary<int, long>>(g.Key, g.ToDictionary(c => c.Slot, c => c.Count))));

        private static RepairPlan Plan(HealthScenario scenario, SlotKeyCensus census = null) =>
            RepairPlanner.Plan(scenario.Snapshot(), census ?? Keys());

        /// <summary>N1 (21001) killed, its replica N4 (21004) promoted with all of N1's slots, seen by everyone.</summary>
        private static HealthScenario SourceKilledAndReplaced()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21001);
            Everywhere(scenario, N1, "master,fail", "-", "1");
            Everywhere(scenario, N4, "master", "-", "7", "0-5460");
            return scenario;
        }

        [Fact]
        public void AHealthyCluster_NeedsNothing_AndSaysSo()
        {
            var plan = Plan(new HealthScenario(), Keys((N1, 5, 10), (N2, 6000, 3)));
            Assert.True(plan.IsEmpty);
            Assert.StartsWith("Nothing to repair", plan.ToString());
        }

        [Fact]
        public void AMoveStoppedWithAgreeingMarkers_IsFinishedByTheSlotExecutor()
        {
            var scenario = new HealthScenario();
            AddToOwnLine(scenario, N1, $"[100->-{N2}]");
            AddToOwnLine(scenario, N2, $"[100-<-{N1}]");
            var repair = Plan(scenario, Keys((N1, 100, 5), (N2, 100, 3))).Repairs.Single();

            Assert.Equal(100, repair.Slot);
            Assert.Equal(SlotProblem.OpenSlot, repair.Problem);
            Assert.Equal(Id(N2), repair.Owner);
            Assert.Equal(Id(N1), repair.FinishFrom);
            Assert.Equal(5, repair.KeysToMove);
            Assert.Equal(KeyConflictPolicy.CompareValues, repair.Policy);
        }

        [Fact]
        public void MigratingOnly_WithNoKeysOnTheTarget_StaysWithTheOwnerAndCloses()
        {
            var scenario = new HealthScenario();
            AddToOwnLine(scenario, N1, $"[100->-{N2}]");
            var repair = Plan(scenario, Keys((N1, 100, 5))).Repairs.Single();

            Assert.Equal(SlotProblem.OpenSlot, repair.Problem);
            Assert.Equal(Id(N1), repair.Owner);
            Assert.Null(repair.FinishFrom);
            Assert.Empty(repair.Donors);
        }

        [Fact]
        public void MigratingOnly_WithKeysAlreadyOnTheTarget_FinishesTheMove()
        {
            var scenario = new HealthScenario();
            AddToOwnLine(scenario, N1, $"[100->-{N2}]");
            var repair = Plan(scenario, Keys((N1, 100, 5), (N2, 100, 2))).Repairs.Single();

            Assert.Equal(Id(N2), repair.Owner);
            Assert.Equal(Id(N1), repair.FinishFrom);
        }

        [Fact]
        public void ImportingOnly_WithoutKeys_IsClosedOnTheImporter_AndTheOwnerKeepsTheSlot()
        {
            var scenario = new HealthScenario();
            AddToOwnLine(scenario, N2, $"[100-<-{N1}]");
            var repair = Plan(scenario, Keys((N1, 100, 5))).Repairs.Single();

            Assert.Equal(SlotProblem.OpenSlot, repair.Problem);
            Assert.Equal(Id(N1), repair.Owner);
            Assert.Empty(repair.Donors);
            Assert.Contains("importing on 127.0.0.1:21002", repair.Finding);
        }

        [Fact]
        public void ImportingOnly_WithKeysOnTheImporter_MovesThemToTheLiveOwner_ComparingValues()
        {
            var scenario = new HealthScenario();
            AddToOwnLine(scenario, N2, $"[100-<-{N1}]");
            var repair = Plan(scenario, Keys((N1, 100, 5), (N2, 100, 4))).Repairs.Single();

            Assert.Equal(Id(N1), repair.Owner);
            Assert.Equal(new[] { (Id(N2), 4L) }, repair.Donors);
            Assert.Equal(KeyConflictPolicy.CompareValues, repair.Policy);
        }

        [Fact]
        public void BothMarkers_WithKeysOnAThirdMaster_AreNoOrdinaryMove_TheTargetHoldingKeysGetsEveryKey()
        {
            var scenario = new HealthScenario();
            AddToOwnLine(scenario, N1, $"[100->-{N2}]");
            AddToOwnLine(scenario, N2, $"[100-<-{N1}]");
            var repair = Plan(scenario, Keys((N1, 100, 5), (N2, 100, 3), (N3, 100, 1))).Repairs.Single();

            Assert.Null(repair.FinishFrom);
            Assert.Equal(Id(N2), repair.Owner);
            Assert.Equal(new[] { Id(N1), Id(N3) }.OrderBy(i => i.ToString()), repair.Donors.Select(d => d.Node));
        }

        [Fact]
        public void MigratingWithSeveralImporters_AndNoKeysMoved_StaysWithTheOwner()
        {
            var scenario = new HealthScenario();
            AddToOwnLine(scenario, N1, $"[100->-{N2}]");
            AddToOwnLine(scenario, N2, $"[100-<-{N1}]");
            AddToOwnLine(scenario, N3, $"[100-<-{N1}]");
            var repair = Plan(scenario, Keys((N1, 100, 5))).Repairs.Single();

            Assert.Null(repair.FinishFrom);
            Assert.Equal(Id(N1), repair.Owner);
            Assert.Empty(repair.Donors);
        }

        [Fact]
        public void SourceKilledMidSlot_TheImporterKeepsTheSlotAndItsOwnCopies_TheReplacementsKeysMoveIn()
        {
            var scenario = SourceKilledAndReplaced();
            // The target still gives the slot it imports to the dead source (so it stays in cluster_state:fail).
            Edit(scenario, N4, f => Slots(f, "0-99", "101-5460"), 21002);
            Edit(scenario, N1, f => Slots(f, "100"), 21002);
            AddToOwnLine(scenario, N2, $"[100-<-{N1}]", $"[101-<-{N1}]");
            scenario.ClusterState[21002] = "fail";
            var plan = Plan(scenario, Keys((N4, 100, 40), (N2, 100, 60), (N4, 101, 8)));

            var moved = plan.Repairs.Single(r => r.Slot == 100);
            Assert.Equal(SlotProblem.SourceLost, moved.Problem);
            Assert.Equal(Id(N2), moved.Owner);
            Assert.Equal(KeyConflictPolicy.KeepOwnerCopy, moved.Policy);
            Assert.Equal(new[] { (Id(N4), 40L) }, moved.Donors);
            Assert.Contains("which is gone", moved.Finding);

            // No key had reached the target for slot 101: it stays with the replacement, the marker is closed.
            var untouched = plan.Repairs.Single(r => r.Slot == 101);
            Assert.Equal(Id(N4), untouched.Owner);
            Assert.Empty(untouched.Donors);
            Assert.Equal(2, plan.Repairs.Count);
            Assert.Contains("a key on both sides keeps 127.0.0.1:21002", plan.ToString());
        }

        [Fact]
        public void TargetKilledMidSlot_TheOwnerTakesBackTheKeysFromTheTargetsReplacement_KeepingItsOwnCopies()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21002);
            Everywhere(scenario, N2, "master,fail", "-", "2");
            Everywhere(scenario, N5, "master", "-", "7", "5461-10922");
            AddToOwnLine(scenario, N1, $"[100->-{N2}]");
            var repair = Plan(scenario, Keys((N1, 100, 30), (N5, 100, 20))).Repairs.Single();

            Assert.Equal(SlotProblem.TargetLost, repair.Problem);
            Assert.Equal(Id(N1), repair.Owner);
            Assert.Equal(KeyConflictPolicy.KeepOwnerCopy, repair.Policy);
            Assert.Equal(new[] { (Id(N5), 20L) }, repair.Donors);
        }

        [Fact]
        public void AnUncoveredSlot_GoesToTheMasterHoldingItsKeys()
        {
            var scenario = new HealthScenario();
            Everywhere(scenario, N1, "master", "-", "1", "0-99", "101-5460");
            var repair = Plan(scenario, Keys((N2, 100, 7))).Repairs.Single();

            Assert.Equal(SlotProblem.Uncovered, repair.Problem);
            Assert.True(repair.Assign);
            Assert.Equal(Id(N2), repair.Owner);
            Assert.Empty(repair.Donors);
        }

        [Fact]
        public void AnUncoveredSlot_WithKeysOnSeveralMasters_GoesToTheOneWithMost_TheOthersKeysMoveIn()
        {
            var scenario = new HealthScenario();
            Everywhere(scenario, N1, "master", "-", "1", "0-99", "101-5460");
            var repair = Plan(scenario, Keys((N2, 100, 2), (N3, 100, 9), (N1, 100, 1))).Repairs.Single();

            Assert.Equal(Id(N3), repair.Owner);
            Assert.Equal(new[] { Id(N1), Id(N2) }.OrderBy(i => i.ToString()), repair.Donors.Select(d => d.Node));
        }

        [Fact]
        public void UncoveredSlotsWithoutKeys_AreSpreadOverTheMastersWithFewestSlots()
        {
            var scenario = new HealthScenario();
            // N1 keeps 0-4999 and N2 5461-10922: 461 slots nobody owns, no keys anywhere.
            Everywhere(scenario, N1, "master", "-", "1", "0-4999");
            var plan = Plan(scenario);

            Assert.Equal(461, plan.Repairs.Count);
            Assert.All(plan.Repairs, r => Assert.Equal(SlotProblem.Uncovered, r.Problem));
            var given = plan.Repairs.GroupBy(r => r.Owner).ToDictionary(g => g.Key, g => g.Count());
            // N1 has 5000, N3 5461, N2 5462: N1 takes slots until it reaches N3, then they alternate.
            int n1 = given.TryGetValue(Id(N1), out int a) ? a : 0, n3 = given.TryGetValue(Id(N3), out int c) ? c : 0, n2 = given.TryGetValue(Id(N2), out int b) ? b : 0;
            Assert.Equal(461, n1 + n2 + n3);
            Assert.InRange(Math.Abs((5000 + n1) - (5461 + n3)), 0, 1);
            Assert.InRange(n2, 0, 1);
        }

        [Fact]
        public void ASlotClaimedByTwoMasters_StaysWithTheOneHoldingMostKeys()
        {
            var scenario = new HealthScenario();
            AddToOwnLine(scenario, N2, "100");
            var repair = Plan(scenario, Keys((N1, 100, 2), (N2, 100, 9))).Repairs.Single();

            Assert.Equal(SlotProblem.MultipleOwners, repair.Problem);
            Assert.Equal(Id(N2), repair.Owner);
            Assert.Equal(new[] { (Id(N1), 2L) }, repair.Donors);
            Assert.Contains("claimed by 127.0.0.1:21001", repair.Finding);
        }

        [Fact]
        public void KeysOnAMasterThatDoesNotOwnTheirSlot_MoveToTheOwner_WhenItHoldsMost()
        {
            var repair = Plan(new HealthScenario(), Keys((N1, 100, 5), (N3, 100, 4))).Repairs.Single();

            Assert.Equal(SlotProblem.StrayKeys, repair.Problem);
            Assert.Equal(Id(N1), repair.Owner);
            Assert.Equal(new[] { (Id(N3), 4L) }, repair.Donors);
        }

        [Fact]
        public void KeysOnAMasterThatDoesNotOwnTheirSlot_TakeTheSlotThere_WhenItHoldsMost_AsRedisCliCountsOwners()
        {
            var onlyThere = Plan(new HealthScenario(), Keys((N3, 100, 4))).Repairs.Single();
            Assert.Equal(Id(N3), onlyThere.Owner);
            Assert.Empty(onlyThere.Donors);

            var more = Plan(new HealthScenario(), Keys((N1, 100, 3), (N3, 100, 4))).Repairs.Single();
            Assert.Equal(Id(N3), more.Owner);
            Assert.Equal(new[] { (Id(N1), 3L) }, more.Donors);

            var tie = Plan(new HealthScenario(), Keys((N1, 100, 4), (N3, 100, 4))).Repairs.Single();
            Assert.Equal(Id(N1), tie.Owner);
        }

        [Fact]
        public void SlotsFoundAlike_PrintAsOneLine_WithTheirRanges()
        {
            var scenario = new HealthScenario();
            var markers = Enumerable.Range(100, 64).ToList();
            AddToOwnLine(scenario, N1, markers.Select(s => $"[{s}->-{N2}]").ToArray());
            AddToOwnLine(scenario, N2, markers.Select(s => $"[{s}-<-{N1}]").ToArray());
            var plan = Plan(scenario, Keys(markers.Select(s => (N1, s, 10L)).ToArray()));

            Assert.Equal(64, plan.Repairs.Count);
            var group = plan.Groups.Single();
            Assert.Equal("100-163", group.Slots.ToString());
            Assert.Equal(
                "Repair 64 slot(s):\n  slots 100-163: open, moving from 127.0.0.1:21001 (e23404f0) to 127.0.0.1:21002 (c2445dca): finish the move to 127.0.0.1:21002 (c2445dca), moving 640 key(s) in from 127.0.0.1:21001 (e23404f0)",
                plan.ToString().Replace("\r\n", "\n"));
        }

        [Fact]
        public void AMasterThatOwnsSlotsAndCannotBeReached_RefusesTheRepair()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21003);
            var error = Assert.Throws<RedisClusterException>(() => Plan(scenario));
            Assert.Equal("SlotOwnerUnreachable", error.ErrorId);
            Assert.Equal(FailureKind.InvalidState, error.Kind);
            Assert.Contains("127.0.0.1:21003", error.Message);
            Assert.Contains("Nothing was changed", error.Message);
        }

        [Fact]
        public void AMasterWhoseKeysCouldNotBeCounted_RefusesTheRepair()
        {
            var failure = new RedisClusterException(FailureKind.Timeout, "127.0.0.1:21002 did not answer in time.", HealthScenario.EndPoint(21002));
            var census = new SlotKeyCensus(new Dictionary<NodeId, IReadOnlyDictionary<int, long>>(), new[] { failure });
            var error = Assert.Throws<RedisClusterException>(() => RepairPlanner.Plan(new HealthScenario().Snapshot(), census));
            Assert.Equal("KeysNotCounted", error.ErrorId);
        }

        [Fact]
        public void ADeadReplacedSourceWithoutOpenSlots_NeedsNothing()
        {
            var plan = Plan(SourceKilledAndReplaced(), Keys((N4, 100, 40)));
            Assert.True(plan.IsEmpty);
        }

        [Fact]
        public void StopPoints_AreInert_WithoutTheTestVariable()
        {
            // The test process does not set REDISCLUSTER_TEST_STOP_AT: every stop point returns at once.
            Assert.Null(Environment.GetEnvironmentVariable(SlotMigrationStopPoints.StopAtVariable));
            foreach (SlotMigrationStopPoint point in Enum.GetValues(typeof(SlotMigrationStopPoint))) SlotMigrationStopPoints.Reach(point);
        }
    }
}
