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
            if (replicasPerMaster < 0) throw new ArgumentOutOfRangeException(nameof(replicasPerMaster), "Replicas per master cannot be negative.");
            int masterCount = nodes.Count / (replicasPerMaster + 1);
            if (masterCount < MinimumMasters)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"A cluster needs at least {MinimumMasters} masters: with {replicasPerMaster} replica(s) per master that takes {MinimumMasters * (replicasPerMaster + 1)} nodes, {nodes.Count} were given.")
                { ErrorId = "TooFewNodes" };
            }

            var interleaved = InterleaveByHost(nodes);
            var masters = interleaved.Take(masterCount).ToList();
            var spare = interleaved.Skip(masterCount).ToList();
            var slots = SplitSlots(masterCount);
            var replicas = masters.ToDictionary(m => m, m => new List<CandidateNode>());
            var warnings = new List<string>();

            // Round by round, every master gets one more replica: the candidate on another host than the
            // master and its existing replicas, from the host that has taken the fewest nodes so far.
            var load = nodes.GroupBy(n => n.HostKey).ToDictionary(g => g.Key, g => 0);
            foreach (var master in masters) load[master.HostKey]++;
            for (int round = 0; round < replicasPerMaster; round++)
            {
                foreach (var master in masters)
                {
                    var chosen = spare
                        .OrderBy(c => c.HostKey == master.HostKey ? 2 : replicas[master].Any(r => r.HostKey == c.HostKey) ? 1 : 0)
                        .ThenBy(c => load[c.HostKey])
                        .First();
                    if (chosen.HostKey == master.HostKey)
                    {
                        warnings.Add($"{chosen.EndPoint} replicates {master.EndPoint} on the same host: losing that host loses both.");
                    }
                    spare.Remove(chosen);
                    replicas[master].Add(chosen);
                    load[chosen.HostKey]++;
                }
            }
            // Nodes beyond masters x (1 + replicas) still join: as extra replicas of the thinnest masters.
            foreach (var extra in spare)
            {
                var master = masters.OrderBy(m => m.HostKey == extra.HostKey ? 1 : 0).ThenBy(m => replicas[m].Count).First();
                replicas[master].Add(extra);
            }

            var planned = masters.Select((m, i) => new PlannedMaster(m, slots[i], replicas[m])).ToList();
            return new CreateClusterPlan(planned, warnings);
        }

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
