using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// Pure planning for a new cluster: the slot split redis-cli uses, masters spread over hosts, and
    /// replicas on other hosts than their master, spread so no host carries more than it must.
    /// </summary>
    public static class CreateClusterPlanner
    {
        public const int MinimumMasters = 3;

        public static CreateClusterPlan Plan(IReadOnlyList<CandidateNode> nodes, int replicasPerMaster)
        {
            EnsureEnoughNodes(nodes.Count, replicasPerMaster);
            int masterCount = nodes.Count / (replicasPerMaster + 1);

            var interleaved = InterleaveByHost(nodes);
            var masters = interleaved.Take(masterCount).ToList();
            var spare = interleaved.Skip(masterCount).ToList();
            var slots = SplitSlots(masterCount);

            // Round by round, every master gets one more replica: the candidate on another host than the
            // master and its existing replicas, from the host that has taken the fewest nodes so far.
            var load = nodes.GroupBy(n => n.HostKey).ToDictionary(g => g.Key, g => 0);
            foreach (var master in masters) load[master.HostKey]++;
            var assignments = new List<Assignment>();
            for (int round = 0; round < replicasPerMaster; round++)
            {
                foreach (var master in masters)
                {
                    var chosen = spare
                        .OrderBy(c => c.HostKey == master.HostKey ? 2 : assignments.Any(a => a.Master == master && a.Replica.HostKey == c.HostKey) ? 1 : 0)
                        .ThenBy(c => load[c.HostKey])
                        .First();
                    spare.Remove(chosen);
                    assignments.Add(new Assignment(master, chosen));
                    load[chosen.HostKey]++;
                }
            }
            // Nodes beyond masters x (1 + replicas) still join: as extra replicas of the thinnest masters on other hosts.
            foreach (var extra in spare)
            {
                var master = masters.OrderBy(m => m.HostKey == extra.HostKey ? 1 : 0).ThenBy(m => assignments.Count(a => a.Master == m)).First();
                assignments.Add(new Assignment(master, extra));
            }

            // Greedy choices can corner the last master into its own host; swapping replicas between
            // masters while that lowers the placement cost fixes it (redis-cli does the same, at random).
            ImprovePlacement(assignments);

            var replicas = masters.ToDictionary(m => m, m => assignments.Where(a => a.Master == m).Select(a => a.Replica).ToList());
            // The same rules Test-RedisCluster checks, so a new cluster is reported exactly as it will be tested.
            var placed = masters.Select(m => Placed(m, null)).Concat(assignments.Select(a => Placed(a.Replica, a.Master))).ToList();
            var warnings = PlacementRules.Evaluate(placed).Select(f => f.Message).ToList();
            var planned = masters.Select((m, i) => new PlannedMaster(m, slots[i], replicas[m])).ToList();
            var plan = new CreateClusterPlan(planned, warnings);
            EnsureNodesFitPlan(plan);
            return plan;
        }

        /// <summary>
        /// Refuses nodes that cannot become this cluster: a fresh node holding keys, or a node that is already
        /// part of a cluster other than this plan (it knows nodes outside the set, owns slots the plan gives to
        /// another node, or replicates another master). Nodes that carry part of exactly this plan pass: that
        /// is a creation stopped by a timeout, Ctrl+C or a crash, and running it again finishes it.
        /// </summary>
        public static void EnsureNodesFitPlan(CreateClusterPlan plan)
        {
            var problems = new List<string>();
            var ids = new HashSet<NodeId>(plan.AllNodes.Where(n => !n.NodeId.IsEmpty).Select(n => n.NodeId));
            foreach (var master in plan.Masters)
            {
                problems.AddRange(Conflicts(master.Node, ids, master.Slots, null));
                foreach (var replica in master.Replicas) problems.AddRange(Conflicts(replica, ids, null, master.Node));
            }
            if (problems.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    "Nodes not fit for a new cluster (nothing was changed): " + string.Join(" ", problems) + " " + NodeSetRules.ReuseAdvice)
                { ErrorId = "NodeNotEmpty" };
            }
        }

        private static IEnumerable<string> Conflicts(CandidateNode node, HashSet<NodeId> ids, SlotRange? plannedSlots, CandidateNode plannedMaster)
        {
            if (node.CurrentView == null) yield break;
            if (node.IsFresh)
            {
                if (node.KeyCount > 0) yield return $"{node.EndPoint}: it holds {node.KeyCount} key(s); a new cluster starts from empty nodes.";
                yield break;
            }
            var strangers = node.CurrentView.Nodes.Where(n => (n.Flags & NodeFlags.Handshake) == 0 && !ids.Contains(n.Id)).ToList();
            if (strangers.Count > 0)
            {
                yield return $"{node.EndPoint}: it already knows {strangers.Count} node(s) outside this set ({string.Join(", ", strangers.Select(s => s.EndPoint.Length > 0 ? s.EndPoint : s.Id.Short))}): it is part of another cluster.";
                yield break;
            }
            var myself = node.CurrentView.Myself;
            var foreignSlots = myself.Slots.AllSlots().Where(s => !(plannedSlots?.Contains(s) ?? false)).ToList();
            if (foreignSlots.Count > 0)
            {
                yield return $"{node.EndPoint}: it owns slots {new SlotRangeList(SlotRange.FromSlots(foreignSlots))}, which this plan does not give it: it is part of another cluster.";
            }
            if (myself.Role == NodeRole.Replica && (plannedMaster == null || myself.MasterNodeId != plannedMaster.NodeId))
            {
                yield return $"{node.EndPoint}: it replicates {myself.MasterNodeId?.Short}, which this plan does not make its master: it is part of another cluster.";
            }
        }

        /// <summary>Refuses a node count that cannot make three masters with their replicas.</summary>
        public static void EnsureEnoughNodes(int nodeCount, int replicasPerMaster)
        {
            if (replicasPerMaster < 0) throw new ArgumentOutOfRangeException(nameof(replicasPerMaster), "Replicas per master cannot be negative.");
            int needed = MinimumMasters * (replicasPerMaster + 1);
            if (nodeCount < needed)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"A cluster needs at least {MinimumMasters} masters: with {replicasPerMaster} replica(s) per master that takes {needed} nodes, {nodeCount} were given.")
                { ErrorId = "TooFewNodes" };
            }
        }

        private sealed class Assignment
        {
            public Assignment(CandidateNode master, CandidateNode replica)
            {
                Master = master;
                Replica = replica;
            }

            public CandidateNode Master { get; }
            public CandidateNode Replica { get; set; }
        }

        /// <summary>A candidate as the placement rules see it, known by its endpoint: a plan can be made before nodes are read.</summary>
        private static PlacedNode Placed(CandidateNode node, CandidateNode master) =>
            new PlacedNode(node.EndPoint.ToString(), node.EndPoint.ToString(), node.HostKey, master == null, master?.EndPoint.ToString());

        private static void ImprovePlacement(List<Assignment> assignments)
        {
            int cost = PlacementCost(assignments);
            for (bool improved = true; improved && cost > 0;)
            {
                improved = false;
                for (int i = 0; i < assignments.Count; i++)
                {
                    for (int j = i + 1; j < assignments.Count; j++)
                    {
                        if (assignments[i].Master == assignments[j].Master) continue;
                        Swap(assignments[i], assignments[j]);
                        int swapped = PlacementCost(assignments);
                        if (swapped < cost)
                        {
                            cost = swapped;
                            improved = true;
                        }
                        else
                        {
                            Swap(assignments[i], assignments[j]);
                        }
                    }
                }
            }
        }

        private static void Swap(Assignment a, Assignment b)
        {
            var replica = a.Replica;
            a.Replica = b.Replica;
            b.Replica = replica;
        }

        private static int PlacementCost(IEnumerable<Assignment> assignments) =>
            PlacementRules.ReplicaCost(assignments.Select(a => (a.Replica.HostKey, a.Master.HostKey, a.Master)));

        /// <summary>
        /// The split redis-cli makes: 16384 / masters as a real number, each range ending at the rounded
        /// cursor, the last ending at 16383. Three masters: 0-5460, 5461-10922, 10923-16383.
        /// </summary>
        public static IReadOnlyList<SlotRange> SplitSlots(int masters)
        {
            if (masters < 1 || masters > HashSlot.SlotCount) throw new ArgumentOutOfRangeException(nameof(masters));
            var ranges = new List<SlotRange>();
            double perMaster = (double)HashSlot.SlotCount / masters;
            double cursor = 0;
            int first = 0;
            for (int i = 0; i < masters; i++)
            {
                int last = (int)Math.Round(cursor + perMaster - 1, MidpointRounding.AwayFromZero);
                if (last > HashSlot.MaxSlot || i == masters - 1) last = HashSlot.MaxSlot;
                ranges.Add(new SlotRange(first, last));
                first = last + 1;
                cursor += perMaster;
            }
            return ranges;
        }

        /// <summary>One node of each host in turn, hosts in order of first appearance, so masters spread out.</summary>
        private static List<CandidateNode> InterleaveByHost(IReadOnlyList<CandidateNode> nodes)
        {
            var queues = nodes.GroupBy(n => n.HostKey).Select(g => new Queue<CandidateNode>(g)).ToList();
            var result = new List<CandidateNode>(nodes.Count);
            while (result.Count < nodes.Count)
            {
                foreach (var queue in queues.Where(q => q.Count > 0)) result.Add(queue.Dequeue());
            }
            return result;
        }
    }
}
