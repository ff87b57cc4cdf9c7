using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// Plans Remove-RedisClusterNode from one snapshot of the cluster. A node that answers is drained (a master's
    /// slots go to the other masters so that they end as even as they can), its replicas are given other masters,
    /// every other node forgets it and it is reset; a node that does not answer is only forgotten, which is refused
    /// while it still owns slots. Every refusal comes before anything is planned, so nothing is changed.
    /// </summary>
    public static class RemoveNodePlanner
    {
        /// <summary>What finishes open slots, said when they stop a removal.</summary>
        public const string OpenSlotAdvice = "Repair-RedisCluster finishes them; then remove the node.";

        public static RemoveNodePlan Plan(ClusterSnapshot snapshot, NodeId nodeId)
        {
            var cluster = snapshot.Reference;
            var node = cluster.Find(nodeId) ?? throw new RedisClusterException(FailureKind.NotFound,
                $"No node of the cluster has the id {nodeId} (as seen from {cluster.Source}): there is nothing to remove.")
            { ErrorId = "NodeNotFound" };
            bool reachable = Answers(snapshot, node.Id);

            if (node.Role == NodeRole.Master && !cluster.Masters.Any(m => m.Id != node.Id))
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{NodeRefusals.Name(node)} is the cluster's last master: without it no node could serve a slot. Nothing was changed.", node.ToEndPoint())
                { ErrorId = "LastMaster" };
            }
            if (!reachable && node.Role == NodeRole.Master && node.SlotCount > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{NodeRefusals.Name(node)} does not answer and still owns {node.SlotCount} slot(s) ({node.Slots}): forgetting it would leave them " +
                    "without an owner. Fail it over to one of its replicas (Invoke-RedisFailover), or bring it back and remove it then; " +
                    "Repair-RedisCluster assigns slots nobody serves. Nothing was changed.", node.ToEndPoint())
                { ErrorId = "DeadMasterOwnsSlots" };
            }
            // Slots a stopped move left on their way from the node (an earlier removal stopped by a key conflict, say)
            // are finished by this drain; any other slot half moved to or from the node would be stranded by its
            // removal, whichever way it is.
            var unfinished = reachable && node.Role == NodeRole.Master ? UnfinishedDrain(snapshot, cluster, node) : new SlotMove[0];
            var finishing = new HashSet<int>(unfinished.Select(m => m.Slot));
            if (snapshot.Reachable.Any(s => s.Myself != null &&
                OpenMarkers(s.Myself).Any(m => !finishing.Contains(m.Slot) && (s.Myself.Id == node.Id || m.Peer == node.Id))))
            {
                snapshot.EnsureReadyToMoveSlots(OpenSlotAdvice, finishing);
            }

            var drain = new List<SlotTransfer>();
            if (reachable && node.Role == NodeRole.Master)
            {
                if (node.SlotCount > 0)
                {
                    snapshot.EnsureReadyToMoveSlots(OpenSlotAdvice, finishing);
                    drain = Drain(node, Receivers(snapshot, cluster, node), unfinished);
                }
                else if (snapshot.Find(node.Id).KeyCount > 0)
                {
                    throw new RedisClusterException(FailureKind.InvalidState,
                        $"{NodeRefusals.Name(node)} owns no slots but holds {snapshot.Find(node.Id).KeyCount} key(s) (in slots other masters own): resetting it would delete them. " +
                        "Move them to the masters that own their slots, or delete them (FLUSHALL on that node); nothing was changed.", node.ToEndPoint())
                    { ErrorId = "NodeHoldsKeys" };
                }
            }

            var warnings = new List<string>();
            var replicaMoves = ReplicaMoves(snapshot, cluster, node, drain, warnings);
            var forgetters = snapshot.Reachable
                .Where(s => s.Myself != null && s.Myself.Id != node.Id && s.View.Find(node.Id) != null)
                .Select(s => s.Myself)
                .ToList();
            foreach (var silent in snapshot.Unreachable.Where(s => s.Id != node.Id))
            {
                warnings.Add($"{silent.EndPoint} does not answer, so it cannot be told to forget {node.Id.Short}: once the others' 60-second ban ends it can " +
                    "teach them the node again. When it is back, run CLUSTER FORGET there (or this command again).");
            }
            var finished = new SlotRangeList(SlotRange.FromSlots(finishing));
            return new RemoveNodePlan(cluster, node, reachable, drain, finished, replicaMoves, forgetters, warnings);
        }

        /// <summary>True when the node answered as itself (not some other node now at its address).</summary>
        internal static bool Answers(ClusterSnapshot snapshot, NodeId id) =>
            snapshot.Find(id) is NodeSnapshot state && state.IsReachable && state.Myself?.Id == id;

        private static IEnumerable<SlotMigration> OpenMarkers(RedisClusterNode self) => self.MigratingSlots.Concat(self.ImportingSlots);

        /// <summary>Masters that can take slots: every other master that answers and nobody flags as failing, in manager order.</summary>
        private static IReadOnlyList<RedisClusterNode> Receivers(ClusterSnapshot snapshot, ClusterTopology cluster, RedisClusterNode node)
        {
            var receivers = SlotPlanning.MastersInManagerOrder(cluster)
                .Where(m => m.Id != node.Id && !m.IsFailing && Answers(snapshot, m.Id))
                .ToList();
            if (receivers.Count == 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"No other master answers to take the {node.SlotCount} slot(s) of {NodeRefusals.Name(node)}; nothing was changed.", node.ToEndPoint())
                { ErrorId = "NoMasterToTakeSlots" };
            }
            return receivers;
        }

        /// <summary>
        /// Slots a move that stopped left open on their way from the node (an earlier removal of it stopped by a key
        /// conflict, a killed process): the node still owns them, and their markers (MIGRATING on the node, IMPORTING
        /// on the other side) agree on one move from the node to a master that can take slots. The drain finishes
        /// each towards that master, where its keys were going.
        /// </summary>
        private static IReadOnlyList<SlotMove> UnfinishedDrain(ClusterSnapshot snapshot, ClusterTopology cluster, RedisClusterNode node) =>
            SlotMigrator.OpenSlotMoves(snapshot)
                .Where(m => m.Source == node.Id && node.OwnsSlot(m.Slot) &&
                    cluster.Find(m.Target) is RedisClusterNode target && target.Role == NodeRole.Master && !target.IsFailing && Answers(snapshot, target.Id))
                .ToList();

        /// <summary>
        /// The node's slots, lowest first, in consecutive runs to the receivers: each slot goes to the master that
        /// owns fewest at that point (ties to the first in manager order), so the masters end as even as the slots
        /// allow and only the removed node's slots move. Slots a stopped move left open (<paramref name="unfinished"/>)
        /// go where they were moving, and count for their master.
        /// </summary>
        internal static List<SlotTransfer> Drain(RedisClusterNode node, IReadOnlyList<RedisClusterNode> receivers, IReadOnlyCollection<SlotMove> unfinished = null)
        {
            unfinished = unfinished ?? new SlotMove[0];
            var owned = receivers.ToDictionary(r => r.Id, r => r.SlotCount);
            var taking = receivers.ToDictionary(r => r.Id, r => new List<int>());
            foreach (var move in unfinished)
            {
                owned[move.Target]++;
                taking[move.Target].Add(move.Slot);
            }
            var pinned = new HashSet<int>(unfinished.Select(m => m.Slot));
            var rest = node.Slots.AllSlots().Where(slot => !pinned.Contains(slot)).ToList();
            var counts = receivers.ToDictionary(r => r.Id, r => 0);
            for (int i = 0; i < rest.Count; i++)
            {
                var fewest = receivers.OrderBy(r => owned[r.Id]).First();
                owned[fewest.Id]++;
                counts[fewest.Id]++;
            }
            int next = 0;
            foreach (var receiver in receivers)
            {
                taking[receiver.Id].AddRange(rest.Skip(next).Take(counts[receiver.Id]));
                next += counts[receiver.Id];
            }
            return receivers.Where(r => taking[r.Id].Count > 0).Select(r => new SlotTransfer(node, r, taking[r.Id])).ToList();
        }

        /// <summary>
        /// A new master for each replica of the node that answers: none may replicate a forgotten node ("Can't
        /// forget my master"). Among the masters that own slots once the drain is done and answer, each replica goes
        /// where the shared placement cost is lowest (off its master's host, apart from its siblings), then to the
        /// master with fewest replicas.
        /// </summary>
        private static List<ReplicaMove> ReplicaMoves(ClusterSnapshot snapshot, ClusterTopology cluster, RedisClusterNode node,
            IReadOnlyList<SlotTransfer> drain, List<string> warnings)
        {
            var moves = new List<ReplicaMove>();
            var following = cluster.ReplicasOf(node.Id).ToList();
            foreach (var silent in following.Where(r => !Answers(snapshot, r.Id)))
            {
                warnings.Add($"{NodeRefusals.Name(silent)} replicates it but does not answer: it cannot be moved, and is left listing a master that is gone. Remove it too.");
            }
            var toMove = following.Where(r => Answers(snapshot, r.Id)).ToList();
            if (toMove.Count == 0) return moves;

            var candidates = SlotPlanning.MastersInManagerOrder(cluster)
                .Where(m => m.Id != node.Id && !m.IsFailing && Answers(snapshot, m.Id) && (m.SlotCount > 0 || drain.Any(t => t.Target == m.Id)))
                .ToList();
            if (candidates.Count == 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{NodeRefusals.Name(node)} has {toMove.Count} replica(s), and no other master that owns slots answers to take them: a replica " +
                    "cannot stay with a forgotten master. Nothing was changed.", node.ToEndPoint())
                { ErrorId = "NoMasterForReplicas" };
            }
            // Placement as it stands without the node and its replicas, to which each chosen move is added.
            var placed = Placement(cluster, node.Id, toMove.Select(r => r.Id).ToList());
            foreach (var replica in toMove)
            {
                var best = candidates
                    .OrderBy(m => PlacementRules.ReplicaCost(placed.Concat(new[] { (replica.Host, m.Host, m.Id) })))
                    .ThenBy(m => placed.Count(p => p.Master == m.Id))
                    .First();
                placed.Add((replica.Host, best.Host, best.Id));
                moves.Add(new ReplicaMove(replica, best));
            }
            return moves;
        }

        /// <summary>Every replica's place (its host, its master's host and id), leaving out the removed node and the given replicas.</summary>
        private static List<(string ReplicaHost, string MasterHost, NodeId Master)> Placement(ClusterTopology cluster, NodeId removed, ICollection<NodeId> leftOut) =>
            cluster.Replicas
                .Where(r => r.Id != removed && !leftOut.Contains(r.Id) && r.MasterNodeId is NodeId master && master != removed && cluster.Find(master) != null)
                .Select(r => (r.Host, cluster.Find(r.MasterNodeId.Value).Host, r.MasterNodeId.Value))
                .ToList();

        /// <summary>
        /// True when a replica that Redis already moved to <paramref name="current"/> (as a drain that empties its master
        /// does) is placed at least as well there as at the master the plan chose: then it stays, sparing it a full sync.
        /// </summary>
        internal static bool PlacedAsWell(ClusterTopology cluster, NodeId removed, RedisClusterNode replica, RedisClusterNode current, RedisClusterNode planned)
        {
            if (current.Id == removed || current.Role != NodeRole.Master || current.SlotCount == 0) return false;
            var others = Placement(cluster, removed, new[] { replica.Id });
            int Cost(RedisClusterNode master) => PlacementRules.ReplicaCost(others.Concat(new[] { (replica.Host, master.Host, master.Id) }));
            int Load(RedisClusterNode master) => others.Count(p => p.Master == master.Id);
            return Cost(current) < Cost(planned) || (Cost(current) == Cost(planned) && Load(current) <= Load(planned));
        }
    }
}
