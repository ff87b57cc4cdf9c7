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
        public void Render_AclUser_GetsUserDirectiveWithThePasswordHashAndMasteruser()
        {
            var spec = new NodeDeploymentSpec("127.0.0.1", 7000, "/c", "/d") { Credential = new NetworkCredential("ops", "secret") };
            var lines = Lines(spec);
            // SHA-256("secret"), as sha256sum prints it.
            Assert.Contains("user ops on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~* &* +@all", lines);
            Assert.Contains("user default off", lines);
            Assert.Contains("masteruser ops", lines);
            Assert.Contains("masterauth \"secret\"", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("requirepass"));
        }

        [Fact]
        public void Render_AclUser_HashesTheUtf8BytesOfAHardPassword()
        {
            const string password = "p w \"q\" #h >g $x \\b\\ ü€ 😀";
            var spec = new NodeDeploymentSpec("127.0.0.1", 7000, "/c", "/d") { Credential = new NetworkCredential("ops", password) };
            var lines = Lines(spec);
            Assert.Contains("user ops on #f3c1b3ffe0d3ea3d68518db45a0cbec0b5761bea1986026496dbdea382dfbadc ~* &* +@all", lines);
            Assert.Contains("masterauth \"p w \\\"q\\\" #h >g $x \\\\b\\\\ ü€ 😀\"", lines);
            // The plaintext is on the masterauth line only: the user line holds the hash.
            Assert.Single(lines, l => l.Contains("q\\\" #h"));
        }

        [Theory]
        [InlineData("plain", "\"plain\"")]
        [InlineData("p w #h >g $x ü€ 😀", "\"p w #h >g $x ü€ 😀\"")]
        [InlineData("a\\b", "\"a\\\\b\"")]
        [InlineData("a\"b", "\"a\\\"b\"")]
        [InlineData("a\nb\rc\td\be\af", "\"a\\nb\\rc\\td\\be\\af\"")]
        [InlineData("nul\0 soh\u0001 esc\u001b del\u007f", "\"nul\\x00 soh\\x01 esc\\x1b del\\x7f\"")]
        [InlineData("", "\"\"")]
        public void Quote_EscapesWhatSdssplitargsReadsBack(string value, string expected)
        {
            Assert.Equal(expected, RedisConfigSyntax.Quote(value));
        }

        [Fact]
        public void Render_PathsAreQuotedLikePasswords()
        {
            var lines = Lines(new NodeDeploymentSpec("127.0.0.1", 7000, "/c", "/d \"x\""));
            Assert.Contains("dir \"/d \\\"x\\\"/7000\"", lines);
        }

        [Theory]
        [InlineData(1, null)]
        [InlineData(2, "port")]
        [InlineData(3, "maxmemory")]
        [InlineData(4, null)]
        [InlineData(5, null)]
        public void DirectiveAt_NamesTheDirectiveOnALine(int line, string expected)
        {
            Assert.Equal(expected, RedisConfigSyntax.DirectiveAt("# comment\nport 7000\n  maxmemory 1gb\n\n", line));
        }

        [Fact]
        public void Render_SettingsOverrideDefaultsCaseInsensitively()
        {
            var spec = new NodeDeploymentSpec("127.0.0.1", 7000, "/c", "/d")
            {
                Settings = Settings(("Cluster-Node-Timeout", "3000"), ("maxmemory", "1gb"), ("save", "900 1 300 10")),
            };
            var lines = Lines(spec);
            Assert.Single(lines, l => l.StartsWith("cluster-node-timeout"));
            Assert.Contains("cluster-node-timeout 3000", lines);
            Assert.Contains("maxmemory 1gb", lines);
            Assert.Contains("save 900 1 300 10", lines);
        }

        public static TheoryData<string> ManagedDirectives => new TheoryData<string>
        {
            "port", "daemonize", "pidfile", "logfile", "dir", "cluster-enabled", "cluster-config-file",
            "requirepass", "masterauth", "masteruser", "user", "include", "bind", "bind-source-addr", "RequirePass",
        };

        [Theory]
        [MemberData(nameof(ManagedDirectives))]
        public void Settings_RefuseTheDirectivesTheDeploymentManages(string name)
        {
            var refusal = Assert.Throws<RedisClusterException>(() => Settings((name, "x")));
            Assert.Equal("ManagedSetting", refusal.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, refusal.Kind);
            Assert.StartsWith($"-Setting cannot set '{name.ToLowerInvariant()}': New-RedisClusterNode ", refusal.Message);
        }

        [Fact]
        public void Settings_SayWhyADirectiveIsManaged()
        {
            var refusal = Assert.Throws<RedisClusterException>(() => Settings(("requirepass", "x")));
            Assert.Equal("-Setting cannot set 'requirepass': New-RedisClusterNode writes it from -Credential.", refusal.Message);
        }

        [Theory]
        [InlineData("max memory")]
        [InlineData("maxmemory\nrequirepass")]
        [InlineData("maxmemory\t")]
        [InlineData("\"maxmemory\"")]
        [InlineData("#maxmemory")]
        [InlineData("-maxmemory")]
        [InlineData("")]
        public void Settings_RefuseANameThatIsNotAPlainDirectiveWord(string name)
        {
            var refusal = Assert.Throws<RedisClusterException>(() => Settings((name, "1")));
            Assert.Equal("InvalidSettingName", refusal.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, refusal.Kind);
            Assert.DoesNotContain("\n", refusal.Message);
        }

        [Theory]
        [InlineData("1gb\nrequirepass hunter2")]
        [InlineData("1gb\rrequirepass hunter2")]
        [InlineData("900 1\t300 10")]
        [InlineData("1gb\0hunter2")]
        public void Settings_RefuseAValueWithAControlCharacter_WithoutShowingIt(string value)
        {
            var refusal = Assert.Throws<RedisClusterException>(() => Settings(("maxmemory", value)));
            Assert.Equal("InvalidSettingValue", refusal.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, refusal.Kind);
            Assert.DoesNotContain("hunter2", refusal.Message);
            Assert.DoesNotContain("300", refusal.Message);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(55535)]
        public void CheckPort_AcceptsAPortWhoseBusPortExists(int port)
        {
            new NodeDeploymentSpec("127.0.0.1", port, "/c", "/d").CheckPort();
        }

        [Fact]
        public void CheckPort_RefusesAPortWhoseBusPortWouldBeAbove65535_NamingIt()
        {
            var refusal = Assert.Throws<RedisClusterException>(() => new NodeDeploymentSpec("127.0.0.1", 60000, "/c", "/d").CheckPort());
            Assert.Equal("PortOutOfRange", refusal.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, refusal.Kind);
            Assert.StartsWith("Port 60000 is too high for a cluster node: its cluster bus port would be 70000 (port + 10000), above 65535.", refusal.Message);
        }

        [Fact]
        public void CheckPort_AcceptsAHighPortWithItsOwnBusPort()
        {
            new NodeDeploymentSpec("127.0.0.1", 60000, "/c", "/d") { Settings = Settings(("cluster-port", "16000")) }.CheckPort();
        }

        private static NodeSettings Settings(params (string Name, string Value)[] settings) =>
            new NodeSettings(settings.Select(s => new KeyValuePair<string, string>(s.Name, s.Value)));
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
