using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    public enum PlacementAction
    {
        /// <summary>A replica takes over from its master (a Default failover): the shard's master changes host.</summary>
        Failover,
        /// <summary>A replica is made to replicate another master (CLUSTER REPLICATE).</summary>
        MoveReplica,
    }

    /// <summary>One step of a placement plan: what happens to which node, from where to where, and why.</summary>
    public sealed class PlacementStep
    {
        internal PlacementStep(int step, PlacementAction action, PlacedNode node, PlacedNode from, PlacedNode to, string why)
        {
            Step = step;
            Action = action;
            NodeId = node.Key;
            EndPoint = node.EndPoint;
            From = from.EndPoint;
            FromId = from.Key;
            To = to.EndPoint;
            ToId = to.Key;
            Why = why;
        }

        public int Step { get; }
        public PlacementAction Action { get; }

        /// <summary>The node the step acts on: the replica promoted or moved.</summary>
        public string NodeId { get; }
        public string EndPoint { get; }

        /// <summary>The master before the step (the one taken over from, or the one the replica leaves).</summary>
        public string From { get; }
        public string FromId { get; }

        /// <summary>The master after it (the promoted node itself, or the one the replica joins).</summary>
        public string To { get; }
        public string ToId { get; }

        public string Why { get; }

        public override string ToString() => Action == PlacementAction.Failover
            ? $"Step {Step}: fail over {From} to its replica {EndPoint} (Default mode): {Why}"
            : $"Step {Step}: make {EndPoint} a replica of {To} instead of {From}: {Why}";
    }

    /// <summary>The steps that place a cluster well, and what the shared placement rules still find once they are done.</summary>
    public sealed class PlacementPlan
    {
        internal PlacementPlan(IReadOnlyList<PlacementStep> steps, IReadOnlyList<PlacementFinding> before, IReadOnlyList<PlacedNode> after, bool searchCut)
        {
            Steps = steps;
            Before = before;
            After = after;
            Remaining = PlacementRules.Evaluate(after);
            IsSearchCut = searchCut;
        }

        public IReadOnlyList<PlacementStep> Steps { get; }

        /// <summary>What the placement rules found before.</summary>
        public IReadOnlyList<PlacementFinding> Before { get; }

        /// <summary>Every node as placed once the steps are done.</summary>
        public IReadOnlyList<PlacedNode> After { get; }

        /// <summary>What the placement rules still find once the steps are done: empty unless no placement can satisfy them.</summary>
        public IReadOnlyList<PlacementFinding> Remaining { get; }

        /// <summary>True when the cluster had too many ways to place it to try them all, so the plan is the best of those tried.</summary>
        public bool IsSearchCut { get; }
    }

    /// <summary>
    /// Plans the fewest steps that make a cluster one <see cref="PlacementRules.Evaluate"/> finds nothing in: masters spread
    /// over hosts (busiest and idlest at most one apart) by failovers within shards, then replicas moved off their
    /// master's host by swapping them between shards, so every master keeps as many replicas as it had. When no placement
    /// satisfies the rules (too few hosts), the plan comes as close as it can: fewest replicas on their master's host
    /// first, then the most even masters, then the fewest steps.
    /// </summary>
    public static class PlacementOptimizer
    {
        /// <summary>
        /// Master choices tried at most: a cluster of about a dozen shards of two nodes is searched completely, and a
        /// larger one at least for every plan of up to two or three failovers.
        /// </summary>
        public const int DefaultSearchLimit = 4096;

        private sealed class Shard
        {
            public PlacedNode Root;
            public List<PlacedNode> Members;
            public bool CountsAsMaster => Root.IsMaster;
        }

        private sealed class Candidate
        {
            public int[] MasterChoice;
            public int[] ReplicaShard;
            public List<PlacedNode> Replicas;
            public int Conflicts;
            public int Excess;
            public int Steps;

            public bool IsBetterThan(Candidate other) =>
                other == null || Conflicts < other.Conflicts || (Conflicts == other.Conflicts && (Excess < other.Excess || (Excess == other.Excess && Steps < other.Steps)));
        }

        public static PlacementPlan Plan(IReadOnlyList<PlacedNode> nodes, int searchLimit = DefaultSearchLimit)
        {
            var before = PlacementRules.Evaluate(nodes);
            var hosts = nodes.Select(n => n.Host).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (before.Count == 0 || hosts.Count <= 1) return new PlacementPlan(new PlacementStep[0], before, nodes, false);

            var shards = nodes.Where(n => n.MasterKey == null)
                .Select(root => new Shard { Root = root, Members = new[] { root }.Concat(nodes.Where(r => !r.IsMaster && r.MasterKey == root.Key)).ToList() })
                .ToList();
            var inShards = new HashSet<string>(shards.SelectMany(s => s.Members).Select(n => n.Key));
            var fixedNodes = nodes.Where(n => !inShards.Contains(n.Key)).ToList();

            // Choices of masters by number of failovers, fewest first: the usual repair needs one or two, and a large
            // cluster's search reaches those before any limit cuts it short.
            var choice = new int[shards.Count];
            Candidate best = null;
            int tried = 0;
            bool cut = false;
            void Search(int index, int failovers, int exactly)
            {
                if (cut || failovers > exactly || failovers + (shards.Count - index) < exactly) return;
                if (index == shards.Count)
                {
                    if (++tried > searchLimit)
                    {
                        cut = true;
                        return;
                    }
                    var candidate = Evaluate(shards, choice, hosts, failovers);
                    if (candidate.IsBetterThan(best)) best = candidate;
                    return;
                }
                int options = shards[index].CountsAsMaster ? shards[index].Members.Count : 1;
                for (int option = 0; option < options; option++)
                {
                    choice[index] = option;
                    Search(index + 1, failovers + (option == 0 ? 0 : 1), exactly);
                }
                choice[index] = 0;
            }
            for (int failovers = 0; failovers <= shards.Count && !cut; failovers++)
            {
                // A placement found in fewer steps than the failovers still to try cannot be beaten.
                if (best != null && best.Conflicts == 0 && best.Excess == 0 && best.Steps <= failovers) break;
                Search(0, 0, failovers);
            }

            return Build(shards, fixedNodes, best, before, cut);
        }

        /// <summary>One choice of masters, with the replica assignment that costs least under it.</summary>
        private static Candidate Evaluate(List<Shard> shards, int[] choice, List<string> hosts, int failovers)
        {
            var masterHost = shards.Select((s, i) => s.Members[choice[i]].Host).ToList();
            var perHost = hosts.ToDictionary(h => h, h => 0, StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < shards.Count; i++)
            {
                if (shards[i].CountsAsMaster) perHost[masterHost[i]]++;
            }
            int spread = perHost.Values.Max() - perHost.Values.Min();

            // Replicas keep their count per shard; the assignment that puts fewest on their master's host, then moves fewest, wins.
            var replicas = new List<PlacedNode>();
            var replicaHome = new List<int>();
            var positions = new List<int>();
            for (int i = 0; i < shards.Count; i++)
            {
                for (int m = 0; m < shards[i].Members.Count; m++)
                {
                    if (m == choice[i]) continue;
                    replicas.Add(shards[i].Members[m]);
                    replicaHome.Add(i);
                    positions.Add(i);
                }
            }
            var cost = new int[replicas.Count, positions.Count];
            for (int r = 0; r < replicas.Count; r++)
            {
                for (int p = 0; p < positions.Count; p++)
                {
                    bool onMasterHost = string.Equals(replicas[r].Host, masterHost[positions[p]], StringComparison.OrdinalIgnoreCase);
                    cost[r, p] = (onMasterHost ? PlacementRules.ReplicaOnMasterHostCost : 0) + (positions[p] == replicaHome[r] ? 0 : 1);
                }
            }
            var assigned = Assignment.MinimumCost(cost);
            var replicaShard = assigned.Select(p => positions[p]).ToArray();
            int conflicts = 0, moves = 0;
            for (int r = 0; r < replicas.Count; r++)
            {
                if (string.Equals(replicas[r].Host, masterHost[replicaShard[r]], StringComparison.OrdinalIgnoreCase)) conflicts++;
                if (replicaShard[r] != replicaHome[r]) moves++;
            }
            return new Candidate
            {
                MasterChoice = (int[])choice.Clone(),
                ReplicaShard = replicaShard,
                Replicas = replicas,
                Conflicts = conflicts,
                Excess = Math.Max(0, spread - PlacementRules.AllowedMasterSpread),
                Steps = failovers + moves,
            };
        }

        private static PlacementPlan Build(List<Shard> shards, List<PlacedNode> fixedNodes, Candidate best, IReadOnlyList<PlacementFinding> before, bool cut)
        {
            var steps = new List<PlacementStep>();
            var masters = shards.Select((s, i) => s.Members[best.MasterChoice[i]]).ToList();
            var mastersOn = shards.Where(s => s.CountsAsMaster).GroupBy(s => s.Root.Host, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
            int MastersOn(string host) => mastersOn.TryGetValue(host, out int count) ? count : 0;

            for (int i = 0; i < shards.Count; i++)
            {
                var shard = shards[i];
                var promoted = masters[i];
                if (promoted.Key == shard.Root.Key) continue;
                string from = shard.Root.Host, to = promoted.Host;
                string why = MastersOn(from) > MastersOn(to) + 1 || (!string.Equals(from, to, StringComparison.OrdinalIgnoreCase) && MastersOn(from) > MastersOn(to))
                    ? $"{from} carries {MastersOn(from)} master(s), {to} {MastersOn(to)}: the shard's master moves to {to}"
                    : $"the shard's master moves to {to}, away from its replicas' host";
                steps.Add(new PlacementStep(steps.Count + 1, PlacementAction.Failover, promoted, shard.Root, promoted, why));
                mastersOn[from] = MastersOn(from) - 1;
                mastersOn[to] = MastersOn(to) + 1;
            }

            // Replicas that sit on their master's host move first; the ones that make room for them follow.
            var moves = Enumerable.Range(0, best.Replicas.Count)
                .Where(r => best.ReplicaShard[r] != HomeOf(shards, best.Replicas[r]))
                .OrderByDescending(r => string.Equals(best.Replicas[r].Host, masters[HomeOf(shards, best.Replicas[r])].Host, StringComparison.OrdinalIgnoreCase))
                .ThenBy(r => best.Replicas[r].EndPoint, StringComparer.Ordinal)
                .ToList();
            foreach (int r in moves)
            {
                var replica = best.Replicas[r];
                var from = masters[HomeOf(shards, replica)];
                var to = masters[best.ReplicaShard[r]];
                string why = string.Equals(replica.Host, from.Host, StringComparison.OrdinalIgnoreCase)
                    ? $"it runs on its master's host ({replica.Host}); {to.EndPoint} runs on {to.Host}"
                    : $"it makes room under {to.EndPoint} for a replica from another host, and keeps {to.EndPoint} with as many replicas as before";
                steps.Add(new PlacementStep(steps.Count + 1, PlacementAction.MoveReplica, replica, from, to, why));
            }

            var after = new List<PlacedNode>(fixedNodes);
            for (int i = 0; i < shards.Count; i++)
            {
                var master = masters[i];
                after.Add(new PlacedNode(master.Key, master.EndPoint, master.Host, shards[i].Root.IsMaster, null));
            }
            for (int r = 0; r < best.Replicas.Count; r++)
            {
                var replica = best.Replicas[r];
                after.Add(new PlacedNode(replica.Key, replica.EndPoint, replica.Host, false, masters[best.ReplicaShard[r]].Key));
            }
            return new PlacementPlan(steps, before, after, cut);
        }

        private static int HomeOf(List<Shard> shards, PlacedNode node) => shards.FindIndex(s => s.Members.Any(m => m.Key == node.Key));
    }

    /// <summary>The assignment problem (Hungarian method): rows to columns of a square cost matrix, least total cost.</summary>
    internal static class Assignment
    {
        /// <returns>For each row, the column it gets.</returns>
        public static int[] MinimumCost(int[,] cost)
        {
            int n = cost.GetLength(0);
            var result = new int[n];
            if (n == 0) return result;
            // Potentials u (rows) and v (columns), 1-based with column 0 as the free start; way[] traces the augmenting path.
            var u = new long[n + 1];
            var v = new long[n + 1];
            var match = new int[n + 1];
            var way = new int[n + 1];
            for (int row = 1; row <= n; row++)
            {
                match[0] = row;
                int column = 0;
                var least = Enumerable.Repeat(long.MaxValue, n + 1).ToArray();
                var used = new bool[n + 1];
                do
                {
                    used[column] = true;
                    int current = match[column], next = 0;
                    long delta = long.MaxValue;
                    for (int j = 1; j <= n; j++)
                    {
                        if (used[j]) continue;
                        long reduced = cost[current - 1, j - 1] - u[current] - v[j];
                        if (reduced < least[j])
                        {
                            least[j] = reduced;
                            way[j] = column;
                        }
                        if (least[j] < delta)
                        {
                            delta = least[j];
                            next = j;
                        }
                    }
                    for (int j = 0; j <= n; j++)
                    {
                        if (used[j])
                        {
                            u[match[j]] += delta;
                            v[j] -= delta;
                        }
                        else least[j] -= delta;
                    }
                    column = next;
                }
                while (match[column] != 0);
                do
                {
                    int previous = way[column];
                    match[column] = match[previous];
                    column = previous;
                }
                while (column != 0);
            }
            for (int j = 1; j <= n; j++) result[match[j] - 1] = j - 1;
            return result;
        }
    }
}
