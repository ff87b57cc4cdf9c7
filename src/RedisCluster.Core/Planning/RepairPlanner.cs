using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// Decides, slot by slot, how Repair-RedisCluster heals a cluster: from every node's own view (MIGRATING/IMPORTING
    /// markers show only on a node's own line) and where the keys are. The rules follow redis-cli's fix where it has
    /// one, and add the cases it refuses:
    /// <list type="bullet">
    /// <item>A move that stopped between two live masters whose markers agree is finished (the slot executor's job).</item>
    /// <item>A master importing from a source that is gone, holding keys of the slot, gets the slot and the keys still
    /// on the source's successor; a key on both sides keeps its copy: after MIGRATE every write went to it, and the
    /// successor's copy (a promoted replica whose DEL was not replicated yet) can only be older.</item>
    /// <item>An owner migrating to a target that is gone keeps the slot and takes back the keys its successor holds; a
    /// key on both sides keeps the owner's copy: it kept it only because that MIGRATE failed, and served it since.</item>
    /// <item>Other open slots stay with their owner (or go to the migrating target when it already holds keys); markers
    /// are closed and keys elsewhere moved in, comparing values.</item>
    /// <item>An uncovered slot goes to the master holding most of its keys, else to the master with fewest slots.</item>
    /// <item>A slot claimed twice, or with keys on a master that does not own it, goes to the master holding most of its
    /// keys (the owner on a tie), as redis-cli's fix does; the others' keys move in.</item>
    /// </list>
    /// A key found on one side only is never deleted; equal copies are merged; different copies of a live move stop
    /// the slot and are listed.
    /// </summary>
    public static class RepairPlanner
    {
        public static RepairPlan Plan(ClusterSnapshot snapshot, SlotKeyCensus census)
        {
            EnsureRepairable(snapshot, census);
            var liveMasters = snapshot.Reachable.Where(n => n.Myself.Role == NodeRole.Master).Select(n => n.Myself).ToList();
            var live = new HashSet<NodeId>(liveMasters.Select(m => m.Id));
            var names = Names(snapshot);
            var reference = snapshot.Reference;

            var claimants = new List<NodeId>[HashSlot.SlotCount];
            var migrating = new Dictionary<int, List<(NodeId Node, NodeId Peer)>>();
            var importing = new Dictionary<int, List<(NodeId Node, NodeId Peer)>>();
            foreach (var master in liveMasters)
            {
                foreach (int slot in master.Slots.AllSlots()) (claimants[slot] ?? (claimants[slot] = new List<NodeId>())).Add(master.Id);
                foreach (var m in master.MigratingSlots) Add(migrating, m.Slot, (master.Id, m.Peer));
                foreach (var m in master.ImportingSlots) Add(importing, m.Slot, (master.Id, m.Peer));
            }

            var problemSlots = new SortedSet<int>(migrating.Keys.Concat(importing.Keys));
            for (int slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                if (claimants[slot] == null || claimants[slot].Count != 1) problemSlots.Add(slot);
            }
            foreach (int slot in census.SlotsWithKeys())
            {
                if (live.Any(m => census.KeysIn(m, slot) > 0 && !(claimants[slot]?.Count == 1 && claimants[slot][0] == m))) problemSlots.Add(slot);
            }

            // Uncovered slots with no keys anywhere go to the masters with the fewest slots, counting those given so far.
            var slotCounts = liveMasters.ToDictionary(m => m.Id, m => m.SlotCount);
            var repairs = new List<SlotRepair>();
            foreach (int slot in problemSlots)
            {
                var facts = new SlotFacts(slot, claimants[slot] ?? new List<NodeId>(), Get(migrating, slot), Get(importing, slot), live, census, names, reference);
                var repair = Decide(facts, slotCounts);
                if (repair.Assign) slotCounts[repair.Owner]++;
                repairs.Add(repair);
            }
            return new RepairPlan(repairs, names);
        }

        private static SlotRepair Decide(SlotFacts f, Dictionary<NodeId, int> slotCounts)
        {
            // The source of a move died mid-slot and its replica took over: the importer holds the moved keys.
            var lostSource = f.Importing.Where(m => !f.IsLive(m.Peer) && f.Keys(m.Node) > 0).OrderByDescending(m => f.Keys(m.Node)).ThenBy(m => m.Node.ToString()).ToList();
            if (lostSource.Count > 0)
            {
                var (importer, peer) = lostSource[0];
                string owners = f.Claimants.Count == 0 ? "no master owns it now" : $"{f.NameList(f.Claimants)} {(f.Claimants.Count == 1 ? "owns" : "own")} it now";
                return f.Repair(SlotProblem.SourceLost, $"{f.Name(importer)} was importing it from {f.Name(peer)}, which is gone; {owners}",
                    importer, KeyConflictPolicy.KeepOwnerCopy);
            }

            // The target of a move died mid-slot: its replica holds the keys moved so far; the owner takes them back.
            var lostTarget = f.Migrating.Where(m => !f.IsLive(m.Peer) && f.Claimants.Contains(m.Node)).ToList();
            if (lostTarget.Count > 0 && f.Claimants.Count == 1)
            {
                var (owner, peer) = lostTarget[0];
                return f.Repair(SlotProblem.TargetLost, $"{f.Name(owner)} was migrating it to {f.Name(peer)}, which is gone", owner, KeyConflictPolicy.KeepOwnerCopy);
            }

            if (f.Claimants.Count == 1 && f.Migrating.Count == 1)
            {
                // An ordinary move that stopped: one owner migrating to one live master, which imports from it or
                // already holds keys, and no keys anywhere else.
                var (source, target) = f.Migrating[0];
                bool markersAgree = source == f.Claimants[0] && f.IsLive(target) && f.Importing.All(m => m.Node == target && m.Peer == source);
                bool started = f.Importing.Count == 1 || f.Keys(target) > 0;
                bool keysOnBothOnly = f.Holders.All(h => h == source || h == target);
                if (markersAgree && started && keysOnBothOnly)
                {
                    return f.Repair(SlotProblem.OpenSlot, $"open, moving from {f.Name(source)} to {f.Name(target)}", target, KeyConflictPolicy.CompareValues, finishFrom: source);
                }
            }

            if (f.Claimants.Count == 0)
            {
                // Uncovered: the master with most keys of it, else the one the majority routes to, else the emptiest.
                var holder = f.Holders.OrderByDescending(f.Keys).ThenBy(h => h.ToString()).Cast<NodeId?>().FirstOrDefault();
                var referenceOwner = f.ReferenceOwner;
                var owner = holder ?? (referenceOwner is NodeId known && f.IsLive(known) ? known
                    : slotCounts.OrderBy(c => c.Value).ThenBy(c => c.Key.ToString()).First().Key);
                string where = f.Holders.Count == 0 ? "no keys anywhere" : $"keys on {f.NameList(f.Holders)}";
                return f.Repair(SlotProblem.Uncovered, $"no master owns it ({where}{f.MarkerSuffix})", owner, KeyConflictPolicy.CompareValues, assign: true);
            }

            if (f.Claimants.Count > 1)
            {
                return f.Repair(SlotProblem.MultipleOwners, $"claimed by {f.NameList(f.Claimants)}{f.MarkerSuffix}", f.MostKeys(f.Claimants.Concat(f.Holders)), KeyConflictPolicy.CompareValues);
            }

            var claimant = f.Claimants[0];
            if (f.Migrating.Count + f.Importing.Count > 0)
            {
                // Markers that do not make an ordinary move: the slot stays with its owner, unless the node it migrates
                // to already holds keys of it, in which case the move is finished there.
                var towardKeys = f.Migrating.Where(m => m.Node == claimant && f.IsLive(m.Peer) && f.Keys(m.Peer) > 0).Select(m => (NodeId?)m.Peer).FirstOrDefault();
                return f.Repair(SlotProblem.OpenSlot, $"open ({f.Markers})", towardKeys ?? claimant, KeyConflictPolicy.CompareValues);
            }
            // Keys where no client reaches them: as redis-cli's fix counts a master holding keys of a slot among its
            // owners, the one with most keys keeps it (the claimant on a tie) and the others' keys move in.
            return f.Repair(SlotProblem.StrayKeys, $"owned by {f.Name(claimant)}, keys also on {f.NameList(f.Holders.Where(h => h != claimant))}",
                f.MostKeys(new[] { claimant }.Concat(f.Holders)), KeyConflictPolicy.CompareValues);
        }

        /// <summary>
        /// Refuses, before anything is planned, a cluster where keys may be where nobody can look: a master that owns
        /// slots and cannot be reached, or whose keys could not be counted.
        /// </summary>
        private static void EnsureRepairable(ClusterSnapshot snapshot, SlotKeyCensus census)
        {
            var reachable = new HashSet<NodeId>(snapshot.Reachable.Select(n => n.Myself.Id));
            var lostOwners = snapshot.Reference.Masters.Where(m => m.SlotCount > 0 && !reachable.Contains(m.Id)).ToList();
            if (lostOwners.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{string.Join(", ", lostOwners.Select(m => $"{NodeRefusals.Name(m)} owns slots {m.Slots} and"))} cannot be reached: repairing now could give " +
                    "its slots away while it may still hold their keys. Bring it back, or wait until its replica has taken over (cluster-node-timeout after it " +
                    "died), then repair. Nothing was changed.", lostOwners[0].ToEndPoint())
                { ErrorId = "SlotOwnerUnreachable" };
            }
            if (census.Failures.Count > 0)
            {
                var failure = census.Failures[0];
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"The keys of {failure.EndPoint} could not be counted ({failure.Message}): without knowing where every key is, no slot can be repaired safely. Nothing was changed.",
                    failure.EndPoint, failure)
                { ErrorId = "KeysNotCounted" };
            }
            if (!snapshot.Reachable.Any(n => n.Myself.Role == NodeRole.Master))
            {
                throw new RedisClusterException(FailureKind.InvalidState, "No master of the cluster can be reached: there is nothing to repair with. Nothing was changed.")
                { ErrorId = "SlotOwnerUnreachable" };
            }
        }

        /// <summary>How messages name every node any view lists ("127.0.0.1:7000 (07c37dfe)").</summary>
        private static IReadOnlyDictionary<NodeId, string> Names(ClusterSnapshot snapshot)
        {
            var names = new Dictionary<NodeId, string>();
            foreach (var node in snapshot.Reachable.Select(n => n.Myself).Concat(snapshot.Reference.Nodes).Concat(snapshot.Reachable.SelectMany(n => n.View.Nodes)))
            {
                if (!names.ContainsKey(node.Id) && node.EndPoint.Length > 0) names[node.Id] = NodeRefusals.Name(node);
            }
            return names;
        }

        private static void Add(Dictionary<int, List<(NodeId, NodeId)>> map, int slot, (NodeId, NodeId) marker)
        {
            if (!map.TryGetValue(slot, out var list)) map[slot] = list = new List<(NodeId, NodeId)>();
            list.Add(marker);
        }

        private static List<(NodeId Node, NodeId Peer)> Get(Dictionary<int, List<(NodeId Node, NodeId Peer)>> map, int slot) =>
            map.TryGetValue(slot, out var list) ? list : new List<(NodeId Node, NodeId Peer)>();

        /// <summary>What is known about one slot, and how its repair is written down.</summary>
        private sealed class SlotFacts
        {
            private readonly HashSet<NodeId> _live;
            private readonly SlotKeyCensus _census;
            private readonly IReadOnlyDictionary<NodeId, string> _names;

            public SlotFacts(int slot, List<NodeId> claimants, List<(NodeId Node, NodeId Peer)> migrating, List<(NodeId Node, NodeId Peer)> importing,
                HashSet<NodeId> live, SlotKeyCensus census, IReadOnlyDictionary<NodeId, string> names, ClusterTopology reference)
            {
                Slot = slot;
                Claimants = claimants;
                Migrating = migrating;
                Importing = importing;
                _live = live;
                _census = census;
                _names = names;
                Holders = live.Where(m => census.KeysIn(m, slot) > 0).OrderBy(m => m.ToString()).ToList();
                ReferenceOwner = reference.OwnerOf(slot)?.Id;
            }

            public int Slot { get; }
            public List<NodeId> Claimants { get; }
            public List<(NodeId Node, NodeId Peer)> Migrating { get; }
            public List<(NodeId Node, NodeId Peer)> Importing { get; }
            public List<NodeId> Holders { get; }
            public NodeId? ReferenceOwner { get; }

            public bool IsLive(NodeId id) => _live.Contains(id);
            public long Keys(NodeId master) => _census.KeysIn(master, Slot);
            public string Name(NodeId id) => _names.TryGetValue(id, out var name) ? name : id.Short;
            /// <summary>The candidate holding most keys of the slot; on a tie the one the majority routes to, then the lowest id.</summary>
            public NodeId MostKeys(IEnumerable<NodeId> candidates) =>
                candidates.Distinct().OrderByDescending(Keys).ThenBy(c => c == ReferenceOwner ? 0 : 1).ThenBy(c => c.ToString()).First();

            public string NameList(IEnumerable<NodeId> ids) => string.Join(" and ", ids.Select(Name));

            public string Markers => string.Join(", ",
                Migrating.Select(m => $"migrating on {Name(m.Node)} to {Name(m.Peer)}").Concat(Importing.Select(m => $"importing on {Name(m.Node)} from {Name(m.Peer)}")));

            public string MarkerSuffix => Migrating.Count + Importing.Count == 0 ? string.Empty : $"; {Markers}";

            public SlotRepair Repair(SlotProblem problem, string finding, NodeId owner, KeyConflictPolicy policy, bool assign = false, NodeId? finishFrom = null)
            {
                var donors = Holders.Where(h => h != owner).Select(h => (h, Keys(h))).ToList();
                return new SlotRepair(Slot, problem, finding, owner, donors, policy, assign, finishFrom);
            }
        }
    }
}
