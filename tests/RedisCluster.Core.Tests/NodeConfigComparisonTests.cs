using System.Collections.Generic;
using System.Linq;
using System.Net;
using Xunit;

namespace RedisCluster.Tests
{
    public class NodeConfigComparisonTests
    {
        private static NodeDeploymentSpec Spec(NetworkCredential credential = null, params (string Name, string Value)[] settings) =>
            new NodeDeploymentSpec("127.0.0.1", 21901, "/tmp/rw-exp/plain", "/tmp/rw-exp")
            {
                Credential = credential,
                Settings = new NodeSettings(settings.Select(s => new KeyValuePair<string, string>(s.Name, s.Value))),
            };

        private static IReadOnlyList<NodeSettingChange> Compare(string existing, string desired) =>
            NodeConfigComparison.Compare(RedisConfigFile.Parse(existing), RedisConfigFile.Parse(desired));

        [Theory]
        [InlineData("port 6379", new[] { "port", "6379" })]
        [InlineData("  save 900 1  ", new[] { "save", "900", "1" })]
        [InlineData("dir \"/data/my redis\"", new[] { "dir", "/data/my redis" })]
        [InlineData("requirepass \"p\\\"w\\\\d\\x41\\n\"", new[] { "requirepass", "p\"w\\dA\n" })]
        [InlineData("requirepass 'it\\'s'", new[] { "requirepass", "it's" })]
        [InlineData("save \"\"", new[] { "save", "" })]
        [InlineData("a b\"c d\"", new[] { "a", "bc d" })]
        public void SplitArguments_ReadsLikeRedis(string line, string[] expected) => Assert.Equal(expected, RedisConfigSyntax.SplitArguments(line));

        [Theory]
        [InlineData("dir \"/open")]
        [InlineData("dir \"/x\"y")]
        [InlineData("dir '/x")]
        public void SplitArguments_RefusesWhatRedisRefuses(string line) => Assert.Null(RedisConfigSyntax.SplitArguments(line));

        [Fact]
        public void SplitArguments_ReadsBackEveryQuotedValue()
        {
            foreach (string value in new[] { "p w \"q\" #h >g $x \\b\\ ü€ 😀", "tab\there", "line\nbreak", "\u0001\u007f" })
            {
                Assert.Equal(new[] { "requirepass", value }, RedisConfigSyntax.SplitArguments("requirepass " + RedisConfigSyntax.Quote(value)));
            }
        }

        [Fact]
        public void TheSameSpec_IsNoChange()
        {
            string config = Spec(new NetworkCredential("default", "p w\"x"), ("maxmemory", "64MB")).RenderConfig();
            Assert.Empty(Compare(config, config));
        }

        /// <summary>What redis-server 7.0.15 made of the deployment's config with CONFIG REWRITE (see the test's data), for requirepass and for an ACL user.</summary>
        [Theory]
        [InlineData("default", "p w\"x", "plain")]
        [InlineData("operator", "pw", "acl")]
        public void LinesRedisRewrote_AreNoChange(string user, string password, string mode)
        {
            var spec = new NodeDeploymentSpec("127.0.0.1", mode == "plain" ? 21901 : 21902, "/tmp/rw-exp/" + mode, "/tmp/rw-exp")
            {
                Credential = new NetworkCredential(user, password),
                Settings = new NodeSettings(new[] { new KeyValuePair<string, string>("maxmemory", "64MB"), new KeyValuePair<string, string>("appendfsync", "Always") }),
            };
            Assert.Empty(Compare(mode == "plain" ? RewrittenPlain : RewrittenAcl, spec.RenderConfig().Replace($"/tmp/rw-exp/{spec.Port}", $"/tmp/rw-exp/{mode}")));
        }

        [Fact]
        public void ChangedSetting_IsReported_OldAndNew()
        {
            var change = Assert.Single(Compare(Spec(null, ("maxmemory", "64mb")).RenderConfig(), Spec(null, ("maxmemory", "128mb")).RenderConfig()));
            Assert.Equal("maxmemory", change.Setting);
            Assert.Equal("64mb", change.OldValue);
            Assert.Equal("128mb", change.NewValue);
            Assert.Equal("maxmemory: 64mb -> 128mb", change.ToString());
        }

