using System;
using System.Linq;
using System.Text;
using CsCheck;
using Xunit;

namespace RedisCluster.Tests
{
    public class HashSlotTests
    {
        // ---- reference implementation, written from cluster.c keyHashSlot() and a bit-by-bit CRC16/XMODEM ----

        private static ushort ReferenceCrc16(byte[] data, int offset, int count)
        {
            int crc = 0;
            for (int i = offset; i < offset + count; i++)
            {
                crc ^= data[i] << 8;
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
                    crc &= 0xFFFF;
                }
            }
            return (ushort)crc;
        }

        private static int ReferenceSlot(byte[] key)
        {
            int keylen = key.Length;
            int s, e;
            for (s = 0; s < keylen; s++)
                if (key[s] == '{') break;
            if (s == keylen) return ReferenceCrc16(key, 0, keylen) & 0x3FFF;
            for (e = s + 1; e < keylen; e++)
                if (key[e] == '}') break;
            if (e == keylen || e == s + 1) return ReferenceCrc16(key, 0, keylen) & 0x3FFF;
            return ReferenceCrc16(key, s + 1, e - s - 1) & 0x3FFF;
        }

        // ---- constants ----

        [Fact]
        public void Constants_MatchRedisCluster()
        {
            Assert.Equal(16384, HashSlot.SlotCount);
            Assert.Equal(16383, HashSlot.MaxSlot);
        }

        [Theory]
        [InlineData(0, true)]
        [InlineData(1, true)]
        [InlineData(8191, true)]
        [InlineData(16383, true)]
        [InlineData(16384, false)]
        [InlineData(-1, false)]
        [InlineData(int.MinValue, false)]
        [InlineData(int.MaxValue, false)]
        public void IsValid_AcceptsExactly0To16383(int slot, bool expected) => Assert.Equal(expected, HashSlot.IsValid(slot));

        // ---- CRC16 ----

        [Fact]
        public void Crc16_Of123456789_IsXmodemCheckValue()
        {
            Assert.Equal(0x31C3, HashSlot.Crc16(Encoding.ASCII.GetBytes("123456789")));
        }

        [Fact]
        public void Crc16_OfEmpty_IsZero()
        {
            Assert.Equal(0, HashSlot.Crc16(Array.Empty<byte>()));
        }

        [Fact]
        public void Crc16_WithOffsetAndCount_HashesOnlyThatWindow()
        {
            byte[] data = Encoding.ASCII.GetBytes("xx123456789yy");
            Assert.Equal(0x31C3, HashSlot.Crc16(data, 2, 9));
            Assert.Equal(0, HashSlot.Crc16(data, 5, 0));
        }

        [Fact]
        public void Crc16_AgreesWithBitwiseReference_ForRandomBytes()
        {
            Gen.Byte.Array[0, 64].Sample(bytes =>
                Assert.Equal(ReferenceCrc16(bytes, 0, bytes.Length), HashSlot.Crc16(bytes)), iter: 5000);
        }

        // ---- known slots: every expected value below was read from CLUSTER KEYSLOT on redis-server 7.0.15 ----

        [Theory]
        [InlineData("foo", 12182)]
        [InlineData("bar", 5061)]
        [InlineData("123456789", 12739)] // 0x31C3 & 0x3FFF
        [InlineData("{user1000}.following", 3443)]
        [InlineData("{user1000}.followers", 3443)]
        [InlineData("foo{}{bar}", 8363)] // "{}" is empty: the whole key is hashed
        [InlineData("foo{{bar}}zap", 4015)] // hashes "{bar"
        [InlineData("{bar", 4015)]
        [InlineData("foo{bar}{zap}", 5061)] // hashes "bar"
        [InlineData("", 0)]
        [InlineData("{}", 15257)]
        [InlineData("{", 4092)]
        [InlineData("}", 12090)]
        [InlineData("}{a}", 15495)]
        [InlineData("{a}{b}", 15495)]
        [InlineData("user:{42}:profile", 8000)]
        [InlineData("42", 8000)]
        [InlineData("hello world", 15332)]
        [InlineData("key:000", 9207)]
        public void Of_MatchesRedisClusterKeyslot(string key, int expected)
        {
            Assert.Equal(expected, HashSlot.Of(key));
            Assert.Equal(expected, HashSlot.Of(Encoding.UTF8.GetBytes(key)));
        }

        [Theory]
        [InlineData("ключ", 10303)]
        [InlineData("{ключ}x", 10303)]
        [InlineData("日本語", 12788)]
        [InlineData("😀", 2959)]
        [InlineData("é", 10180)]
        [InlineData("a{é}b", 10180)]
        public void Of_HashesUtf8Bytes_LikeRedis(string key, int expected)
        {
            Assert.Equal(expected, HashSlot.Of(key));
        }

        [Fact]
        public void Of_SameTag_SameSlot()
        {
            Assert.Equal(HashSlot.Of("{user1000}.following"), HashSlot.Of("{user1000}.followers"));
            Assert.Equal(HashSlot.Of("user1000"), HashSlot.Of("{user1000}.following"));
        }

        [Fact]
        public void Of_EmptyTag_HashesWholeKey()
        {
            byte[] whole = Encoding.ASCII.GetBytes("foo{}{bar}");
            Assert.Equal(HashSlot.Crc16(whole) & HashSlot.MaxSlot, HashSlot.Of("foo{}{bar}"));
            Assert.NotEqual(HashSlot.Of("bar"), HashSlot.Of("foo{}{bar}"));
        }

