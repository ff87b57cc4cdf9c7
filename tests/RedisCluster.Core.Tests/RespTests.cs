using System;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>The RESP2 format of <see cref="Resp"/>: commands as the server reads them, replies read whole or not at all.</summary>
    public class RespTests
    {
        private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

        [Fact]
        public void WritesEachArgumentAsABulkString()
        {
            var output = new MemoryStream();
            Resp.WriteCommand(output, new RedisCommand("MIGRATE", "127.0.0.1", 7001, string.Empty, 0, 5000L, "KEYS", new byte[] { 0, 13, 10, 255 }, "ké"));
            var expected = new MemoryStream();
            var text = "*9\r\n$7\r\nMIGRATE\r\n$9\r\n127.0.0.1\r\n$4\r\n7001\r\n$0\r\n\r\n$1\r\n0\r\n$4\r\n5000\r\n$4\r\nKEYS\r\n$4\r\n";
            expected.Write(Bytes(text), 0, text.Length);
            expected.Write(new byte[] { 0, 13, 10, 255, 13, 10 }, 0, 6);
            var tail = Bytes("$3\r\nké\r\n");
            expected.Write(tail, 0, tail.Length);
            Assert.Equal(expected.ToArray(), output.ToArray());
        }

        [Theory]
        [InlineData(0L)]
        [InlineData(7L)]
        [InlineData(10L)]
        [InlineData(-1L)]
        [InlineData(-10L)]
        [InlineData(16383L)]
        [InlineData(long.MaxValue)]
        [InlineData(long.MinValue)]
        public void WritesNumbersAsTheirInvariantDigits(long value)
        {
            var output = new MemoryStream();
            Resp.WriteCommand(output, new RedisCommand("ECHO", value, (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, value))));
            string digits = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string small = ((int)Math.Max(int.MinValue, Math.Min(int.MaxValue, value))).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal($"*3\r\n$4\r\nECHO\r\n${digits.Length}\r\n{digits}\r\n${small.Length}\r\n{small}\r\n", Encoding.ASCII.GetString(output.ToArray()));
        }

        [Fact]
        public void ReadsEveryKindOfReply()
        {
            var wire = Bytes("+OK\r\n:-42\r\n$3\r\na\r\n\r\n$-1\r\n*-1\r\n*3\r\n:1\r\n*2\r\n$1\r\nx\r\n+y\r\n$0\r\n\r\n");
            int position = 0;
            var replies = Enumerable.Range(0, 6).Select(_ =>
            {
                Assert.True(Resp.TryRead(wire, ref position, wire.Length, out var reply));
                Assert.Null(reply.Error);
                return reply.Value;
            }).ToList();
            Assert.Equal(wire.Length, position);
            Assert.Equal("OK", replies[0].AsString());
            Assert.Equal(-42, replies[1].AsInt64());
            Assert.Equal(new byte[] { (byte)'a', 13, 10 }, replies[2].Bytes);
            Assert.True(replies[3].IsNull);
            Assert.True(replies[4].IsNull);
            Assert.Equal(3, replies[5].Items.Count);
            Assert.Equal("x", replies[5].Items[1].Items[0].AsString());
            Assert.Equal("y", replies[5].Items[1].Items[1].AsString());
            Assert.Equal(string.Empty, replies[5].Items[2].AsString());
        }

        [Fact]
        public void AnErrorAnywhereInAReplyIsTheReply()
        {
            var wire = Bytes("-MOVED 12 127.0.0.1:7002\r\n*2\r\n:1\r\n-BUSYKEY Target key name already exists.\r\n+after\r\n");
            int position = 0;
            Assert.True(Resp.TryRead(wire, ref position, wire.Length, out var moved));
            Assert.Equal("MOVED 12 127.0.0.1:7002", moved.Error);
            Assert.True(Resp.TryRead(wire, ref position, wire.Length, out var nested));
            Assert.Equal("BUSYKEY Target key name already exists.", nested.Error);
            Assert.True(Resp.TryRead(wire, ref position, wire.Length, out var after));
            Assert.Equal("after", after.Value.AsString());
        }

        /// <summary>A reply cut anywhere is not read, and nothing of it is consumed; the whole of it then reads the same.</summary>
        [Fact]
        public void APartOfAReplyIsLeftForMoreBytes()
        {
            var wire = Bytes("*3\r\n$5\r\nkey:1\r\n:7\r\n*1\r\n$-1\r\n");
            for (int cut = 0; cut < wire.Length; cut++)
            {
                int position = 0;
                Assert.False(Resp.TryRead(wire, ref position, cut, out _));
                Assert.Equal(0, position);
            }
            int whole = 0;
            Assert.True(Resp.TryRead(wire, ref whole, wire.Length, out var reply));
            Assert.Equal(wire.Length, whole);
            Assert.Equal("key:1", reply.Value.Items[0].AsString());
            Assert.True(reply.Value.Items[2].Items[0].IsNull);
        }

        [Fact]
        public void BytesThatAreNotRespAreAProtocolError()
        {
            var wire = Bytes("HTTP/1.1 400 Bad Request\r\n");
            int position = 0;
            var error = Assert.Throws<RedisClusterException>(() => Resp.TryRead(wire, ref position, wire.Length, out _));
            Assert.Equal(FailureKind.Protocol, error.Kind);
            Assert.Equal("UnexpectedReply", error.ErrorId);
        }
    }
}