        [Fact]
        public void AddedAndRemovedSettings_AreReported_RemovedOnlyWhenTheDeploymentHadWrittenThem()
        {
            string before = Spec(null, ("maxmemory", "64mb")).RenderConfig() + "\n" + RedisConfigFile.RewriteMarker + "\nlatency-tracking-info-percentiles 50 99 99.9\n";
            var changes = Compare(before, Spec(null, ("maxmemory-policy", "allkeys-lru")).RenderConfig());
            Assert.Equal(new[] { "maxmemory-policy: (not set) -> allkeys-lru", "maxmemory: 64mb -> (removed)" }, changes.Select(c => c.ToString()));
            Assert.False(NodeConfigComparison.IsRunTimeCandidate(changes[1]));
            Assert.True(NodeConfigComparison.IsRunTimeCandidate(changes[0]));
        }

        [Fact]
        public void ASettingRedisRewroteInPlace_CountsAsItsNewValue()
        {
            string rewritten = Spec(null, ("maxmemory", "64mb")).RenderConfig().Replace("maxmemory 64mb", "maxmemory 1gb");
            var change = Assert.Single(Compare(rewritten, Spec(null, ("maxmemory", "64mb")).RenderConfig()));
            Assert.Equal("1gb", change.OldValue);
        }

        [Fact]
        public void SaveSplitOverLines_IsOneValue()
        {
            string desired = Spec(null, ("save", "900 1 300 10")).RenderConfig();
            string rewritten = desired.Replace("save 900 1 300 10\n", "save 900 1\nsave 300 10\n");
            Assert.Empty(Compare(rewritten, desired));
            Assert.Equal("900 1 300 10", NodeConfigComparison.ValueOf(RedisConfigFile.Parse(rewritten), "save"));
        }

        [Fact]
        public void ChangedPassword_IsMasked()
        {
            var changes = Compare(Spec(new NetworkCredential("default", "old-secret")).RenderConfig(), Spec(new NetworkCredential("default", "new-secret")).RenderConfig());
            Assert.Equal(new[] { "requirepass", "masterauth" }, changes.Select(c => c.Setting));
            Assert.All(changes, c => Assert.Equal(NodeSettingChange.Masked, c.OldValue));
            Assert.All(changes, c => Assert.Equal(NodeSettingChange.Masked, c.NewValue));
            Assert.DoesNotContain(changes, c => c.ToString().Contains("secret"));
        }

        [Fact]
        public void ChangedAclPassword_IsTheUserMasked_AndNeedsARestart()
        {
            var changes = Compare(Spec(new NetworkCredential("ops", "old-secret")).RenderConfig(), Spec(new NetworkCredential("ops", "new-secret")).RenderConfig());
            var user = Assert.Single(changes, c => c.Setting == "user ops");
            Assert.Equal(NodeSettingChange.Masked, user.OldValue);
            Assert.False(NodeConfigComparison.IsRunTimeCandidate(user));
            Assert.Contains(changes, c => c.Setting == "masterauth");
        }

        [Fact]
        public void Merge_KeepsWhatRedisAddedOfItsOwn_DropsItsLinesForOwnDirectives_AndNotesAPendingRestart()
        {
            var desired = Spec(new NetworkCredential("default", "pw"), ("maxmemory", "64mb"));
            string existing = desired.RenderConfig() + "\n" + RedisConfigFile.RewriteMarker + "\nhz 50\nuser default on #0123 ~* &* +@all\nmaxmemory 1gb\n";
            var ownDirectives = new HashSet<string>(RedisConfigFile.Parse(desired.RenderConfig()).Directives.Select(d => d.Name).Concat(NodeSettings.ManagedNames));
            string merged = RedisConfigFile.Merge(desired.RenderConfig(), RedisConfigFile.Parse(existing), ownDirectives, 4242, new[] { "databases", "dir" });
            var lines = merged.Split('\n');
            Assert.StartsWith("# Redis Cluster node", lines[0]);
            Assert.Equal("# Restart pending for process 4242: databases, dir", lines[1]);
            Assert.Equal(new[] { RedisConfigFile.RewriteMarker, "hz 50", string.Empty }, lines.SkipWhile(l => l != RedisConfigFile.RewriteMarker));
            var parsed = RedisConfigFile.Parse(merged);
            Assert.Equal(4242, parsed.PendingProcessId);
            Assert.Equal(new[] { "databases", "dir" }, parsed.PendingSettings);
            Assert.Equal("64mb", parsed.ValueOf("maxmemory"));
            Assert.True(parsed.All("hz").Single().WrittenByRedis);
            Assert.Null(RedisConfigFile.Parse(desired.RenderConfig()).PendingProcessId);
        }

