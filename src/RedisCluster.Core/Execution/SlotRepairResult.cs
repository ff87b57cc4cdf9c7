using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>How the repair of a group of slots ended.</summary>
    public enum SlotRepairOutcome
    {
        /// <summary>The slots have one owner, no markers, and every key of theirs is on that owner.</summary>
        Repaired,
        /// <summary>A key has different values on two masters of a live move: the slot is left open with both, the keys listed.</summary>
        KeyConflict,
        /// <summary>The repair of these slots stopped on an error (the message says which); running the repair again resumes it.</summary>
        Failed,
    }

    /// <summary>What Repair-RedisCluster did to one group of slots found and repaired alike.</summary>
    public sealed class SlotRepairResult
    {
        internal SlotRepairResult(SlotRepairGroup group, string ownerEndPoint, SlotRepairOutcome outcome, long keysMoved, long copiesDropped,
            IReadOnlyList<string> conflictKeys, string message)
        {
            Problem = group.Problem;
            Slots = group.Slots;
            OwnerId = group.Repairs[0].OwnerId;
            OwnerEndPoint = ownerEndPoint;
            Outcome = outcome;
            KeysMoved = keysMoved;
            CopiesDropped = copiesDropped;
            ConflictKeys = conflictKeys ?? new string[0];
            Message = message ?? group.Description;
        }

        public SlotProblem Problem { get; }
        public SlotRangeList Slots { get; }
        public int SlotCount => Slots.SlotCount;

        /// <summary>The master that owns the slots now.</summary>
        public string OwnerId { get; }
        public string OwnerEndPoint { get; }
        public SlotRepairOutcome Outcome { get; }

        /// <summary>Keys moved into the owner.</summary>
        public long KeysMoved { get; }

        /// <summary>Older copies of keys the owner has, dropped from the other side of a move whose peer died.</summary>
        public long CopiesDropped { get; }

        /// <summary>For a KeyConflict, the keys whose two values differ.</summary>
        public IReadOnlyList<string> ConflictKeys { get; }

        /// <summary>What was found and done, or why it stopped.</summary>
        public string Message { get; }

        public override string ToString() => $"{Outcome}: {Message}";
    }
}
