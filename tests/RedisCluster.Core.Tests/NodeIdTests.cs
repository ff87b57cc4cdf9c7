using System;
using System.Collections.Generic;
using Xunit;

namespace RedisCluster.Tests
{
    public class NodeIdTests
    {
        private const string Lower = "e23404f036480ae04fa18ad39d0e9a30c961de09";
        private const string Upper = "E23404F036480AE04FA18AD39D0E9A30C961DE09";

        [Theory]
        [InlineData(Lower)]
        [InlineData("0000000000000000000000000000000000000000")]
        [InlineData("ffffffffffffffffffffffffffffffffffffffff")]
        [InlineData("0123456789abcdefABCDEF0123456789abcdefAB")]
        public void Parse_AcceptsFortyHexCharacters(string text)
        {
            var id = NodeId.Parse(text);
            Assert.Equal(text.ToLowerInvariant(), id.ToString());
            Assert.False(id.IsEmpty);
            Assert.True(NodeId.TryParse(text, out var tried));
            Assert.Equal(id, tried);
        }

        [Fact]
        public void Parse_NormalizesToLowerCase()
        {
            Assert.Equal(Lower, NodeId.Parse(Upper).ToString());
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("e23404f036480ae04fa18ad39d0e9a30c961de0")] // 39
        [InlineData("e23404f036480ae04fa18ad39d0e9a30c961de090")] // 41
        [InlineData("g23404f036480ae04fa18ad39d0e9a30c961de09")] // 'g'
        [InlineData("e23404f036480ae04fa18ad39d0e9a30c961de0 ")] // trailing space
        [InlineData(" e23404f036480ae04fa18ad39d0e9a30c961de0")]
        [InlineData("0xe23404f036480ae04fa18ad39d0e9a30c961de")]
        [InlineData("e23404f0-36480ae04fa18ad39d0e9a30c961de0")]
        [InlineData("e23404f036480ae04fa18ad39d0e9a30c961de0٩")] // Arabic-Indic nine
        [InlineData("e23404f036480ae04fa18ad39d0e9a30c961de0ｆ")] // full-width f
        [InlineData("-")]
        public void Parse_RejectsAnythingElse(string text)
        {
            Assert.False(NodeId.TryParse(text, out var id));
            Assert.True(id.IsEmpty);
            var ex = Assert.Throws<FormatException>(() => NodeId.Parse(text));
            Assert.Contains("40 hexadecimal characters", ex.Message);
            Assert.Contains("'" + text + "'", ex.Message);
        }

        [Fact]
        public void Equality_IgnoresCase()
        {
            var a = NodeId.Parse(Lower);
            var b = NodeId.Parse(Upper);
            Assert.Equal(a, b);
            Assert.True(a == b);
            Assert.False(a != b);
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
            Assert.Contains(b, new HashSet<NodeId> { a });
        }

        [Fact]
        public void Equality_DistinguishesDifferentIds()
        {
            var a = NodeId.Parse(Ids.N1);
            var b = NodeId.Parse(Ids.N2);
            Assert.NotEqual(a, b);
            Assert.True(a != b);
            Assert.False(a == b);
        }

        [Fact]
        public void EqualsObject_AcceptsBoxedIdsOnly_SoEqualityIsSymmetric()
        {
            var a = NodeId.Parse(Lower);
            Assert.True(a.Equals((object)NodeId.Parse(Upper)));
            Assert.False(a.Equals((object)Upper));
            Assert.False(Upper.Equals(a));
            Assert.False(a.Equals((object)Ids.N2));
            Assert.False(a.Equals((object)"not an id"));
            Assert.False(a.Equals(null));
            Assert.False(a.Equals(42));
        }

        [Fact]
        public void Short_IsFirstEightCharacters()
        {
            Assert.Equal("e23404f0", NodeId.Parse(Upper).Short);
        }

        [Fact]
        public void Default_IsEmpty()
        {
            NodeId id = default;
            Assert.True(id.IsEmpty);
            Assert.Equal(string.Empty, id.ToString());
            Assert.Equal(string.Empty, id.Short);
            Assert.Equal(0, id.GetHashCode());
            Assert.Equal(default(NodeId), id);
            Assert.NotEqual(NodeId.Parse(Lower), id);
        }

        [Fact]
        public void NullableComparison_WorksForMasterIds()
        {
            NodeId? master = NodeId.Parse(Lower);
            NodeId? none = null;
            Assert.True(master == NodeId.Parse(Upper));
            Assert.False(none == NodeId.Parse(Upper));
        }
    }
}
