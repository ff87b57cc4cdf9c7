using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    public sealed partial class ClusterSnapshot
    {
        /// <summary>
        /// Slots some node marks MIGRATING or IMPORTING, from each node's line about itself (a node's markers show
        /// only there): what a move stopped by a crash or a key conflict leaves behind.
        /// </summary>
        public IEnumerable<string> OpenSlotProblems() => OpenSlotProblems(null);

        /// <summary>The same, leaving out the slots given: ones the caller is about to finish.</summary>
        private IEnumerable<string> OpenSlotProblems(ICollection<int> finishing)
        {
            bool Counts(SlotMigration marker) => finishing == null || !finishing.Contains(marker.Slot);
            foreach (var node in Reachable.Where(n => n.Myself != null))
            {
                foreach (var marker in node.Myself.MigratingSlots.Where(Counts)) yield return $"{node.EndPoint} has slot {marker.Slot} migrating to {marker.Peer.Short}";
                foreach (var marker in node.Myself.ImportingSlots.Where(Counts)) yield return $"{node.EndPoint} has slot {marker.Slot} importing from {marker.Peer.Short}";
            }
        }

        /// <summary>
        /// What stops slots from being moved safely: a master owning slots that cannot be read (its keys cannot be
        /// moved, and it may still serve writes), views that disagree on owners, a cluster not ok or not covering
        /// every slot. Replicas do not matter: slots move between masters.
        /// </summary>
        public IEnumerable<string> SlotMoveProblems()
        {
            // A dead master without slots (one whose replica took over, not yet forgotten) holds nothing to move.
            var unreachableMasters = Unreachable.Where(n => n.Id is NodeId id && Reference.Find(id) is RedisClusterNode master &&
                    master.Role == NodeRole.Master && master.SlotCount > 0)
                .Select(n => $"master {n.EndPoint} cannot be read: {n.Failure.Message}");
            return unreachableMasters.Concat(AgreementProblems()).Concat(StateProblems());
        }

        /// <summary>
        /// Refuses, before anything is changed, to plan slot moves on a cluster with open slots (ErrorId
        /// SlotsOpen; <paramref name="openSlotAdvice"/> says how the caller's command finishes them) or one not
        /// healthy enough to move slots (ClusterNotReady). Markers on <paramref name="finishing"/> slots do not count:
        /// the caller's plan finishes them.
        /// </summary>
        public void EnsureReadyToMoveSlots(string openSlotAdvice, ICollection<int> finishing = null)
        {
            var open = OpenSlotProblems(finishing).ToList();
            if (open.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"The cluster has {open.Count} open slot marker(s) ({Summarize(open)}), left by a move that stopped. {openSlotAdvice} Nothing was changed.")
                { ErrorId = "SlotsOpen" };
            }
            EnsureHealthyToMoveSlots();
        }

        /// <summary>
        /// The second half of <see cref="EnsureReadyToMoveSlots"/> alone (ClusterNotReady): for finishing slots that
        /// are open on purpose, where open markers are the work rather than a reason to refuse.
        /// </summary>
        public void EnsureHealthyToMoveSlots()
        {
            var problems = SlotMoveProblems().ToList();
            if (problems.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"The cluster is not ready for slots to move: {Summarize(problems)}. Test-RedisCluster shows every problem; Repair-RedisCluster fixes slot problems. Nothing was changed.")
                { ErrorId = "ClusterNotReady" };
            }
        }

        private static string Summarize(IReadOnlyList<string> problems) =>
            string.Join("; ", problems.Take(3)) + (problems.Count > 3 ? $"; and {problems.Count - 3} more" : string.Empty);
    }
}
