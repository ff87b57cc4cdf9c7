using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>
    /// PlacementOptimizer on constructed and captured clusters: the plan is judged by PlacementRules.Evaluate, the same
    /// rules Test-RedisCluster reports, after its steps are replayed one by one.
    /// </summary>
    public class PlacementOptimizerTests
    {
        private static PlacedNode M(string key, string host, bool servesSlots = true) => new PlacedNode(key, key + ":6379", host, servesSlots, null);
        private static PlacedNode R(string key, string host, string master) => new PlacedNode(key, key + ":6379", host, false, master);

        /// <summary>Replays steps as Redis carries them out: a failover swaps a replica with its master and the shard follows; a move re-points one replica.</summary>
        internal static List<PlacedNode> Replay(IReadOnlyList<PlacedNode> nodes, IEnumerable<PlacementStep> steps)
        {
            var state = nodes.ToList();
            foreach (var step in steps)
            {
                var node = state.Single(n => n.Key == step.NodeId);
                Assert.False(node.MasterKey == null, $"step {step.Step} acts on {node.Key}, which is no replica");
                Assert.Equal(node.MasterKey, step.FromId);
                if (step.Action == PlacementAction.MoveReplica)
                {
                    Assert.Null(state.Single(n => n.Key == step.ToId).MasterKey);
                    state[state.IndexOf(node)] = new PlacedNode(node.Key, node.EndPoint, node.Host, false, step.ToId);
                    continue;
                }
                var master = state.Single(n => n.Key == node.MasterKey);
                state = state.Select(n =>
                    n.Key == node.Key ? new PlacedNode(n.Key, n.EndPoint, n.Host, master.IsMaster, null)
                    : n.Key == master.Key ? new PlacedNode(n.Key, n.EndPoint, n.Host, false, node.Key)
                    : n.MasterKey == master.Key ? new PlacedNode(n.Key, n.EndPoint, n.Host, false, node.Key)
                    : n).ToList();
            }
            return state;
        }

        private static PlacementPlan PlanAndReplay(IReadOnlyList<PlacedNode> nodes, out List<PlacedNode> after)
        {
            var plan = PlacementOptimizer.Plan(nodes);
            after = Replay(nodes, plan.Steps);
            Assert.Equal(Describe(plan.After), Describe(after));
            Assert.Equal(Enumerable.Range(1, plan.Steps.Count), plan.Steps.Select(s => s.Step));
            // Failovers come first, then replica moves.
            Assert.Equal(plan.Steps.OrderBy(s => s.Action == PlacementAction.Failover ? 0 : 1).Select(s => s.Step), plan.Steps.Select(s => s.Step));
            return plan;
        }

        private static string Describe(IEnumerable<PlacedNode> nodes) =>
            string.Join(" ", nodes.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => $"{n.Key}@{n.Host}{(n.IsMaster ? "*" : string.Empty)}>{n.MasterKey}"));

        [Fact]
        public void AWellPlacedCluster_GetsNoStep()
        {
            var nodes = new[] { M("m1", "h1"), M("m2", "h2"), M("m3", "h3"), R("r1", "h2", "m1"), R("r2", "h3", "m2"), R("r3", "h1", "m3") };
            var plan = PlacementOptimizer.Plan(nodes);
            Assert.Empty(plan.Before);
            Assert.Empty(plan.Steps);
            Assert.Empty(plan.Remaining);
        }

        [Fact]
        public void TheSeedsDrill_OneHostWithTwoMasters_IsMendedByOneFailover()
        {
            // m1 on h1 died, its replica r1 on h2 took over, m1 came back as r1's replica: h2 has two masters, h1 none.
            var nodes = new[] { R("m1", "h1", "r1"), R("r3", "h1", "m3"), M("m2", "h2"), M("r1", "h2"), M("m3", "h3"), R("r2", "h3", "m2") };
            var plan = PlanAndReplay(nodes, out var after);
            Assert.Equal(PlacementProblem.MastersUneven, Assert.Single(plan.Before).Problem);
            var step = Assert.Single(plan.Steps);
            Assert.Equal(PlacementAction.Failover, step.Action);
            Assert.Equal("m1", step.NodeId);
            Assert.Equal("r1:6379", step.From);
            Assert.Equal("m1:6379", step.To);
            Assert.Equal("h2 carries 2 master(s), h1 0: the shard's master moves to h1", step.Why);
            Assert.Empty(plan.Remaining);
            Assert.Empty(PlacementRules.Evaluate(after));
        }

        [Fact]
        public void TwoMastersKilledOneAfterTheOther_AreMendedByTheOneFailoverThatSuffices()
        {
            // m1 (h1) and then m2 (h2) died and came back as replicas of r1 (h2) and r2 (h3): h3 has two masters, h1 none.
            var nodes = new[] { R("m1", "h1", "r1"), R("r3", "h1", "m3"), R("m2", "h2", "r2"), M("r1", "h2"), M("m3", "h3"), M("r2", "h3") };
            var plan = PlanAndReplay(nodes, out var after);
            var step = Assert.Single(plan.Steps);
            Assert.Equal(PlacementAction.Failover, step.Action);
            Assert.Equal("r3", step.NodeId);
            Assert.Empty(PlacementRules.Evaluate(after));
        }

        [Fact]
        public void AReplicaOnItsMastersHost_IsSwappedWithAnotherShardsReplica_KeepingOneReplicaEach()
        {
            var nodes = new[] { M("m1", "h1"), M("m2", "h2"), M("m3", "h3"), R("r1", "h1", "m1"), R("r2", "h3", "m2"), R("r3", "h2", "m3") };
            var plan = PlanAndReplay(nodes, out var after);
            Assert.Equal(PlacementProblem.ReplicaOnMasterHost, Assert.Single(plan.Before).Problem);
            Assert.Equal(2, plan.Steps.Count);
            Assert.All(plan.Steps, s => Assert.Equal(PlacementAction.MoveReplica, s.Action));
            // The replica on its master's host moves first.
            Assert.Equal("r1", plan.Steps[0].NodeId);
            Assert.StartsWith("it runs on its master's host (h1)", plan.Steps[0].Why);
            Assert.Empty(PlacementRules.Evaluate(after));
            Assert.All(after.Where(n => n.IsMaster), m => Assert.Single(after, r => r.MasterKey == m.Key));
        }

        [Fact]
        public void AFailoverIsPreferredToMoves_WhenOneFixesBoth()
        {
            // m1 and r1a share h1, r1b is on h3; h1 carries two masters. Promoting r1b fixes both in one step.
            var nodes = new[] { M("m1", "h1"), R("r1a", "h1", "m1"), R("r1b", "h3", "m1"), M("m2", "h1"), R("r2", "h2", "m2"), M("m3", "h2"), R("r3", "h3", "m3") };
            var plan = PlanAndReplay(nodes, out var after);
            var step = Assert.Single(plan.Steps);
            Assert.Equal(PlacementAction.Failover, step.Action);
            Assert.Equal("r1b", step.NodeId);
            Assert.Empty(PlacementRules.Evaluate(after));
        }

        [Fact]
        public void TooFewHosts_DoesItsBest_AndSaysWhatRemains()
        {
            // Three of four nodes on h1: one replica must share its master's host, whatever the placement; the masters can still be spread.
            var nodes = new[] { M("m1", "h1"), R("r1", "h1", "m1"), M("m2", "h1"), R("r2", "h2", "m2") };
            var plan = PlanAndReplay(nodes, out var after);
            Assert.Equal(2, plan.Before.Count);
            var step = Assert.Single(plan.Steps);
            Assert.Equal("r2", step.NodeId);
            var remaining = Assert.Single(plan.Remaining);
            Assert.Equal(PlacementProblem.ReplicaOnMasterHost, remaining.Problem);
            Assert.Equal(PlacementRules.Evaluate(after).Select(f => f.Message), plan.Remaining.Select(f => f.Message));
        }

        [Fact]
        public void TooFewHosts_StillMendsWhatCanBeMended()
        {
            // Two hosts, masters all on h1 with replicas on h2: spreading them needs a failover; one replica stays beside its master.
            var nodes = new[] { M("m1", "h1"), M("m2", "h1"), M("m3", "h1"), R("r1", "h2", "m1"), R("r2", "h2", "m2"), R("r3", "h2", "m3") };
            var plan = PlanAndReplay(nodes, out var after);
            Assert.Single(plan.Steps);
            Assert.Empty(plan.Remaining);
            Assert.Empty(PlacementRules.Evaluate(after));
        }

        [Fact]
        public void OneHost_GetsNoStep_AndTheSingleHostFindingRemains()
        {
            var nodes = new[] { M("m1", "h"), R("r1", "h", "m1"), M("m2", "h"), R("r2", "h", "m2") };
            var plan = PlacementOptimizer.Plan(nodes);
            Assert.Empty(plan.Steps);
            Assert.Equal(PlacementProblem.SingleHost, Assert.Single(plan.Remaining).Problem);
        }

        [Fact]
        public void MastersWithoutSlots_NeitherCountNorMove_ButTheirReplicasAreJudged()
        {
            var nodes = new[] { M("m1", "h1"), R("r1", "h2", "m1"), M("m2", "h2"), R("r2", "h1", "m2"), M("e", "h1", servesSlots: false), M("e2", "h1", servesSlots: false) };
            Assert.Empty(PlacementOptimizer.Plan(nodes).Steps);
        }

        [Fact]
        public void TheCapturedCluster_AfterAFailover_OnThreeHosts_IsMended()
        {
            // The captured failover: 21003 (h3) died, 21006 (h1) took over; once 21003 is back as its replica h1 has two masters.
            var view = TestData.Topology("after-failover-21001.txt");
            var hosts = new Dictionary<int, string> { [21001] = "h1", [21002] = "h2", [21003] = "h3", [21004] = "h2", [21005] = "h3", [21006] = "h1" };
            var nodes = PlacedNodes.From(view, e => hosts[e.Port]).ToList();
            var dead = nodes.Single(n => n.Key == Ids.N3);
            nodes[nodes.IndexOf(dead)] = new PlacedNode(dead.Key, dead.EndPoint, dead.Host, false, Ids.N6);
            var plan = PlanAndReplay(nodes, out var after);
            var step = Assert.Single(plan.Steps);
            Assert.Equal(Ids.N3, step.NodeId);
            Assert.Equal("127.0.0.1:21006", step.From);
            Assert.Empty(PlacementRules.Evaluate(after));
        }

        [Fact]
        public void ALargeCluster_IsMendedInOneFailover_ThoughTooLargeToSearchWhole()
        {
            // 15 shards of a master and two replicas on 5 hosts (3 masters each), 3^15 choices of masters; two shards of h0 then fail over to h1.
            var nodes = new List<PlacedNode>();
            for (int s = 0; s < 15; s++)
            {
                nodes.Add(M($"m{s}", "h" + (s % 5)));
                nodes.Add(R($"r{s}a", "h" + ((s + 1) % 5), $"m{s}"));
                nodes.Add(R($"r{s}b", "h" + ((s + 2) % 5), $"m{s}"));
            }
            Assert.Empty(PlacementRules.Evaluate(nodes));
            var failedOver = Replay(nodes, new[] { new PlacementStep(1, PlacementAction.Failover, nodes[1], nodes[0], nodes[1], "test") });
            failedOver = Replay(failedOver, new[] { new PlacementStep(1, PlacementAction.Failover, failedOver.Single(n => n.Key == "r5a"), failedOver.Single(n => n.Key == "m5"), failedOver.Single(n => n.Key == "r5a"), "test") });
            Assert.NotEmpty(PlacementRules.Evaluate(failedOver));

            var plan = PlanAndReplay(failedOver, out var after);
            Assert.Equal(2, plan.Steps.Count);
            Assert.All(plan.Steps, s => Assert.Equal(PlacementAction.Failover, s.Action));
            Assert.Empty(PlacementRules.Evaluate(after));
        }

        /// <summary>Every placement reachable by failovers within shards and replica swaps that keep each shard's replica count.</summary>
        private static IEnumerable<List<PlacedNode>> Reachable(IReadOnlyList<PlacedNode> nodes, out List<(List<PlacedNode> State, int Steps)> withSteps)
        {
            var shards = nodes.Where(n => n.MasterKey == null).Select(root => new[] { root }.Concat(nodes.Where(r => r.MasterKey == root.Key)).ToList()).ToList();
            var result = new List<(List<PlacedNode>, int)>();
            foreach (var choice in Choices(shards.Select(s => s[0].IsMaster ? s.Count : 1).ToList()))
            {
                var masters = shards.Select((s, i) => s[choice[i]]).ToList();
                var replicas = shards.SelectMany((s, i) => s.Where((n, j) => j != choice[i]).Select(n => (Node: n, Home: i))).ToList();
                var seats = replicas.Select(r => r.Home).ToList();
                foreach (var order in Permutations(seats.Count))
                {
                    var state = masters.Select((m, i) => new PlacedNode(m.Key, m.EndPoint, m.Host, shards[i][0].IsMaster, null)).ToList();
                    int moves = 0;
                    for (int r = 0; r < replicas.Count; r++)
                    {
                        int seat = seats[order[r]];
                        if (seat != replicas[r].Home) moves++;
                        state.Add(new PlacedNode(replicas[r].Node.Key, replicas[r].Node.EndPoint, replicas[r].Node.Host, false, masters[seat].Key));
                    }
                    result.Add((state, moves + choice.Count(c => c != 0)));
                }
            }
            withSteps = result;
            return result.Select(r => r.Item1);
        }

        private static IEnumerable<int[]> Choices(List<int> sizes)
        {
            var current = new int[sizes.Count];
            while (true)
            {
                yield return (int[])current.Clone();
                int i = 0;
                while (i < sizes.Count && ++current[i] == sizes[i]) current[i++] = 0;
                if (i == sizes.Count) yield break;
            }
        }

        private static IEnumerable<int[]> Permutations(int n)
        {
            if (n == 0)
            {
                yield return new int[0];
                yield break;
            }
            foreach (var rest in Permutations(n - 1))
            {
                for (int at = 0; at <= rest.Length; at++)
                {
                    var list = rest.ToList();
                    list.Insert(at, n - 1);
                    yield return list.ToArray();
                }
            }
        }

        [Fact]
        public void EveryPlan_EndsWellPlaced_InTheFewestSteps_WheneverSomePlacementIsWell()
        {
            var random = new Random(8);
            int possible = 0, impossible = 0;
            for (int run = 0; run < 300; run++)
            {
                int hostCount = random.Next(2, 5), shardCount = random.Next(1, 5);
                var hosts = Enumerable.Range(1, hostCount).Select(h => "h" + h).ToList();
                var nodes = new List<PlacedNode>();
                int replicaCount = 0;
                for (int s = 0; s < shardCount; s++)
                {
                    string master = $"s{s}n0";
                    nodes.Add(M(master, hosts[random.Next(hostCount)], servesSlots: random.Next(8) != 0));
                    int replicas = Math.Min(random.Next(0, 3), 5 - replicaCount);
                    replicaCount += replicas;
                    for (int r = 1; r <= replicas; r++) nodes.Add(R($"s{s}n{r}", hosts[random.Next(hostCount)], master));
                }
                string shape = Describe(nodes);
                var plan = PlacementOptimizer.Plan(nodes);
                var after = Replay(nodes, plan.Steps);
                Assert.Equal(Describe(plan.After), Describe(after));
                Assert.True(PlacementRules.Evaluate(after).Count <= PlacementRules.Evaluate(nodes).Count, $"the plan made {shape} worse");

                Reachable(nodes, out var all);
                var good = all.Where(a => PlacementRules.Evaluate(a.State).Count == 0).ToList();
                if (good.Count == 0)
                {
                    impossible++;
                    continue;
                }
                possible++;
                Assert.True(PlacementRules.Evaluate(after).Count == 0, $"{shape}: left {string.Join("; ", PlacementRules.Evaluate(after))}");
                Assert.Equal(good.Min(g => g.Steps), plan.Steps.Count);
            }
            // The generator must exercise both kinds.
            Assert.True(possible > 100 && impossible > 10, $"{possible} possible, {impossible} impossible");
        }
    }
}
