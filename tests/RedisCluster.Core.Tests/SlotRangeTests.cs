using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Xunit;

namespace RedisCluster.Tests
{
    public class SlotRangeTests
    {
        private static SlotRange R(int start, int end) => new SlotRange(start, end);

        // ---- construction ----

        [Theory]
        [InlineData(0, 0, 1)]
        [InlineData(0, 5460, 5461)]
        [InlineData(5461, 10922, 5462)]
        [InlineData(10923, 16383, 5461)]
        [InlineData(0, 16383, 16384)]
        [InlineData(16383, 16383, 1)]
        public void Constructor_SetsBoundsAndCount(int start, int end, int count)
        {
            var range = new SlotRange(start, end);
            Assert.Equal(start, range.Start);
            Assert.Equal(end, range.End);
            Assert.Equal(count, range.Count);
        }

        [Theory]
        [InlineData(-1, 5)]
        [InlineData(0, 16384)]
        [InlineData(16384, 16384)]
        [InlineData(int.MinValue, 0)]
        public void Constructor_RejectsSlotsOutsideTheSpace(int start, int end)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new SlotRange(start, end));
        }

        [Fact]
        public void Constructor_RejectsEndBeforeStart()
        {
            var ex = Assert.Throws<ArgumentException>(() => new SlotRange(10, 9));
            Assert.Contains("before its start", ex.Message);
        }

        [Fact]
        public void Default_IsSlotZero()
        {
            SlotRange range = default;
            Assert.Equal(R(0, 0), range);
            Assert.Equal(1, range.Count);
            Assert.Equal("0", range.ToString());
        }

        [Fact]
        public void Contains_IsInclusiveAtBothEnds()
        {
            var range = R(100, 200);
            Assert.False(range.Contains(99));
            Assert.True(range.Contains(100));
            Assert.True(range.Contains(150));
            Assert.True(range.Contains(200));
            Assert.False(range.Contains(201));
        }

        [Fact]
        public void Slots_EnumeratesEverySlotInOrder()
        {
            Assert.Equal(new[] { 5, 6, 7, 8 }, R(5, 8).Slots().ToArray());
            Assert.Equal(new[] { 16383 }, R(16383, 16383).Slots().ToArray());
            Assert.Equal(16384, R(0, 16383).Slots().Count());
        }

        // ---- parsing and formatting ----

        [Theory]
        [InlineData("0-5460", 0, 5460)]
        [InlineData("5461-10922", 5461, 10922)]
        [InlineData("10923-16383", 10923, 16383)]
        [InlineData("0-16383", 0, 16383)]
        [InlineData("42", 42, 42)]
        [InlineData("0", 0, 0)]
        [InlineData("16383", 16383, 16383)]
        [InlineData("7-7", 7, 7)]
        public void Parse_ReadsRangesAndSingleSlots(string text, int start, int end)
        {
            Assert.Equal(R(start, end), SlotRange.Parse(text));
            Assert.True(SlotRange.TryParse(text, out var range, out var error));
            Assert.Equal(R(start, end), range);
            Assert.Null(error);
        }

        [Theory]
        [InlineData("0-5460")]
        [InlineData("42")]
        [InlineData("0-16383")]
        [InlineData("16383")]
        [InlineData("100-101")]
        public void ToString_RoundTrips(string text)
        {
            Assert.Equal(text, SlotRange.Parse(text).ToString());
        }

        [Fact]
        public void ToString_WritesSingleSlotWithoutDash()
        {
            Assert.Equal("7", R(7, 7).ToString());
            Assert.Equal("7-8", R(7, 8).ToString());
        }

        [Fact]
        public void Property_ParseOfToString_IsIdentity()
        {
            Gen.Int[0, HashSlot.MaxSlot].SelectMany(s => Gen.Int[s, HashSlot.MaxSlot], (s, e) => new SlotRange(s, e))
                .Sample(range => Assert.Equal(range, SlotRange.Parse(range.ToString())), iter: 5000);
        }

        [Theory]
        [InlineData("-1", "not a slot")] // dash at 0: the start is empty
        [InlineData("16384", "outside")]
        [InlineData("0-16384", "outside")]
        [InlineData("20000-30000", "outside")]
        [InlineData("5-3", "ends before it starts")]
        [InlineData("16383-0", "ends before it starts")]
        [InlineData("abc", "not a slot")]
        [InlineData("1-2-3", "not a slot")]
        [InlineData("-", "not a slot")]
        [InlineData("5-", "not a slot")]
        [InlineData("-5", "not a slot")]
        [InlineData(" 5", "not a slot")]
        [InlineData("5 ", "not a slot")]
        [InlineData("+5", "not a slot")]
        [InlineData("0x10", "not a slot")]
        [InlineData("1e3", "not a slot")]
        [InlineData("1.0", "not a slot")]
        [InlineData("99999999999", "not a slot")]
        [InlineData("٣", "not a slot")] // Arabic-Indic digit three
        [InlineData("[100->-abc]", "not a slot")]
        public void Parse_RejectsInvalidText(string text, string fragment)
        {
            Assert.False(SlotRange.TryParse(text, out var range, out var error));
            Assert.Equal(default, range);
            Assert.NotNull(error);
            var ex = Assert.Throws<FormatException>(() => SlotRange.Parse(text));
            Assert.Equal(error, ex.Message);
            Assert.Contains("'" + text + "'", ex.Message);
            Assert.Contains(fragment, ex.Message);
        }

        [Theory]
        [InlineData("")]
        [InlineData(null)]
        public void Parse_RejectsEmpty(string text)
        {
            Assert.False(SlotRange.TryParse(text, out _, out var error));
            Assert.Equal("A slot range is empty.", error);
            Assert.Throws<FormatException>(() => SlotRange.Parse(text));
        }

        [Fact]
        public void Parse_AcceptsLeadingZeros()
        {
            // Redis never writes them, but they are unambiguous.
            Assert.Equal(R(5, 10), SlotRange.Parse("005-010"));
        }

        // ---- FromSlots ----

        [Fact]
        public void FromSlots_Empty_GivesNoRanges()
        {
            Assert.Empty(SlotRange.FromSlots(Array.Empty<int>()));
        }

        [Fact]
        public void FromSlots_MergesConsecutiveSlots()
        {
            Assert.Equal(new[] { R(0, 3) }, SlotRange.FromSlots(new[] { 0, 1, 2, 3 }));
        }

        [Fact]
        public void FromSlots_SortsAndDeduplicates()
        {
            var ranges = SlotRange.FromSlots(new[] { 9, 3, 100, 2, 4, 3, 16383, 10, 4, 101 });
            Assert.Equal(new[] { R(2, 4), R(9, 10), R(100, 101), R(16383, 16383) }, ranges);
        }

        [Fact]
        public void FromSlots_SingleSlot()
        {
            Assert.Equal(new[] { R(0, 0) }, SlotRange.FromSlots(new[] { 0 }));
            Assert.Equal(new[] { R(16383, 16383) }, SlotRange.FromSlots(new[] { 16383 }));
        }

        [Fact]
        public void FromSlots_AllSlots_IsOneRange()
        {
            Assert.Equal(new[] { R(0, 16383) }, SlotRange.FromSlots(Enumerable.Range(0, 16384).Reverse()));
        }

        [Fact]
        public void FromSlots_SlotAboveMax_Throws()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => SlotRange.FromSlots(new[] { 5, 16384 }));
        }

        /// <summary>
        /// A negative slot is rejected like one above 16383, never silently dropped (a sentinel of -1 once made
        /// FromSlots({-1, 5}) return [5]).
        /// </summary>
        [Theory]
        [InlineData(new[] { -1, 5 })]
        [InlineData(new[] { -1 })]
        [InlineData(new[] { -3, -2, 0 })]
        public void FromSlots_NegativeSlot_Throws(int[] slots)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => SlotRange.FromSlots(slots));
        }

        [Fact]
        public void FromSlots_Null_Throws()
        {
            Assert.Throws<ArgumentNullException>(() => SlotRange.FromSlots(null));
        }

        [Fact]
        public void Property_FromSlots_CoversExactlyTheInputWithMaximalDisjointRanges()
        {
            Gen.Int[0, 300].Array[0, 120].Sample(slots =>
            {
                var ranges = SlotRange.FromSlots(slots);
                // exactly the same slots
                Assert.Equal(slots.Distinct().OrderBy(s => s), ranges.SelectMany(r => r.Slots()));
                // ascending, and a gap of at least one slot between neighbours (otherwise they would have merged)
                for (int i = 1; i < ranges.Count; i++) Assert.True(ranges[i].Start > ranges[i - 1].End + 1);
            }, iter: 3000);
        }

        // ---- Normalize ----

        [Fact]
        public void Normalize_MergesAdjacentOverlappingAndContainedRanges()
        {
            var ranges = SlotRange.Normalize(new[] { R(10, 20), R(0, 4), R(5, 9), R(15, 30), R(18, 19), R(100, 100) });
            Assert.Equal(new[] { R(0, 30), R(100, 100) }, ranges);
        }

        [Fact]
        public void Normalize_KeepsGaps()
        {
            Assert.Equal(new[] { R(0, 99), R(101, 5460) }, SlotRange.Normalize(new[] { R(101, 5460), R(0, 99) }));
        }

        [Fact]
        public void Normalize_Empty_GivesNoRanges()
        {
            Assert.Empty(SlotRange.Normalize(Array.Empty<SlotRange>()));
        }

        [Fact]
        public void Normalize_ThreeMasterLayout_IsWholeSpace()
        {
            Assert.Equal(new[] { R(0, 16383) }, SlotRange.Normalize(new[] { R(10923, 16383), R(0, 5460), R(5461, 10922) }));
        }

        [Fact]
        public void Property_Normalize_IsIdempotentAndPreservesSlots()
        {
            var rangeGen = Gen.Int[0, 500].SelectMany(s => Gen.Int[s, Math.Min(s + 40, HashSlot.MaxSlot)], (s, e) => new SlotRange(s, e));
            rangeGen.Array[0, 15].Sample(input =>
            {
                var once = SlotRange.Normalize(input);
                Assert.Equal(once, SlotRange.Normalize(once));
                Assert.Equal(new HashSet<int>(input.SelectMany(r => r.Slots())), new HashSet<int>(once.SelectMany(r => r.Slots())));
                Assert.Equal(input.SelectMany(r => r.Slots()).Distinct().Count(), once.Sum(r => r.Count));
            }, iter: 2000);
        }

        // ---- equality and ordering ----

        [Fact]
        public void Equality_IsByValue()
        {
            Assert.Equal(R(1, 2), R(1, 2));
            Assert.True(R(1, 2) == R(1, 2));
            Assert.False(R(1, 2) != R(1, 2));
            Assert.True(R(1, 2) != R(1, 3));
            Assert.True(R(1, 2).Equals((object)R(1, 2)));
            Assert.False(R(1, 2).Equals("1-2"));
            Assert.False(R(1, 2).Equals(null));
            Assert.Equal(R(1, 2).GetHashCode(), R(1, 2).GetHashCode());
        }

        [Fact]
        public void HashCode_IsDistinctForDistinctRanges()
        {
            var seen = new HashSet<int>();
            for (int start = 0; start < 8; start++)
                for (int end = start; end <= HashSlot.MaxSlot; end++)
                    Assert.True(seen.Add(R(start, end).GetHashCode()), $"hash collision at {start}-{end}");
        }

        [Fact]
        public void CompareTo_OrdersByStartThenEnd()
        {
            var sorted = new[] { R(5, 9), R(0, 3), R(5, 6), R(16383, 16383), R(0, 0) }.OrderBy(r => r).ToArray();
            Assert.Equal(new[] { R(0, 0), R(0, 3), R(5, 6), R(5, 9), R(16383, 16383) }, sorted);
            Assert.Equal(0, R(4, 4).CompareTo(R(4, 4)));
        }
    }
}