        [Fact]
        public void DeployedNode_FromConfig_ReadsPathsAddressAndCredential()
        {
            var spec = Spec(new NetworkCredential("ops", "secret"));
            var node = DeployedNode.FromConfig("lwz1", "10.0.0.1", 21901, spec.ConfigPath, spec.RenderConfig(), NodeServiceManager.Systemd, "/etc/systemd/system");
            Assert.Equal("127.0.0.1:21901", node.EndPoint.ToString());
            Assert.Equal(spec.PidPath, node.PidPath);
            Assert.Equal(spec.LogPath, node.LogPath);
            Assert.Equal(spec.DataPath, node.DataPath);
            Assert.Equal("/etc/systemd/system/redis_21901.service", node.UnitPath);
            Assert.Equal("ops", node.Credentials.Single().UserName);
            Assert.Equal("secret", node.Credentials.Single().Password);

            var wildcard = DeployedNode.FromConfig("lwz1", "10.0.0.1", 7000, "/c/redis_7000.conf", "port 7000\nbind 0.0.0.0\ndir /d\npidfile p.pid\nrequirepass x\n", NodeServiceManager.Process, "/etc/systemd/system");
            Assert.Equal("10.0.0.1:7000", wildcard.EndPoint.ToString());
            Assert.Equal("/d/p.pid", wildcard.PidPath);
            Assert.Null(wildcard.LogPath);
            Assert.Null(wildcard.UnitPath);
            Assert.Equal("default", wildcard.Credentials.Single().UserName);
        }

        [Fact]
        public void Unit_IsTheRecipes_ForkingAsTheServiceUser()
        {
            var spec = new NodeDeploymentSpec("10.0.0.1", 6379, "/usr/local/redis", "/data/redis") { ServiceManager = NodeServiceManager.Systemd, ServiceUser = "redis" };
            string unit = SystemdUnit.Render(spec, "/usr/bin/redis-server");
            var settings = SystemdUnit.Parse(unit);
            Assert.Equal("forking", settings["[Service] Type"]);
            Assert.Equal("redis", settings["[Service] User"]);
            Assert.Equal("/data/redis/6379/redis_6379.pid", settings["[Service] PIDFile"]);
            Assert.Equal("/usr/bin/redis-server /usr/local/redis/redis_6379.conf", settings["[Service] ExecStart"]);
            Assert.Equal("multi-user.target", settings["[Install] WantedBy"]);
            Assert.Equal("redis_6379.service", SystemdUnit.NameOf(6379));
            Assert.DoesNotContain("\r", unit);
        }

        [Theory]
        [InlineData("/usr/bin/redis-server", "/usr/bin/redis-server")]
        [InlineData("/opt/my redis/redis-server", "\"/opt/my redis/redis-server\"")]
        [InlineData("/opt/100%/x", "/opt/100%%/x")]
        [InlineData("/opt/$HOME/x", "/opt/$$HOME/x")]
        [InlineData("/opt/a\"b", "\"/opt/a\\\"b\"")]
        public void Unit_QuotesCommandWordsAsSystemdSplitsThem(string word, string quoted) => Assert.Equal(quoted, SystemdUnit.Quote(word));

        [Fact]
        public void Unit_ChangedUser_IsAChangeNeedingARestart_CommentsAndSpacingAreNot()
        {
            var spec = new NodeDeploymentSpec("10.0.0.1", 6379, "/usr/local/redis", "/data/redis") { ServiceManager = NodeServiceManager.Systemd };
            string before = SystemdUnit.Render(spec, "/usr/bin/redis-server");
            Assert.Empty(SystemdUnit.Compare("redis_6379.service", "# edited by hand\n" + before.Replace("Type=forking", "Type = forking"), before));
            spec.ServiceUser = "ops";
            var change = Assert.Single(SystemdUnit.Compare("redis_6379.service", before, SystemdUnit.Render(spec, "/usr/bin/redis-server")));
            Assert.Equal("redis_6379.service [Service] User: redis -> ops (needs a restart)", change.ToString());
        }

