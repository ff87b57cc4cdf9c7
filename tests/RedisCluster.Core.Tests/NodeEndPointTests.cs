using System;
using System.Collections.Generic;
using Xunit;

namespace RedisCluster.Tests
{
    public class NodeEndPointTests
    {
        // ---- constructor ----

        [Fact]
        public void Constructor_SetsHostAndPort()
        {
            var ep = new NodeEndPoint("127.0.0.1", 21001);
            Assert.Equal("127.0.0.1", ep.Host);
            Assert.Equal(21001, ep.Port);
            Assert.Equal(31001, ep.DefaultBusPort);
        }

        [Fact]
        public void Constructor_TrimsHost()
        {
            Assert.Equal("redis-a", new NodeEndPoint("  redis-a \t", 7000).Host);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        public void Constructor_RejectsMissingHost(string host)
        {
            Assert.Throws<ArgumentException>(() => new NodeEndPoint(host, 7000));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        [InlineData(65536)]
        [InlineData(int.MaxValue)]
        public void Constructor_RejectsBadPort(int port)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new NodeEndPoint("h", port));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(65535)]
        public void Constructor_AcceptsPortLimits(int port)
        {
            Assert.Equal(port, new NodeEndPoint("h", port).Port);
        }

        // ---- parsing ----

        [Theory]
        [InlineData("127.0.0.1:7000", "127.0.0.1", 7000)]
        [InlineData("127.0.0.1:21001", "127.0.0.1", 21001)]
        [InlineData("redis.example.com:6380", "redis.example.com", 6380)]
        [InlineData("localhost:1", "localhost", 1)]
        [InlineData("localhost:65535", "localhost", 65535)]
        [InlineData("[::1]:7000", "::1", 7000)]
        [InlineData("[2001:db8::5]:16379", "2001:db8::5", 16379)]
        [InlineData("[fe80::1%eth0]:7000", "fe80::1%eth0", 7000)]
        [InlineData("  host:7000  ", "host", 7000)]
        [InlineData("host:007000", "host", 7000)]
        public void Parse_ReadsValidForms(string text, string host, int port)
        {
            var ep = NodeEndPoint.Parse(text);
            Assert.Equal(host, ep.Host);
            Assert.Equal(port, ep.Port);
            Assert.True(NodeEndPoint.TryParse(text, out var tried, out var error));
            Assert.Null(error);
            Assert.Equal(ep, tried);
        }

        [Theory]
        [InlineData(null, "empty")]
        [InlineData("", "empty")]
        [InlineData("   ", "empty")]
        [InlineData("host:0", "port between 1 and 65535")]
        [InlineData("host:65536", "port between 1 and 65535")]
        [InlineData("host:99999999999", "port between 1 and 65535")]
        [InlineData("host:", "port between 1 and 65535")]
        [InlineData("host:abc", "port between 1 and 65535")]
        [InlineData("host:-1", "port between 1 and 65535")]
        [InlineData("host:+1", "port between 1 and 65535")]
        [InlineData("host: 7000", "holds a space")]
        [InlineData("host 7000", "holds a space")]
        [InlineData("host", "has no port")]
        [InlineData("10.0.0.5", "has no port")]
        [InlineData("[::1]", "has no port")]
        [InlineData("::1", "in brackets")]
        [InlineData("2001:db8::5:6379", "in brackets")]
        [InlineData("redis://host:6379", "without a scheme")]
        [InlineData("rediss://user@host:6379", "without a scheme")]
        [InlineData("host:7000x", "port between 1 and 65535")]
        [InlineData("[::1]:0", "port between 1 and 65535")]
        [InlineData("[::1]:70000", "port between 1 and 65535")]
        [InlineData("[::1]:", "port between 1 and 65535")]
        [InlineData("[::1]:7000:1", "port between 1 and 65535")]
        [InlineData("host:7000:1", "in brackets")]
        [InlineData(":7000", "no host")]
        [InlineData("[]:7000", "no host")]
        [InlineData("[]", "has no port")]
        [InlineData("[::1", "without ']'")]
        [InlineData("[::1]7000", "not :port")]
        [InlineData("[::1]]:7000", "not :port")]
        public void Parse_RejectsInvalidForms(string text, string fragment)
        {
            Assert.False(NodeEndPoint.TryParse(text, out var ep, out var error));
            Assert.Null(ep);
            Assert.Contains(fragment, error);
            Assert.EndsWith($"Expected {NodeEndPoint.AcceptedForms}.", error);
            var ex = Assert.Throws<FormatException>(() => NodeEndPoint.Parse(text));
            Assert.Equal(error, ex.Message);
        }

        // ---- formatting ----

        [Theory]
        [InlineData("127.0.0.1", 7000, "127.0.0.1:7000")]
        [InlineData("redis-b.example.test", 21002, "redis-b.example.test:21002")]
        [InlineData("::1", 7000, "[::1]:7000")]
        [InlineData("2001:db8::5", 16379, "[2001:db8::5]:16379")]
        public void ToString_BracketsIpv6(string host, int port, string expected)
        {
            Assert.Equal(expected, new NodeEndPoint(host, port).ToString());
        }

        [Theory]
        [InlineData("127.0.0.1:7000")]
        [InlineData("[::1]:7000")]
        [InlineData("[2001:db8::5]:16379")]
        [InlineData("host.example:1")]
        public void ToString_RoundTripsThroughParse(string text)
        {
            var ep = NodeEndPoint.Parse(text);
            Assert.Equal(text, ep.ToString());
            Assert.Equal(ep, NodeEndPoint.Parse(ep.ToString()));
        }

        // ---- equality ----

        [Fact]
        public void Equality_IgnoresHostCaseButNotPort()
        {
            var a = new NodeEndPoint("Redis-A.Example", 7000);
            var b = new NodeEndPoint("redis-a.example", 7000);
            var c = new NodeEndPoint("redis-a.example", 7001);
            Assert.Equal(a, b);
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
            Assert.NotEqual(a, c);
            Assert.False(a.Equals((NodeEndPoint)null));
            Assert.False(a.Equals((object)"redis-a.example:7000"));
            Assert.Contains(b, new HashSet<NodeEndPoint> { a });
        }
    }
}
