using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>
    /// A cluster state to check, built from the captured six-node views (Data/cluster-nodes) with whatever a test
    /// changes: views, INFO fields, nodes down, hosts, settings and key counts.
    /// </summary>
    internal sealed class HealthScenario
    {
        public static readonly int[] Ports = { 21001, 21002, 21003, 21004, 21005, 21006 };

        public Dictionary<int, string> Views { get; } = Ports.ToDictionary(p => p, p => TestData.Read($"six-node-{p}.txt"));

        /// <summary>INFO lines added to a node's own (later lines win).</summary>
        public Dictionary<int, string> ExtraInfo { get; } = new Dictionary<int, string>();

        public Dictionary<int, string> ClusterState { get; } = new Dictionary<int, string>();

        public HashSet<int> Down { get; } = new HashSet<int>();

        /// <summary>Masters on h1, h2, h3; each replica on the next host: redis-cli's placement over three hosts.</summary>
        public Dictionary<int, string> Hosts { get; } = new Dictionary<int, string>
        {
            [21001] = "h1", [21002] = "h2", [21003] = "h3", [21004] = "h2", [21005] = "h3", [21006] = "h1",
        };

        public Dictionary<int, NodeConfiguration> Configuration { get; } = Ports.ToDictionary(p => p, p => Settings(p, 2000, true, true));

        public List<MasterKeyCount> KeyCounts { get; } = new List<MasterKeyCount>();

        public List<RedisClusterNode> NodesWithoutAddress { get; } = new List<RedisClusterNode>();

        public static NodeEndPoint EndPoint(int port) => new NodeEndPoint("127.0.0.1", port);

        public static NodeConfiguration Settings(int port, long nodeTimeout, bool requirePass, bool masterAuth) =>
            new NodeConfiguration(EndPoint(port), nodeTimeout, 10, requirePass, masterAuth);

        /// <summary>Replaces text in every view, for a change the whole cluster agrees on.</summary>
        public HealthScenario Everywhere(string from, string to)
        {
            foreach (int port in Ports) Views[port] = Views[port].Replace(from, to);
            return this;
        }

        public ClusterSnapshot Snapshot()
        {
            var nodes = new List<NodeSnapshot>();
            foreach (int port in Views.Keys.OrderBy(p => p))
            {
                var view = ClusterTopology.Parse(EndPoint(port), Views[port]);
                if (Down.Contains(port))
                {
                    var listedAs = ClusterTopology.Parse(EndPoint(Ports.First(p => !Down.Contains(p))), Views[Ports.First(p => !Down.Contains(p))]).Find(EndPoint(port));
                    nodes.Add(NodeSnapshot.Unanswered(EndPoint(port), listedAs,
                        new RedisClusterException(FailureKind.Unreachable, $"127.0.0.1:{port} refused the connection: nothing listens on port {port} there.", EndPoint(port)) { ErrorId = "NodeUnreachable" }));
                    continue;
                }
                var myself = view.Myself;
                string info = myself.Role == NodeRole.Replica
                    ? $"role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:{view.Find(myself.MasterNodeId.Value)?.Port}\r\nmaster_link_status:up\r\nmaster_sync_in_progress:0\r\nslave_repl_offset:5000000\r\nmaster_last_io_seconds_ago:1\r\n"
                    : "role:master\r\nconnected_slaves:1\r\nmaster_repl_offset:5000000\r\n";
                if (ExtraInfo.TryGetValue(port, out var extra)) info += extra;
                string clusterInfo = $"cluster_state:{(ClusterState.TryGetValue(port, out var state) ? state : "ok")}\r\n";
                nodes.Add(NodeSnapshot.FromReplies(EndPoint(port), info, clusterInfo, Views[port]));
            }
            return ClusterSnapshot.FromNodes(nodes, null, NodesWithoutAddress);
        }

        public ClusterHealthReadings Readings() => new ClusterHealthReadings(
            Configuration.Where(c => !Down.Contains(c.Key) && Views.ContainsKey(c.Key)).Select(c => c.Value),
            KeyCounts,
            Hosts.ToDictionary(h => EndPoint(h.Key), h => h.Value));

        public IReadOnlyList<RedisClusterCheckResult> Run() => ClusterHealthCheck.Evaluate(Snapshot(), Readings());
    }

    public class ClusterHealthCheckTests
    {
        private static List<RedisClusterCheckResult> Findings(IEnumerable<RedisClusterCheckResult> results, ClusterCheck check) =>
            results.Where(r => r.Check == check.Name && r.Severity != CheckSeverity.Ok).ToList();

        private static void AssertOnlyFindingsOf(IEnumerable<RedisClusterCheckResult> results, params ClusterCheck[] checks)
        {
            var unexpected = results.Where(r => r.Severity != CheckSeverity.Ok && !checks.Any(c => c.Name == r.Check)).Select(r => r.ToString()).ToList();
            Assert.Empty(unexpected);
        }

        [Fact]
        public void HealthyClusterOnThreeHosts_GivesOneOkRowPerCheck_InOrder()
        {
            var results = new HealthScenario().Run();
            Assert.Equal(ClusterHealthCheck.All.Select(c => c.Name), results.Select(r => r.Check));
            Assert.All(results, r => Assert.Equal(CheckSeverity.Ok, r.Severity));
            Assert.All(results, r => Assert.Null(r.EndPoint));
            Assert.True(ClusterHealthCheck.IsHealthy(results));
            Assert.Equal("Masters are spread evenly over hosts (h1: 1, h2: 1, h3: 1).", results.Single(r => r.Check == "MasterPlacement").Message);
            Assert.Equal("cluster-node-timeout is 2000 ms on every node read.", results.Single(r => r.Check == "ConfigConsistency").Message);
        }

        [Fact]
        public void EveryCheckHasAStableNameAndTheSeverityTheIssueGivesIt()
        {
            var expected = new Dictionary<string, CheckSeverity>
            {
                ["NodeReachable"] = CheckSeverity.Error, ["NodeHandshake"] = CheckSeverity.Warning, ["NodeFailing"] = CheckSeverity.Error,
                ["ClusterState"] = CheckSeverity.Error, ["SlotMapAgreement"] = CheckSeverity.Error, ["SlotCoverage"] = CheckSeverity.Error,
                ["MultipleOwners"] = CheckSeverity.Error, ["OpenSlots"] = CheckSeverity.Error, ["StrandedKeys"] = CheckSeverity.Error,
                ["ReplicaLink"] = CheckSeverity.Warning, ["ReplicaLag"] = CheckSeverity.Warning, ["MasterWithoutReplica"] = CheckSeverity.Warning,
                ["SingleHost"] = CheckSeverity.Warning, ["ReplicaPlacement"] = CheckSeverity.Warning, ["MasterPlacement"] = CheckSeverity.Warning,
                ["ConfigConsistency"] = CheckSeverity.Warning, ["AuthConsistency"] = CheckSeverity.Warning,
            };
            Assert.Equal(expected, ClusterHealthCheck.All.ToDictionary(c => c.Name, c => c.Severity));
        }

        [Fact]
        public void AFindingAlwaysHasItsChecksSeverity()
        {
            // Many faults at once: every one of them reported at the severity of its check.
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("open-slot-source-21001.txt");
            scenario.Down.Add(21003);
            scenario.ExtraInfo[21005] = "master_link_status:down\r\n";
            scenario.Configuration[21002] = HealthScenario.Settings(21002, 5000, true, false);
            var results = scenario.Run();
            var severities = ClusterHealthCheck.All.ToDictionary(c => c.Name, c => c.Severity);
            Assert.Contains(results, r => r.Severity == CheckSeverity.Error);
            Assert.Contains(results, r => r.Severity == CheckSeverity.Warning);
            Assert.All(results.Where(r => r.Severity != CheckSeverity.Ok), r => Assert.Equal(severities[r.Check], r.Severity));
            Assert.False(ClusterHealthCheck.IsHealthy(results));
        }

        [Fact]
        public void OpenSlots_NameEachNodeWithItsMoves()
        {
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("open-slot-source-21001.txt");
            scenario.Views[21002] = TestData.Read("open-slot-target-21002.txt");
            var results = scenario.Run();
            var open = Findings(results, ClusterHealthCheck.OpenSlots);
            Assert.Equal(new[] { "127.0.0.1:21001", "127.0.0.1:21002" }, open.Select(f => f.EndPoint));
            Assert.Equal(new[] { Ids.N1, Ids.N2 }, open.Select(f => f.NodeId));
            Assert.All(open, f => Assert.Equal("100", f.Slots.ToString()));
            Assert.Equal("127.0.0.1:21001 has open slots: 100 migrating to 127.0.0.1:21002.", open[0].Message);
            Assert.Equal("127.0.0.1:21002 has open slots: 100 importing from 127.0.0.1:21001.", open[1].Message);
            AssertOnlyFindingsOf(results, ClusterHealthCheck.OpenSlots);
        }

        [Fact]
        public void ANodeSeeingOtherOwners_DisagreesWithTheMajority()
        {
            // 21001 gave slot 100 away in its own view only.
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("moved-slot-21001.txt");
            var results = scenario.Run();
            var disagreement = Assert.Single(Findings(results, ClusterHealthCheck.SlotMapAgreement));
            Assert.Equal("127.0.0.1:21001", disagreement.EndPoint);
            Assert.Equal("100", disagreement.Slots.ToString());
            Assert.Equal("127.0.0.1:21001 sees other owners than most nodes for 1 slot: 100.", disagreement.Message);
            Assert.Empty(Findings(results, ClusterHealthCheck.SlotCoverage));
        }

        [Fact]
        public void TwoMastersClaimingASlotInTheirOwnViews_AreMultipleOwners()
        {
            // 21002 took slot 100 (its own view), 21001 still serves it (its own view).
            var scenario = new HealthScenario();
            scenario.Views[21002] = TestData.Read("moved-slot-21002.txt");
            var results = scenario.Run();
            var owners = Findings(results, ClusterHealthCheck.MultipleOwners);
            Assert.Equal(new[] { "127.0.0.1:21001", "127.0.0.1:21002" }, owners.Select(f => f.EndPoint));
            Assert.All(owners, f => Assert.Equal("100", f.Slots.ToString()));
            Assert.Equal("127.0.0.1:21001 claims slots 100 as its own, and so does 127.0.0.1:21002.", owners[0].Message);
        }

        [Fact]
        public void ASlotListedUnderTwoMastersInOneView_IsMultipleOwners()
        {
            var scenario = new HealthScenario();
            scenario.Views[21003] = scenario.Views[21003].Replace("connected 5461-10922", "connected 5461-10922 16000-16010");
            var results = scenario.Run();
            var inView = Findings(results, ClusterHealthCheck.MultipleOwners).Single(f => f.EndPoint == "127.0.0.1:21003" && f.Message.Contains("lists"));
            Assert.Equal("16000-16010", inView.Slots.ToString());
            Assert.Equal("127.0.0.1:21003 lists slots 16000-16010 under several masters: 127.0.0.1:21002, 127.0.0.1:21003.", inView.Message);
        }

        [Fact]
        public void SlotsNoMasterServes_AreUncovered()
        {
            var scenario = new HealthScenario().Everywhere("connected 0-5460", "connected 0-99 102-5460");
            scenario.ClusterState[21001] = "fail";
            var results = scenario.Run();
            var uncovered = Assert.Single(Findings(results, ClusterHealthCheck.SlotCoverage));
            Assert.Equal("100-101", uncovered.Slots.ToString());
            Assert.Null(uncovered.EndPoint);
            Assert.Equal("2 slots are served by no master: 100-101.", uncovered.Message);
            var state = Assert.Single(Findings(results, ClusterHealthCheck.ClusterState));
            Assert.Equal("127.0.0.1:21001 reports cluster_state:fail: it refuses queries.", state.Message);
            AssertOnlyFindingsOf(results, ClusterHealthCheck.SlotCoverage, ClusterHealthCheck.ClusterState);
        }

        [Fact]
        public void ANodeThatDoesNotAnswer_IsUnreachable_WithItsRole()
        {
            var scenario = new HealthScenario();
            scenario.Down.Add(21005);
            var results = scenario.Run();
            var down = Assert.Single(Findings(results, ClusterHealthCheck.NodeReachable));
            Assert.Equal("127.0.0.1:21005", down.EndPoint);
            Assert.Equal(Ids.N5, down.NodeId);
            Assert.Equal("127.0.0.1:21005 refused the connection: nothing listens on port 21005 there. It is listed as a replica of 127.0.0.1:21002.", down.Message);
        }

        [Fact]
        public void ANodeKnownWithoutAddress_IsUnreachable()
        {
            var scenario = new HealthScenario();
            scenario.NodesWithoutAddress.Add(ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 21010), TestData.Read("noaddr-21010.txt")).Find(Ids.Id(Ids.NoAddrOld)));
            var finding = Assert.Single(Findings(scenario.Run(), ClusterHealthCheck.NodeReachable));
            Assert.Equal(Ids.NoAddrOld, finding.NodeId);
            Assert.Null(finding.EndPoint);
            Assert.Equal("6bf838c9 is known to the cluster without an address (master,noaddr): it cannot be asked.", finding.Message);
        }

        [Fact]
        public void ReadsThatTimeOutAfterTheSnapshot_AreUnreachableToo_ButARefusalIsTheChecksOwn()
        {
            var scenario = new HealthScenario();
            scenario.Configuration[21004] = new NodeConfiguration(HealthScenario.EndPoint(21004),
                new RedisClusterException(FailureKind.Timeout, "127.0.0.1:21004 did not answer CONFIG GET within 5 s.", HealthScenario.EndPoint(21004)));
            scenario.Configuration[21005] = new NodeConfiguration(HealthScenario.EndPoint(21005),
                new RedisServerErrorException(HealthScenario.EndPoint(21005), "CONFIG GET", "NOPERM this user has no permissions to run the 'config|get' command"));
            var results = scenario.Run();
            Assert.Equal("127.0.0.1:21004 did not answer CONFIG GET within 5 s.", Assert.Single(Findings(results, ClusterHealthCheck.NodeReachable)).Message);
            var refused = Assert.Single(Findings(results, ClusterHealthCheck.ConfigConsistency));
            Assert.Equal("127.0.0.1:21005", refused.EndPoint);
            Assert.StartsWith("The settings of 127.0.0.1:21005 could not be read: 127.0.0.1:21005 answered CONFIG GET with NOPERM", refused.Message);
        }

        [Fact]
        public void ANodeInHandshake_IsAWarning()
        {
            var scenario = new HealthScenario();
            scenario.Views[21003] = TestData.Read("handshake-21003.txt");
            var results = scenario.Run();
            var shaking = Assert.Single(Findings(results, ClusterHealthCheck.NodeHandshake));
            Assert.Equal(CheckSeverity.Warning, shaking.Severity);
            Assert.Equal("127.0.0.1:21099", shaking.EndPoint);
            Assert.Null(shaking.NodeId);
            Assert.StartsWith("127.0.0.1:21099 is still in a handshake with 127.0.0.1:21003", shaking.Message);
        }

        [Fact]
        public void AnAddressOnlyAHandshakeNames_IsNoUnreachableMember()
        {
            var scenario = new HealthScenario();
            scenario.Views[21003] = TestData.Read("handshake-21003.txt");
            var listedAs = ClusterTopology.Parse(HealthScenario.EndPoint(21003), scenario.Views[21003]).Find(new NodeEndPoint("127.0.0.1", 21099));
            var nowhere = NodeSnapshot.Unanswered(new NodeEndPoint("127.0.0.1", 21099), listedAs,
                new RedisClusterException(FailureKind.Unreachable, "127.0.0.1:21099 refused the connection.", new NodeEndPoint("127.0.0.1", 21099)));
            var snapshot = ClusterSnapshot.FromNodes(scenario.Snapshot().Nodes.Concat(new[] { nowhere }));
            var results = ClusterHealthCheck.Evaluate(snapshot, scenario.Readings());
            Assert.Empty(Findings(results, ClusterHealthCheck.NodeReachable));
            Assert.Equal("All 6 nodes answered.", results.Single(r => r.Check == "NodeReachable").Message);
            Assert.Single(Findings(results, ClusterHealthCheck.NodeHandshake));
        }

        [Fact]
        public void FlaggedNodes_AreFailing_NamingWhoFlagsThem()
        {
            var scenario = new HealthScenario();
            scenario.Views[21001] = TestData.Read("pfail-21001.txt");
            scenario.Views[21004] = TestData.Read("pfail-21004.txt");
            var failing = Findings(scenario.Run(), ClusterHealthCheck.NodeFailing);
            var byEndPoint = failing.ToDictionary(f => f.EndPoint);
            Assert.Equal(new[] { "127.0.0.1:21002", "127.0.0.1:21003", "127.0.0.1:21006" }, byEndPoint.Keys.OrderBy(k => k));
                        // Described as the majority's view lists it.
            Assert.Equal("127.0.0.1:21003 (master of 5461 slots) is flagged fail by 127.0.0.1:21001, 127.0.0.1:21004.", byEndPoint["127.0.0.1:21003"].Message);
            Assert.StartsWith("127.0.0.1:21002 (master of 5462 slots) is flagged fail? (suspected) by 127.0.0.1:21001", byEndPoint["127.0.0.1:21002"].Message);
        }

        [Fact]
        public void TheSeedsStateAfterAFailover_MastersUneven_OldMasterDown()
        {
            // 21003 (h3) died, its replica 21006 (h1) took over: h1 carries two masters, h3 none.
            var scenario = new HealthScenario();
            foreach (int port in new[] { 21001, 21002, 21004, 21005, 21006 }) scenario.Views[port] = TestData.Read($"after-failover-{port}.txt");
            scenario.Down.Add(21003);
            var results = scenario.Run();
            var uneven = Assert.Single(Findings(results, ClusterHealthCheck.MasterPlacement));
            Assert.Equal("Masters are spread unevenly: h1 carries 2, h3 none; losing a busy host takes several shards' masters at once.", uneven.Message);
            Assert.Null(uneven.EndPoint);
            Assert.Single(Findings(results, ClusterHealthCheck.NodeReachable));
            Assert.Equal("127.0.0.1:21003", Assert.Single(Findings(results, ClusterHealthCheck.NodeFailing)).EndPoint);
            Assert.Equal("127.0.0.1:21006", Assert.Single(Findings(results, ClusterHealthCheck.MasterWithoutReplica)).EndPoint);
        }

        [Fact]
        public void ReplicaLinkDown_OrStillSyncing_IsAWarning()
        {
            var scenario = new HealthScenario();
            scenario.ExtraInfo[21004] = "master_link_status:down\r\n";
            scenario.ExtraInfo[21005] = "master_link_status:down\r\nmaster_sync_in_progress:1\r\n";
            var links = Findings(scenario.Run(), ClusterHealthCheck.ReplicaLink);
            Assert.Equal(new[]
            {
                "Replica 127.0.0.1:21004 has its link to 127.0.0.1:21001 down: it receives no writes.",
                "Replica 127.0.0.1:21005 is still in a full sync with 127.0.0.1:21002: it is no usable copy yet.",
            }, links.Select(l => l.Message));
        }

        [Theory]
        [InlineData(5000000 - 2 * 1024 * 1024, 1, true)]
        [InlineData(5000000 - 1024 * 1024, 1, false)]
        [InlineData(5000000, 13, true)]
        [InlineData(5000000, 12, false)]
        public void ReplicaLag_ByOffsetOrSilence(long replicaOffset, int secondsSilent, bool lags)
        {
            // Node timeout 2000 ms plus the 10 s ping period: silence beyond 12 s is lag.
            var scenario = new HealthScenario();
            scenario.ExtraInfo[21006] = $"slave_repl_offset:{replicaOffset}\r\nmaster_last_io_seconds_ago:{secondsSilent}\r\n";
            var lag = Findings(scenario.Run(), ClusterHealthCheck.ReplicaLag);
            Assert.Equal(lags ? 1 : 0, lag.Count);
            if (lags) Assert.Equal("127.0.0.1:21006", lag[0].EndPoint);
            if (lags && secondsSilent > 1) Assert.Equal("Replica 127.0.0.1:21006 has not heard from 127.0.0.1:21003 for 13 s (more than 12 s: cluster-node-timeout plus repl-ping-replica-period).", lag[0].Message);
            if (lags && secondsSilent == 1) Assert.Equal("Replica 127.0.0.1:21006 is 2,097,152 bytes behind 127.0.0.1:21003 (more than 1 MB): a failover now would lose those writes.", lag[0].Message);
        }

        [Fact]
        public void AMasterWhoseReplicaMovedAway_HasNoReplica()
        {
            var scenario = new HealthScenario().Everywhere($"slave {Ids.N1}", $"slave {Ids.N2}");
            var results = scenario.Run();
            var alone = Assert.Single(Findings(results, ClusterHealthCheck.MasterWithoutReplica));
            Assert.Equal("127.0.0.1:21001", alone.EndPoint);
            Assert.Equal("Master 127.0.0.1:21001 has no replica: losing it loses 5461 slots with their data.", alone.Message);
            // 21004 (h2) now replicates 21002 on h2.
            Assert.Equal("127.0.0.1:21004", Assert.Single(Findings(results, ClusterHealthCheck.ReplicaPlacement)).EndPoint);
        }

        [Fact]
        public void OneHost_GivesOneSingleHostWarning_AndNoPlacementRows()
        {
            var scenario = new HealthScenario();
            foreach (int port in HealthScenario.Ports) scenario.Hosts[port] = "127.0.0.1";
            var results = scenario.Run();
            var single = Assert.Single(results, r => r.Check == "SingleHost");
            Assert.Equal(CheckSeverity.Warning, single.Severity);
            Assert.Equal("All 6 nodes run on one host (127.0.0.1): losing it loses the cluster, whatever the placement.", single.Message);
            Assert.DoesNotContain(results, r => r.Check == "ReplicaPlacement" || r.Check == "MasterPlacement");
            Assert.Equal(ClusterHealthCheck.All.Count - 2, results.Count);
        }

        [Fact]
        public void AReplicaOnItsMastersHost_IsReported_NamingTheReplica()
        {
            var scenario = new HealthScenario();
            scenario.Hosts[21004] = "h1";
            scenario.Hosts[21006] = "h2";
            var placement = Assert.Single(Findings(scenario.Run(), ClusterHealthCheck.ReplicaPlacement));
            Assert.Equal("127.0.0.1:21004", placement.EndPoint);
            Assert.Equal(Ids.N4, placement.NodeId);
            Assert.Equal("127.0.0.1:21004 replicates 127.0.0.1:21001 on the same host (h1): losing that host loses both.", placement.Message);
        }

        [Fact]
        public void ANodeTimeoutUnlikeTheOthers_IsReportedOnThatNodeOnly()
        {
            var scenario = new HealthScenario();
            scenario.Configuration[21003] = HealthScenario.Settings(21003, 3000, true, true);
            var odd = Assert.Single(Findings(scenario.Run(), ClusterHealthCheck.ConfigConsistency));
            Assert.Equal("127.0.0.1:21003", odd.EndPoint);
            Assert.Equal("127.0.0.1:21003 has cluster-node-timeout 3000 ms, 5 other nodes have 2000 ms: nodes would judge failures and fail over on different clocks.", odd.Message);
        }

        [Fact]
        public void PasswordSettingsUnlikeTheOthers_AreReported_TiesNameTheNodesWithout()
        {
            var scenario = new HealthScenario();
            scenario.Configuration[21002] = HealthScenario.Settings(21002, 2000, true, false);
            var odd = Assert.Single(Findings(scenario.Run(), ClusterHealthCheck.AuthConsistency));
            Assert.Equal("127.0.0.1:21002", odd.EndPoint);
            Assert.StartsWith("127.0.0.1:21002 has no masterauth, 5 other nodes have one:", odd.Message);

            foreach (int port in new[] { 21001, 21002, 21003 }) scenario.Configuration[port] = HealthScenario.Settings(port, 2000, false, true);
            var tie = Findings(scenario.Run(), ClusterHealthCheck.AuthConsistency);
            Assert.Equal(new[] { "127.0.0.1:21001", "127.0.0.1:21002", "127.0.0.1:21003" }, tie.Select(f => f.EndPoint));
            Assert.All(tie, f => Assert.Contains("has no requirepass", f.Message));
        }

        [Fact]
        public void KeysInSlotsTheMasterDoesNotOwn_AreStranded()
        {
            var scenario = new HealthScenario();
            scenario.KeyCounts.Add(new MasterKeyCount(HealthScenario.EndPoint(21002), 10, 7, new Dictionary<int, long> { [100] = 2, [101] = 1 }));
            scenario.KeyCounts.Add(new MasterKeyCount(HealthScenario.EndPoint(21001), 5, 5, null));
            var results = scenario.Run();
            var stranded = Assert.Single(Findings(results, ClusterHealthCheck.StrandedKeys));
            Assert.Equal("127.0.0.1:21002", stranded.EndPoint);
            Assert.Equal(Ids.N2, stranded.NodeId);
            Assert.Equal("100-101", stranded.Slots.ToString());
            Assert.Equal("127.0.0.1:21002 holds 3 keys in 2 slots it does not own (100-101): no client reaches them there.", stranded.Message);
            AssertOnlyFindingsOf(results, ClusterHealthCheck.StrandedKeys);
        }

        [Fact]
        public void NoNodeAnswering_IsOneNodeReachableError()
        {
            var failure = new RedisClusterException(FailureKind.Unreachable, "127.0.0.1:21001 refused the connection.", HealthScenario.EndPoint(21001));
            var result = Assert.Single(ClusterHealthCheck.Unreachable(failure, null));
            Assert.Equal("NodeReachable", result.Check);
            Assert.Equal(CheckSeverity.Error, result.Severity);
            Assert.Equal("127.0.0.1:21001", result.EndPoint);
            Assert.False(ClusterHealthCheck.IsHealthy(new[] { result }));
            Assert.True(ClusterHealthCheck.IsUnreachable(failure));
            Assert.False(ClusterHealthCheck.IsUnreachable(new RedisClusterException(FailureKind.Authentication, "wrong password")));
        }
    }

    public class HostResolverTests
    {
        [Fact]
        public async System.Threading.Tasks.Task MapsEndPointsFirst_ThenHosts_ThenAddresses()
        {
            var resolver = new HostResolver(new Dictionary<string, string> { ["127.0.0.1:7001"] = "rack-b", ["127.0.0.1"] = "rack-a", ["localhost:7003"] = "rack-c" });
            Assert.Equal("rack-b", await resolver.HostOfAsync(new NodeEndPoint("127.0.0.1", 7001)));
            Assert.Equal("rack-a", await resolver.HostOfAsync(new NodeEndPoint("127.0.0.1", 7002)));
            // The cluster lists nodes by IP; an entry naming the host matches its address.
            Assert.Equal("rack-c", await resolver.HostOfAsync(new NodeEndPoint("127.0.0.1", 7003)));
            Assert.Equal("127.0.0.2", await resolver.HostOfAsync(new NodeEndPoint("127.0.0.2", 7001)));
        }

        [Theory]
        [InlineData("127.0.0.1", "", "these have no failure domain: 127.0.0.1")]
        [InlineData("127.0.0.1", null, "these have no failure domain: 127.0.0.1")]
        [InlineData(" ", "rack-a", "1 entry names no host or endpoint")]
        public void RefusesAnEntryWithoutHostOrDomain(string key, string domain, string problem)
        {
            var e = Assert.Throws<RedisClusterException>(() => new HostResolver(new[] { new KeyValuePair<string, string>(key, domain) }));
            Assert.Equal("InvalidHostMap", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
            Assert.Contains(problem, e.Message);
        }

        [Fact]
        public void RefusesTheSameHostTwice()
        {
            var e = Assert.Throws<RedisClusterException>(() => new HostResolver(new[]
            {
                new KeyValuePair<string, string>("127.0.0.1", "a"), new KeyValuePair<string, string>(" 127.0.0.1", "b"),
            }));
            Assert.Equal("InvalidHostMap", e.ErrorId);
            Assert.Contains("these are given more than once: 127.0.0.1", e.Message);
        }
    }
}
