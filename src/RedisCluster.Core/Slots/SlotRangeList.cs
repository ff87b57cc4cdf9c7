using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// Slot ranges in ascending order, written "0-5460,6000" (which is how they export to CSV and how
    /// [RedisCluster.SlotRangeList]'0-5460,6000' reads them back).
    /// </summary>
    public sealed class SlotRangeList : ReadOnlyCollection<SlotRange>
    {
        public static readonly SlotRangeList Empty = new SlotRangeList(new SlotRange[0]);

        public SlotRangeList(IEnumerable<SlotRange> ranges) : base(ranges.ToList())
        {
        }

        /// <summary>How many slots the ranges hold together.</summary>
        public int SlotCount => this.Sum(r => r.Count);

        public bool ContainsSlot(int slot) => this.Any(r => r.Contains(slot));

        public IEnumerable<int> AllSlots() => this.SelectMany(r => r.Slots());

        /// <summary>Parses "0-5460,6000" (commas or spaces between ranges); the result is sorted and merged.</summary>
        public static SlotRangeList Parse(string text)
        {
            if (TryParse(text, out var list, out var error)) return list;
            throw new FormatException(error);
        }

        public static bool TryParse(string text, out SlotRangeList list, out string error)
        {
            list = null;
            error = null;
            if (text == null)
            {
                error = "A slot list is empty.";
                return false;
            }
            var ranges = new List<SlotRange>();
            foreach (string part in text.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!SlotRange.TryParse(part, out var range, out error)) return false;
                ranges.Add(range);
            }
            list = new SlotRangeList(SlotRange.Normalize(ranges));
            return true;
        }

        public override string ToString() => string.Join(",", this);
    }
}
