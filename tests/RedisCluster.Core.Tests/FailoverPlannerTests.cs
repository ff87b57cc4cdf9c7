using System;
using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>FailoverPlanner's choices and refusals, and the "failover finished" condition, on the captured six-node cluster.</summary>
    public class FailoverPlannerTests
    {
        private const string ExtraReplica = "0a0b0c0d0e0f00000000000000000000000000f7";

        private static RedisClusterException Refusal(Func<FailoverPlan> plan) => Assert.Throws<RedisClusterException>(plan);

        /// <summary>The six-node cluster with a second replica of 21001 at 21007, both replicas at the offsets given.</summary>
        private static HealthScenario TwoReplicasOfN1(long offset21004, long offset21007)
        {
            var scenario = new HealthScenario();
            string line = $"{ExtraReplica} 127.0.0.1:21007@31007 slave {Ids.N1} 0 1795571823130 1 connected\n";
            foreach (int port in HealthScenario.Ports) scenario.Views[port] += line;
            scenario.Views[21007] = scenario.Views[21001].Replace("myself,master", "master").Replace("21007@31007 slave", "21007@31007 myself,slave");
            scenario.ExtraInfo[21004] = $"slave_repl_offset:{offset21004}\r\n";
            scenario.ExtraInfo[21007] = $"slave_repl_offset:{offset21007}\r\n";
            return scenario;
        }

        [Fact]
        public void AReplicaInSync_IsPromoted_AndItsMasterFollowsIt()
        {
            var plan = FailoverPlanner.PlanForReplica(new HealthScenario().Snapshot(), Ids.Id(Ids.N4), FailoverMode.Default);
            Assert.Equal(Ids.N4, plan.Replica.NodeId);
            Assert.Equal(Ids.N1, plan.Master.NodeId);
            Assert.Empty(plan.OtherReplicas);
            Assert.Equal(new[] { Ids.Id(Ids.N1) }, plan.FollowerIds);
            Assert.False(plan.MayLoseWrites);
            Assert.Empty(plan.Warnings);
            Assert.StartsWith("Promote 127.0.0.1:21004 (1be83e51) to master in place of 127.0.0.1:21001 (e23404f0)", plan.ToString());
        }

        [Fact]
        public void AMaster_IsRefused_PointingToMasterId()
        {
            var e = Refusal(() => FailoverPlanner.PlanForReplica(new HealthScenario().Snapshot(), Ids.Id(Ids.N1), FailoverMode.Default));
            Assert.Equal("NotAReplica", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
            Assert.Contains("-MasterId", e.Message);
        }

        [Fact]
        public void AnUnknownId_IsNotFound()
        {
            var e = Refusal(() => FailoverPlanner.PlanForReplica(new HealthScenario().Snapshot(), Ids.Id(ExtraReplica), FailoverMode.Default));
            Assert.Equal("NodeNotFound", e.ErrorId);
            Assert.Equal(FailureKind.NotFound, e.Kind);
        }

        [Theory]
        [InlineData("master_link_status:down\r\n", "ReplicaLinkDown")]
        [InlineData("master_sync_in_progress:1\r\n", "ReplicaSyncing")]
        public void ALinkDownOrAFirstSync_IsRefusedInDefaultMode_ButNotInForce(string info, string errorId)
        {
            var scenario = new HealthScenario();
            scenario.ExtraInfo[21004] = info;
            var e = Refusal(() => FailoverPlanner.PlanForReplica(scenario.Snapshot(), Ids.Id(Ids.N4), FailoverMode.Default));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(FailureKind.InvalidState, e.Kind);
            Assert.EndsWith("nothing was changed.", e.Message);

            var forced = FailoverPlanner.PlanForReplica(scenario.Snapshot(), Ids.Id(Ids.N4), FailoverMode.Force);
            Assert.True(forced.MayLoseWrites);
            // The master is up: a forced failover is warned about.
            Assert.Contains(forced.Warnings, w => w.Contains("can lose writes it acknowledged"));
        }

        [Fact]
        public void AnUnreachableReplica_IsRefusedInEveryMode()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21004);
            foreach (var mode in new[] { FailoverMode.Default, FailoverMode.Force, FailoverMode.Takeover })
            {
                var e = Refusal(() => FailoverPlanner.PlanForReplica(scenario.Snapshot(), Ids.Id(Ids.N4), mode));
                Assert.Equal("ReplicaUnreachable", e.ErrorId);
                Assert.Equal(FailureKind.Unreachable, e.Kind);
            }
        }

        [Fact]
        public void AFailingReplica_IsRefused()
        {
            var scenario = new HealthScenario().Everywhere("21004@31004 slave ", "21004@31004 slave,fail ");
            var e = Refusal(() => FailoverPlanner.PlanForReplica(scenario.Snapshot(), Ids.Id(Ids.N4), FailoverMode.Force));
            Assert.Equal("ReplicaFailing", e.ErrorId);
        }

        [Fact]
        public void ADeadMaster_IsRefusedInDefaultMode_SuggestingForce_WhichIsPlannedWithoutWarningAboutIt()
        {
            var scenario = new HealthScenario().Everywhere("21001@31001 master ", "21001@31001 master,fail ");
            scenario.Down.Add(21001);
            scenario.ExtraInfo[21004] = "master_link_status:down\r\n";
            var e = Refusal(() => FailoverPlanner.PlanForReplica(scenario.Snapshot(), Ids.Id(Ids.N4), FailoverMode.Default));
            Assert.Equal("MasterDown", e.ErrorId);
            Assert.Contains("-Mode Force", e.Message);

            var forced = FailoverPlanner.PlanForReplica(scenario.Snapshot(), Ids.Id(Ids.N4), FailoverMode.Force);
            Assert.Equal(Ids.N4, forced.Replica.NodeId);
            Assert.Empty(forced.Warnings);
        }

        [Theory]
        [InlineData(5000, 7000, ExtraReplica)]
        [InlineData(9000, 7000, Ids.N4)]
        [InlineData(7000, 7000, Ids.N4)] // equal offsets: the lower endpoint, so the choice repeats
        public void MasterId_PicksTheReplicaWithTheHighestOffset(long offset21004, long offset21007, string expected)
        {
            var plan = FailoverPlanner.PlanForMaster(TwoReplicasOfN1(offset21004, offset21007).Snapshot(), Ids.Id(Ids.N1), FailoverMode.Default);
            Assert.Equal(expected, plan.Replica.NodeId);
            Assert.Equal(2, plan.FollowerIds.Count());
        }

        [Fact]
        public void MasterId_SkipsAReplicaWithItsLinkDown_EvenWithAHigherOffset()
        {
            var scenario = TwoReplicasOfN1(5000, 9000);
            scenario.ExtraInfo[21007] += "master_link_status:down\r\n";
            Assert.Equal(Ids.N4, FailoverPlanner.PlanForMaster(scenario.Snapshot(), Ids.Id(Ids.N1), FailoverMode.Default).Replica.NodeId);
        }

        [Fact]
        public void MasterId_WithNoUsableReplica_IsRefused_SayingWhyForEach()
        {
            var scenario = TwoReplicasOfN1(5000, 9000);
            scenario.ExtraInfo[21004] += "master_sync_in_progress:1\r\n";
            scenario.Down.Add(21007);
            var e = Refusal(() => FailoverPlanner.PlanForMaster(scenario.Snapshot(), Ids.Id(Ids.N1), FailoverMode.Default));
            Assert.Equal("NoUsableReplica", e.ErrorId);
            Assert.Equal(FailureKind.InvalidState, e.Kind);
            Assert.Contains("127.0.0.1:21004 (1be83e51) is still in its first sync", e.Message);
            Assert.Contains("127.0.0.1:21007 (0a0b0c0d) cannot be reached", e.Message);
        }

        [Fact]
        public void MasterId_OfAMasterWithoutReplicas_IsRefused()
        {
            var scenario = new HealthScenario().Everywhere($"slave {Ids.N1}", $"slave {Ids.N2}");
            var e = Refusal(() => FailoverPlanner.PlanForMaster(scenario.Snapshot(), Ids.Id(Ids.N1), FailoverMode.Default));
            Assert.Equal("NoUsableReplica", e.ErrorId);
            Assert.Contains("it has no replica", e.Message);
        }

        [Fact]
        public void MasterId_NamingAReplica_IsRefused()
        {
            var e = Refusal(() => FailoverPlanner.PlanForMaster(new HealthScenario().Snapshot(), Ids.Id(Ids.N4), FailoverMode.Default));
            Assert.Equal("NotAMaster", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        }

        /// <summary>Rewrites the views as after a failover of 21001 to 21004, in the views of the ports given.</summary>
        private static HealthScenario Promoted(HealthScenario scenario, params int[] ports)
        {
            foreach (int port in ports)
            {
                scenario.Views[port] = string.Join("\n", scenario.Views[port].Split('\n').Select(line =>
                {
                    var fields = line.Split(' ');
                    if (fields.Length < 8) return line;
                    string myself = fields[2].StartsWith("myself,") ? "myself," : string.Empty;
                    if (fields[0] == Ids.N4) return string.Join(" ", fields.Take(2).Concat(new[] { myself + "master", "-" }).Concat(fields.Skip(4).Take(4)).Concat(new[] { "0-5460" }));
                    if (fields[0] == Ids.N1) return string.Join(" ", fields.Take(2).Concat(new[] { myself + "slave", Ids.N4 }).Concat(fields.Skip(4).Take(4)));
                    return line;
                }));
            }
            return scenario;
        }

        [Fact]
        public void Settled_WhenEveryViewShowsTheNewMaster_AndTheOldOneReplicatesIt()
        {
            var followers = new[] { Ids.Id(Ids.N1) };
            var before = new HealthScenario().Snapshot();
            Assert.Equal(6, before.FailoverProblems(Ids.Id(Ids.N4), followers).Count(p => p.Contains("does not see 127.0.0.1:21004 as a master yet")));
            Assert.True(before.IsStillReplica(Ids.Id(Ids.N4)));

            var halfway = Promoted(new HealthScenario(), 21004, 21001, 21002).Snapshot();
            var open = halfway.FailoverProblems(Ids.Id(Ids.N4), followers).ToList();
            Assert.Equal(new[] { "127.0.0.1:21003", "127.0.0.1:21005", "127.0.0.1:21006" }, open.Select(p => p.Split(' ')[0]));
            Assert.False(halfway.IsStillReplica(Ids.Id(Ids.N4)));

            var done = Promoted(new HealthScenario(), HealthScenario.Ports).Snapshot();
            Assert.Empty(done.FailoverProblems(Ids.Id(Ids.N4), followers));
        }

        [Fact]
        public void Settled_ByRolesAlone_TheOldMastersLinkDownIsALinkProblemOnly()
        {
            // A follower that cannot link (a wrong masterauth) does not undo the promotion: the runner warns about it.
            var scenario = Promoted(new HealthScenario(), HealthScenario.Ports);
            scenario.ExtraInfo[21001] = "master_link_status:down\r\n";
            var snapshot = scenario.Snapshot();
            var followers = new[] { Ids.Id(Ids.N1) };
            Assert.Empty(snapshot.FailoverProblems(Ids.Id(Ids.N4), followers));
            Assert.Equal(new[] { "127.0.0.1:21001 has its link to 127.0.0.1:21004 down" }, snapshot.FollowerLinkProblems(Ids.Id(Ids.N4), followers));
            Assert.Empty(Promoted(new HealthScenario(), HealthScenario.Ports).Snapshot().FollowerLinkProblems(Ids.Id(Ids.N4), followers));
        }

        [Theory]
        [InlineData(2000, 8)]
        [InlineData(1000, 4)]
        [InlineData(500, 4)]
        [InlineData(15000, 60)]
        public void TheElectionInterval_IsTwiceTheElectionTimeout_OfAtLeastTwoSeconds(long nodeTimeout, double seconds)
        {
            // cluster.c: auth_timeout = max(2 x node timeout, 2000 ms), auth_retry_time = 2 x auth_timeout.
            Assert.Equal(TimeSpan.FromSeconds(seconds), FailoverRunner.ElectionInterval(nodeTimeout));
        }

        [Fact]
        public void AReplicaElectedRecently_WaitsOnlyForWhatIsLeftOfTheInterval()
        {
            var interval = FailoverRunner.ElectionInterval(2000);
            Assert.Equal(TimeSpan.FromSeconds(6.5), FailoverRunner.RemainingElectionWait(interval, TimeSpan.FromSeconds(1.5)));
            Assert.Equal(TimeSpan.Zero, FailoverRunner.RemainingElectionWait(interval, TimeSpan.FromSeconds(8)));
            Assert.Equal(TimeSpan.Zero, FailoverRunner.RemainingElectionWait(interval, TimeSpan.FromMinutes(5)));
        }

        [Fact]
        public void Settled_DoesNotWaitForADeadOldMaster()
        {
            // The capture after 21003 was killed and 21006 took over: 21003 does not answer.
            var scenario = new HealthScenario();
            foreach (int port in new[] { 21001, 21002, 21004, 21005, 21006 }) scenario.Views[port] = TestData.Read($"after-failover-{port}.txt");
            scenario.Down.Add(21003);
            Assert.Empty(scenario.Snapshot().FailoverProblems(Ids.Id(Ids.N6), new[] { Ids.Id(Ids.N3) }));
        }
    }
}
