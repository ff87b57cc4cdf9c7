using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RedisCluster
{
    /// <summary>An inclusive range of hash slots, written "0-5460" or "42" as CLUSTER NODES does.</summary>
    public readonly struct SlotRange : IEquatable<SlotRange>, IComparable<SlotRange>
    {
        public SlotRange(int start, int end)
        {
            if (!HashSlot.IsValid(start)) throw new ArgumentOutOfRangeException(nameof(start), start, $"A slot is between 0 and {HashSlot.MaxSlot}.");
            if (!HashSlot.IsValid(end)) throw new ArgumentOutOfRangeException(nameof(end), end, $"A slot is between 0 and {HashSlot.MaxSlot}.");
            if (end < start) throw new ArgumentException($"Slot range end {end} is before its start {start}.");
            Start = start;
            End = end;
        }

        /// <summary>One slot as a range; also what lets PowerShell turn a number into a range (-Slot 5000).</summary>
        public SlotRange(int slot) : this(slot, slot)
        {
        }

        public int Start { get; }
        public int End { get; }
        public int Count => End - Start + 1;

        public bool Contains(int slot) => slot >= Start && slot <= End;

        public IEnumerable<int> Slots()
        {
            for (int s = Start; s <= End; s++) yield return s;
        }

        public static SlotRange Parse(string text)
        {
            if (TryParse(text, out var range, out var error)) return range;
            throw new FormatException(error);
        }

        public static bool TryParse(string text, out SlotRange range, out string error)
        {
            range = default;
            error = null;
            if (string.IsNullOrEmpty(text))
            {
                error = "A slot range is empty.";
                return false;
            }
            int dash = text.IndexOf('-');
            string startText = dash < 0 ? text : text.Substring(0, dash);
            string endText = dash < 0 ? text : text.Substring(dash + 1);
            if (!int.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out int start) ||
                !int.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out int end))
            {
                error = $"'{text}' is not a slot or slot range (expected N or N-M).";
                return false;
            }
            if (!HashSlot.IsValid(start) || !HashSlot.IsValid(end) || end < start)
            {
                error = $"'{text}' is outside 0-{HashSlot.MaxSlot} or ends before it starts.";
                return false;
            }
            range = new SlotRange(start, end);
            return true;
        }

        /// <summary>Merges slots (in any order, duplicates allowed) into the fewest ascending ranges.</summary>
        public static IReadOnlyList<SlotRange> FromSlots(IEnumerable<int> slots)
        {
            var result = new List<SlotRange>();
            int start = -1, previous = -1;
            foreach (int slot in slots.Distinct().OrderBy(s => s))
            {
                if (!HashSlot.IsValid(slot)) throw new ArgumentOutOfRangeException(nameof(slots), slot, $"A slot is between 0 and {HashSlot.MaxSlot}.");
                if (start < 0) { start = previous = slot; continue; }
                if (slot == previous + 1) { previous = slot; continue; }
                result.Add(new SlotRange(start, previous));
                start = previous = slot;
            }
            if (start >= 0) result.Add(new SlotRange(start, previous));
            return result;
        }

        /// <summary>Sorts and merges adjacent or overlapping ranges.</summary>
        public static IReadOnlyList<SlotRange> Normalize(IEnumerable<SlotRange> ranges) =>
            FromSlots(ranges.SelectMany(r => r.Slots()));

        public override string ToString() =>
            Start == End ? Start.ToString(CultureInfo.InvariantCulture) : string.Format(CultureInfo.InvariantCulture, "{0}-{1}", Start, End);

        public bool Equals(SlotRange other) => Start == other.Start && End == other.End;
        public override bool Equals(object obj) => obj is SlotRange other && Equals(other);
        public override int GetHashCode() => (Start * 16385) + End;
        public int CompareTo(SlotRange other) => Start != other.Start ? Start.CompareTo(other.Start) : End.CompareTo(other.End);
        public static bool operator ==(SlotRange a, SlotRange b) => a.Equals(b);
        public static bool operator !=(SlotRange a, SlotRange b) => !a.Equals(b);
    }
}