        [Fact]
        public void Of_ByteKeyThatIsNotUtf8_HashesTheRawTagBytes()
        {
            byte[] key = { 0xFF, (byte)'{', 0xC3, 0x28, (byte)'}', 0x80 };
            Assert.Equal(HashSlot.Of(new byte[] { 0xC3, 0x28 }), HashSlot.Of(key));
            Assert.Equal(ReferenceSlot(key), HashSlot.Of(key));
        }

        [Fact]
        public void Of_Null_Throws()
        {
            Assert.Throws<ArgumentNullException>(() => HashSlot.Of((string)null));
            Assert.Throws<ArgumentNullException>(() => HashSlot.Of((byte[])null));
        }

        // ---- HashTagOf ----

        [Theory]
        [InlineData("{user1000}.following", "user1000")]
        [InlineData("foo{bar}{zap}", "bar")]
        [InlineData("foo{{bar}}zap", "{bar")]
        [InlineData("{{}}", "{")]
        [InlineData("}{a}", "a")]
        [InlineData("a{b}", "b")]
        [InlineData("{a}", "a")]
        [InlineData("{ }", " ")]
        [InlineData("x{日本}y", "日本")]
        [InlineData("{a{b}c}", "a{b")]
        public void HashTagOf_ReturnsTextBetweenFirstOpenAndFollowingClose(string key, string expected)
        {
            Assert.Equal(expected, HashSlot.HashTagOf(key));
        }

        [Theory]
        [InlineData("")]
        [InlineData("foo")]
        [InlineData("{")]
        [InlineData("}")]
        [InlineData("}{")]
        [InlineData("{}")]
        [InlineData("foo{}{bar}")] // first '{' is followed directly by '}': no tag even though {bar} follows
        [InlineData("foo{bar")]
        [InlineData("foo}bar{")]
        public void HashTagOf_ReturnsNull_WhenNoNonEmptyTag(string key)
        {
            Assert.Null(HashSlot.HashTagOf(key));
        }

        [Fact]
        public void HashTagOf_Null_Throws()
        {
            Assert.Throws<ArgumentNullException>(() => HashSlot.HashTagOf(null));
        }

        // ---- properties ----

        /// <summary>Keys built from pieces rich in braces and multi-byte characters.</summary>
        private static readonly Gen<string> KeyGen =
            Gen.OneOf("{", "}", "{}", "a", "b", "z", "0", ":", " ", "é", "日", "😀", "ключ", "{x}")
                .Array[0, 12]
                .Select(parts => string.Concat(parts));

        [Fact]
        public void Property_KeyWithTag_HashesLikeTheTag()
        {
            KeyGen.Sample(key =>
            {
                string tag = HashSlot.HashTagOf(key);
                if (tag == null) return;
                Assert.NotEqual(string.Empty, tag);
                Assert.Equal(HashSlot.Of(tag), HashSlot.Of(key));
            }, iter: 20000);
        }

        [Fact]
        public void Property_TagPrefixedKeys_ShareTheTagSlot()
        {
            Gen.Select(KeyGen.Where(t => t.Length > 0 && t.IndexOf('}') < 0), KeyGen).Sample((tag, rest) =>
            {
                string key = "{" + tag + "}" + rest;
                Assert.Equal(tag, HashSlot.HashTagOf(key));
                Assert.Equal(HashSlot.Of(tag), HashSlot.Of(key));
            }, iter: 5000);
        }

        [Fact]
        public void Property_StringKey_AgreesWithReferenceOnUtf8Bytes()
        {
            KeyGen.Sample(key =>
            {
                byte[] bytes = Encoding.UTF8.GetBytes(key);
                Assert.Equal(ReferenceSlot(bytes), HashSlot.Of(key));
                Assert.Equal(HashSlot.Of(bytes), HashSlot.Of(key));
            }, iter: 20000);
        }

        [Fact]
        public void Property_ByteKey_AgreesWithReference()
        {
            var bytes = Gen.Frequency((3, Gen.Byte), (1, Gen.Const((byte)'{')), (1, Gen.Const((byte)'}'))).Array[0, 24];
            bytes.Sample(key => Assert.Equal(ReferenceSlot(key), HashSlot.Of(key)), iter: 20000);
        }

        [Fact]
        public void Property_HashTagOf_IsTheByteWindowRedisHashes()
        {
            KeyGen.Sample(key =>
            {
                string tag = HashSlot.HashTagOf(key);
                byte[] bytes = Encoding.UTF8.GetBytes(key);
                int s = Array.IndexOf(bytes, (byte)'{');
                int e = s < 0 ? -1 : Array.IndexOf(bytes, (byte)'}', s + 1);
                bool redisUsesTag = s >= 0 && e > s + 1;
                if (!redisUsesTag) Assert.Null(tag);
                else Assert.Equal(Encoding.UTF8.GetString(bytes, s + 1, e - s - 1), tag);
            }, iter: 20000);
        }

        [Fact]
        public void Property_SlotIsAlwaysValid()
        {
            Gen.String.Sample(key => HashSlot.IsValid(HashSlot.Of(key)), iter: 5000);
        }
    }
}