        [Fact]
        public void Describe_ListsEveryFileAndCommandPerHost()
        {
            var host = new HostPlan<NodeDeploymentSpec>("lwz1", new[]
            {
                new NodeDeploymentSpec("lwz1", 6379, "/usr/local/redis", "/data/redis") { ServiceManager = NodeServiceManager.Systemd },
                new NodeDeploymentSpec("lwz1", 6479, "/usr/local/redis", "/data/redis"),
            });
            string text = NodeDeploymentRun.Describe(host, "over SSH (port 22) as user 'root' with key /k", null, restart: true);
            Assert.Equal(new[]
            {
                "Deploy 2 Redis cluster nodes on lwz1 over SSH (port 22) as user 'root' with key /k:",
                "  port 6379 (Systemd)",
                "    directory /data/redis/6379",
                "    file /usr/local/redis/redis_6379.conf (mode 0600, owner redis; written when its directives differ)",
                "    file /etc/systemd/system/redis_6379.service (mode 0644; written when it differs)",
                "    systemctl daemon-reload (when the unit was written)",
                "    systemctl enable redis_6379.service (when the unit was written)",
                "    chown -R redis: /data/redis/6379 (when not running)",
                "    systemctl start redis_6379.service (when not running)",
                "    CONFIG SET of the changed settings Redis takes at run time (when running)",
                "  port 6479 (Process)",
                "    directory /data/redis/6479",
                "    file /usr/local/redis/redis_6479.conf (mode 0600; written when its directives differ)",
                "    redis-server /usr/local/redis/redis_6479.conf (when not running)",
                "    CONFIG SET of the changed settings Redis takes at run time (when running)",
            }.Concat(NodeRestartPlanner.Steps.Select(s => "  " + s)), text.Split('\n'));
        }

        [Theory]
        [InlineData("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config", "databases", true)]
        [InlineData("ERR Unknown option or number of arguments for CONFIG SET - 'no-such'", "no-such", true)]
        [InlineData("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value", "maxmemory", false)]
        public void ConfigSetRefusal_TellsImmutableFromAWrongValue(string reply, string setting, bool notAtRunTime)
        {
            Assert.True(ConfigSetRefusal.Names(reply, setting));
            Assert.False(ConfigSetRefusal.Names(reply, "hz"));
            Assert.Equal(notAtRunTime, ConfigSetRefusal.IsNotAtRunTime(reply));
        }

        /// <summary>CONFIG REWRITE by redis-server 7.0.15 of a config with requirepass.</summary>
        private const string RewrittenPlain = @"# Redis Cluster node 127.0.0.1:21901, written by RedisCluster New-RedisClusterNode.
port 21901
bind 127.0.0.1
daemonize yes
cluster-enabled yes
cluster-config-file ""nodes-21901.conf""
cluster-node-timeout 5000
dir ""/tmp/rw-exp/plain""
pidfile ""/tmp/rw-exp/plain/redis_21901.pid""
logfile ""/tmp/rw-exp/plain/redis_21901.log""
appendonly yes
bind-source-addr ""127.0.0.1""
requirepass ""p w\""x""
masterauth ""p w\""x""
maxmemory 64mb
appendfsync always

# Generated by CONFIG REWRITE
save 3600 1
save 300 100
save 60 10000
latency-tracking-info-percentiles 50 99 99.9
user default on #ca787a8fd25ded757aea683638bfbb3c7adb459786e776f8c98b7949a7709d12 ~* &* +@all
";

        /// <summary>CONFIG REWRITE by redis-server 7.0.15 of a config with an ACL user (password "pw").</summary>
        private const string RewrittenAcl = @"# Redis Cluster node 127.0.0.1:21902, written by RedisCluster New-RedisClusterNode.
port 21902
bind 127.0.0.1
daemonize yes
cluster-enabled yes
cluster-config-file ""nodes-21902.conf""
cluster-node-timeout 5000
dir ""/tmp/rw-exp/acl""
pidfile ""/tmp/rw-exp/acl/redis_21902.pid""
logfile ""/tmp/rw-exp/acl/redis_21902.log""
appendonly yes
bind-source-addr ""127.0.0.1""
user default off sanitize-payload resetchannels -@all
user operator on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~* &* +@all
masteruser ""operator""
masterauth ""pw""
maxmemory 64mb
appendfsync always

# Generated by CONFIG REWRITE
latency-tracking-info-percentiles 50 99 99.9
save 3600 1
save 300 100
save 60 10000
";
    }
}
