using System.Collections.Generic;
using System.Linq;
using System.Net;
using Xunit;

namespace RedisCluster.Tests
{
    public class NodeDeploymentSpecTests
    {
        private static string[] Lines(NodeDeploymentSpec spec) => spec.RenderConfig().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        [Fact]
        public void Render_HasTheRecipeSettings()
        {
            var spec = new NodeDeploymentSpec("127.0.0.2", 6379, "/etc/redis", "/var/lib/redis");
            var lines = Lines(spec);
            Assert.Contains("port 6379", lines);
            Assert.Contains("bind 127.0.0.2", lines);
            Assert.Contains("bind-source-addr 127.0.0.2", lines);
            Assert.Contains("cluster-enabled yes", lines);
            Assert.Contains("cluster-config-file nodes-6379.conf", lines);
            Assert.Contains("dir \"/var/lib/redis/6379\"", lines);
            Assert.Contains("pidfile \"/var/lib/redis/6379/redis_6379.pid\"", lines);
            Assert.Contains("logfile \"/var/lib/redis/6379/redis_6379.log\"", lines);
            Assert.Equal("/etc/redis/redis_6379.conf", spec.ConfigPath);
            Assert.DoesNotContain(lines, l => l.StartsWith("requirepass"));
        }

        [Fact]
        public void Render_HostName_HasNoBindSourceAddress()
        {
            var lines = Lines(new NodeDeploymentSpec("redis-a.example", 6379, "/c", "/d"));
            Assert.DoesNotContain(lines, l => l.StartsWith("bind-source-addr"));
        }

        [Fact]
        public void Render_DefaultUser_IsRequirepassAndMasterauth_Quoted()
        {
            var spec = new NodeDeploymentSpec("127.0.0.1", 7000, "/c", "/d") { Credential = new NetworkCredential("default", "p\"w d") };
            var lines = Lines(spec);
            Assert.Contains("requirepass \"p\\\"w d\"", lines);
            Assert.Contains("masterauth \"p\\\"w d\"", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("masteruser"));
        }

        [Fact]
        public void Render_AclUser_GetsUserDirectiveAndMasteruser()
        {
            var spec = new NodeDeploymentSpec("127.0.0.1", 7000, "/c", "/d") { Credential = new NetworkCredential("ops", "secret") };
            var lines = Lines(spec);
            Assert.Contains("user ops on >secret ~* &* +@all", lines);
            Assert.Contains("user default off", lines);
            Assert.Contains("masteruser ops", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("requirepass"));
        }

        [Fact]
        public void Render_SettingsOverrideDefaultsCaseInsensitively()
        {
            var spec = new NodeDeploymentSpec("127.0.0.1", 7000, "/c", "/d")
            {
                Settings = new Dictionary<string, string> { ["Cluster-Node-Timeout"] = "3000", ["maxmemory"] = "1gb" },
            };
            var lines = Lines(spec);
            Assert.Single(lines, l => l.StartsWith("cluster-node-timeout"));
            Assert.Contains("cluster-node-timeout 3000", lines);
            Assert.Contains("maxmemory 1gb", lines);
        }
    }

    public class ConnectionSettingsTests
    {
        [Fact]
        public void ToString_NeverShowsThePassword()
        {
            var settings = new ConnectionSettings(new[] { NodeEndPoint.Parse("10.0.0.1:7000") })
            {
                Credential = new NetworkCredential("ops", "hunter2"),
                UseTls = true,
            };
            Assert.Equal("rediss://ops@10.0.0.1:7000", settings.ToString());
        }

        [Fact]
        public void UserName_DefaultMeansRequirepass()
        {
            var settings = new ConnectionSettings(new[] { NodeEndPoint.Parse("a:1") }) { Credential = new NetworkCredential("default", "x") };
            Assert.False(settings.IsAclUser);
            Assert.True(new ConnectionSettings(new[] { NodeEndPoint.Parse("a:1") }) { Credential = new NetworkCredential("ops", "x") }.IsAclUser);
            Assert.Equal("default", new ConnectionSettings(new[] { NodeEndPoint.Parse("a:1") }).UserName);
        }

        [Fact]
        public void Seeds_AreDistinctAndRequired()
        {
            Assert.Single(new ConnectionSettings(new[] { NodeEndPoint.Parse("a:1"), NodeEndPoint.Parse("A:1") }).Seeds);
            Assert.Throws<System.ArgumentException>(() => new ConnectionSettings(new NodeEndPoint[0]));
        }
    }

    public class ReadModelTests
    {
        [Fact]
        public void SlotRanges_ShowGapsAsUncovered()
        {
            var topology = ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 7000),
                "1111111111111111111111111111111111111111 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-99 200-16383\n");
            var ranges = RedisClusterSlotRange.From(topology);
            Assert.Equal(new[] { "0-99", "100-199", "200-16383" }, ranges.Select(r => r.Range.ToString()));
            Assert.False(ranges[1].IsCovered);
            Assert.Equal(16384, ranges.Sum(r => r.SlotCount));
        }

        [Fact]
        public void SlotRanges_EmptyCluster_IsOneUncoveredRange()
        {
            var topology = ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 7000),
                "1111111111111111111111111111111111111111 :7000@17000 myself,master - 0 0 0 connected\n");
            var range = Assert.Single(RedisClusterSlotRange.From(topology));
            Assert.Equal("0-16383", range.Range.ToString());
        }

        [Fact]
        public void ClusterInfoFields_AreParsedFromCrlfText()
        {
            var fields = InfoFields.Parse("cluster_state:ok\r\ncluster_slots_assigned:16384\r\n\r\n");
            Assert.Equal("ok", fields["cluster_state"]);
            Assert.Equal("16384", fields["cluster_slots_assigned"]);
        }

        [Fact]
        public void KeySlot_NamesTheOwnerWhenATopologyIsGiven()
        {
            var topology = ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 7000),
                "1111111111111111111111111111111111111111 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-16383\n");
            var slot = new RedisKeySlot("{user1000}.following", topology);
            Assert.Equal("user1000", slot.HashTag);
            Assert.Equal(HashSlot.Of("user1000"), slot.Slot);
            Assert.Equal("127.0.0.1:7000", slot.EndPoint);
            Assert.Null(new RedisKeySlot("x", null).NodeId);
        }
    }
}
