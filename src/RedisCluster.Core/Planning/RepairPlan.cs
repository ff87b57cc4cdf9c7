using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RedisCluster
{
    /// <summary>What is wrong with a slot that Repair-RedisCluster fixes.</summary>
    public enum SlotProblem
    {
        /// <summary>MIGRATING/IMPORTING markers left by a move that stopped, between masters that are all up.</summary>
        OpenSlot,
        /// <summary>A master imports the slot from a source that is gone (killed mid-slot; its replica took over the slot).</summary>
        SourceLost,
        /// <summary>The slot's owner migrates it to a target that is gone (its replica took over the keys already moved).</summary>
        TargetLost,
        /// <summary>No master owns the slot.</summary>
        Uncovered,
        /// <summary>More than one master claims the slot.</summary>
        MultipleOwners,
        /// <summary>One master owns the slot and another holds keys of it that no client can reach.</summary>
        StrayKeys,
    }

    /// <summary>Which copy stays when a key is on both the owner and a node whose keys move in.</summary>
    public enum KeyConflictPolicy
    {
        /// <summary>Equal values are merged; different ones stop the slot (left open, keys listed).</summary>
        CompareValues,
        /// <summary>The owner's copy is the newer one (the other side of a move whose peer died): the other copy is dropped.</summary>
        KeepOwnerCopy,
    }

    /// <summary>What the repair does to one slot: who ends up owning it, and whose keys move in.</summary>
    public sealed class SlotRepair
    {
        internal SlotRepair(int slot, SlotProblem problem, string finding, NodeId owner, IReadOnlyList<(NodeId Node, long Keys)> donors,
            KeyConflictPolicy policy, bool assign, NodeId? finishFrom)
        {
            Slot = slot;
            Problem = problem;
            Finding = finding;
            Owner = owner;
            Donors = donors;
            Policy = policy;
            Assign = assign;
            FinishFrom = finishFrom;
        }

        public int Slot { get; }
        public SlotProblem Problem { get; }

        /// <summary>What was found, in words, without the slot number (so slots found alike share it).</summary>
        public string Finding { get; }

        public string OwnerId => Owner.ToString();
        public KeyConflictPolicy Policy { get; }

        /// <summary>Keys that move into the owner, from every other master holding some.</summary>
        public long KeysToMove => Donors.Sum(d => d.Keys);

        internal NodeId Owner { get; }
        internal IReadOnlyList<(NodeId Node, long Keys)> Donors { get; }

        /// <summary>True when no master owns the slot yet: the owner takes it with ADDSLOTS.</summary>
        internal bool Assign { get; }

        /// <summary>
        /// Set when the slot is an ordinary move that stopped between two live masters (markers agree): the slot
        /// executor finishes it from this source; null when the repair's own steps close it.
        /// </summary>
        internal NodeId? FinishFrom { get; }

        /// <summary>Slots planned alike print as one line: everything but the slot number and the key counts.</summary>
        internal string GroupKey =>
            $"{Problem}|{Finding}|{Owner}|{string.Join(",", Donors.Select(d => d.Node))}|{Policy}|{Assign}|{FinishFrom}";
    }

    /// <summary>Slots repaired alike: one line of the plan, and one result object after the repair.</summary>
    public sealed class SlotRepairGroup
    {
        internal SlotRepairGroup(IReadOnlyList<SlotRepair> slots, IReadOnlyDictionary<NodeId, string> names)
        {
            Repairs = slots;
            var first = slots[0];
            Problem = first.Problem;
            Slots = new SlotRangeList(SlotRange.FromSlots(slots.Select(s => s.Slot)));
            OwnerName = names.TryGetValue(first.Owner, out var owner) ? owner : first.Owner.Short;
            DonorNames = first.Donors.Select(d => names.TryGetValue(d.Node, out var name) ? name : d.Node.Short).ToList();
            Description = Describe(first, slots.Sum(s => s.KeysToMove));
        }

        public SlotProblem Problem { get; }
        public SlotRangeList Slots { get; }
        public string Description { get; }
        internal IReadOnlyList<SlotRepair> Repairs { get; }
        internal string OwnerName { get; }
        internal IReadOnlyList<string> DonorNames { get; }

        private string Describe(SlotRepair repair, long keys)
        {
            string word = Slots.SlotCount == 1 ? "slot" : "slots";
            string head = $"{word} {Slots}: {repair.Finding}";
            string moving = keys == 0 ? string.Empty : $", moving {keys} key(s) in from {string.Join(", ", DonorNames)}";
            string conflicts = repair.Policy == KeyConflictPolicy.KeepOwnerCopy
                ? $"; a key on both sides keeps {OwnerName}'s copy (the newer one), a key on one side only is kept"
                : string.Empty;
            if (repair.FinishFrom != null) return $"{head}: finish the move to {OwnerName}{moving}";
            if (repair.Assign) return $"{head}: assign to {OwnerName}{moving}";
            return $"{head}: {OwnerName} keeps {(Slots.SlotCount == 1 ? "it" : "them")}{moving}, markers closed{conflicts}";
        }

        public override string ToString() => Description;
    }

    /// <summary>
    /// What Repair-RedisCluster will do: every slot that is open, uncovered, claimed twice or holding keys on a master
    /// that does not own it, with the owner it ends with and whose keys move there. Made by the pure
    /// <see cref="RepairPlanner"/> from a snapshot and a key census; -WhatIf prints it.
    /// </summary>
    public sealed class RepairPlan
    {
        internal RepairPlan(IReadOnlyList<SlotRepair> repairs, IReadOnlyDictionary<NodeId, string> names)
        {
            Repairs = repairs;
            Names = names;
            // Slots found and repaired alike print as one line, whether or not they are next to each other.
            Groups = repairs.OrderBy(r => r.Slot)
                .GroupBy(r => r.GroupKey)
                .Select(g => new SlotRepairGroup(g.ToList(), names))
                .ToList();
        }

        /// <summary>One entry per slot found wrong.</summary>
        public IReadOnlyList<SlotRepair> Repairs { get; }

        /// <summary>The same slots, those repaired alike together.</summary>
        public IReadOnlyList<SlotRepairGroup> Groups { get; }

        public bool IsEmpty => Repairs.Count == 0;

        /// <summary>How messages name the nodes involved ("127.0.0.1:7000 (07c37dfe)").</summary>
        internal IReadOnlyDictionary<NodeId, string> Names { get; }

        internal string NameOf(NodeId id) => Names.TryGetValue(id, out var name) ? name : id.Short;

        public override string ToString()
        {
            if (IsEmpty) return "Nothing to repair: no slot is open, uncovered or claimed twice, and no master holds keys of a slot it does not own.";
            var text = new StringBuilder();
            text.AppendLine($"Repair {Repairs.Count} slot(s):");
            foreach (var group in Groups) text.AppendLine("  " + group.Description);
            return text.ToString().TrimEnd();
        }
    }
}
