using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>Why a slot did not move.</summary>
    public enum SlotMigrationOutcome
    {
        /// <summary>The target already owned the slot and the source held none of its keys: nothing to do.</summary>
        AlreadyOnTarget,
        /// <summary>A key exists on both sides with different values; the slot stays open (MIGRATING/IMPORTING) until resolved.</summary>
        KeyConflict,
        /// <summary>The move's source does not own the slot and the target does not either: the plan no longer fits the cluster.</summary>
        SourceNotOwner,
        /// <summary>Ctrl+C (or another source's failure) came before the slot was started; it was not touched.</summary>
        NotStarted,
    }

    /// <summary>How slots move, or could move, between masters.</summary>
    public enum SlotMigrationMethod
    {
        /// <summary>SETSLOT IMPORTING/MIGRATING, GETKEYSINSLOT and MIGRATE, then SETSLOT NODE: every Redis Cluster since 3.0.</summary>
        KeyByKey,
        /// <summary>Valkey 9's CLUSTER MIGRATESLOTS: the servers move whole slot ranges themselves, atomically.</summary>
        ClusterMigrateSlots,
        /// <summary>Redis 8.4's CLUSTER MIGRATION IMPORT: the same idea in Redis.</summary>
        ClusterMigration,
    }

    /// <summary>A slot of the plan that did not move, and why.</summary>
    public sealed class SlotMigrationIssue
    {
        internal SlotMigrationIssue(SlotMove move, SlotMigrationOutcome outcome, string message, IReadOnlyList<string> keys = null)
        {
            Move = move;
            Outcome = outcome;
            Message = message;
            Keys = keys ?? new string[0];
        }

        public int Slot => Move.Slot;
        public string SourceId => Move.Source.ToString();
        public string TargetId => Move.Target.ToString();
        public SlotMigrationOutcome Outcome { get; }
        public string Message { get; }

        /// <summary>The keys in question (for a conflict, the keys whose two values differ).</summary>
        public IReadOnlyList<string> Keys { get; }

        /// <summary>The keys as a message names them: the first <paramref name="named"/> quoted, then how many more there are.</summary>
        public string KeyList(int named) =>
            string.Join(", ", Keys.Take(named).Select(k => $"'{k}'")) + (Keys.Count > named ? $" and {Keys.Count - named} more" : string.Empty);

        /// <summary>True when the slot was left open on the nodes (MIGRATING on the source, IMPORTING on the target).</summary>
        public bool LeftOpen => Outcome == SlotMigrationOutcome.KeyConflict;

        internal SlotMove Move { get; }

        public override string ToString() => $"slot {Slot}: {Message}";
    }

    /// <summary>What a slot migration did.</summary>
    public sealed class SlotMigrationResult
    {
        internal SlotMigrationResult(int slotsPlanned, int slotsMoved, long keysMoved, TimeSpan duration, bool cancelled, IReadOnlyList<SlotMigrationIssue> issues,
            IReadOnlyList<SlotMigrationMethod> serverSideMethods)
        {
            ServerSideMethods = serverSideMethods;
            SlotsPlanned = slotsPlanned;
            SlotsMoved = slotsMoved;
            KeysMoved = keysMoved;
            Duration = duration;
            Cancelled = cancelled;
            Issues = issues;
        }

        public int SlotsPlanned { get; }
        public int SlotsMoved { get; }
        public long KeysMoved { get; }
        public TimeSpan Duration { get; }
        public double KeysPerSecond => Duration.TotalSeconds > 0 ? Math.Round(KeysMoved / Duration.TotalSeconds) : 0;

        /// <summary>
        /// True when Ctrl+C stopped the work before its end: the slots in flight were finished, the rest are NotStarted
        /// issues. A Ctrl+C that came when nothing was left to start leaves it false.
        /// </summary>
        public bool Cancelled { get; }

        /// <summary>
        /// How the slots were moved: always <see cref="SlotMigrationMethod.KeyByKey"/> for now, the one path testable
        /// on Redis 7 (see <see cref="ServerSideMethods"/>).
        /// </summary>
        public SlotMigrationMethod Method => SlotMigrationMethod.KeyByKey;

        /// <summary>
        /// The server-side slot migrations every source and target offered (COMMAND INFO), empty on Redis 7. They are
        /// detected so that a later version can use them; this one moves key by key whatever the servers offer.
        /// </summary>
        public IReadOnlyList<SlotMigrationMethod> ServerSideMethods { get; }

        /// <summary>Every slot of the plan that did not move, with the reason.</summary>
        public IReadOnlyList<SlotMigrationIssue> Issues { get; }

        public override string ToString() =>
            $"{SlotsMoved} of {SlotsPlanned} slots, {KeysMoved} keys in {Duration.TotalSeconds:0.00} s ({KeysPerSecond} keys/s)" +
            (Issues.Count > 0 ? $", {Issues.Count} not moved" : string.Empty) + (Cancelled ? ", cancelled" : string.Empty);
    }
}
