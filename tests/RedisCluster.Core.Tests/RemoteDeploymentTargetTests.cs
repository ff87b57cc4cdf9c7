using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace RedisCluster.Tests
{
    public class RemoteDeploymentTargetTests
    {
        [Fact]
        public void WritePrivateFile_CreatesEmpty_Restricts_Fills_ThenRenamesOver()
        {
            var session = new FakeSession("/etc/redis");
            new RemoteDeploymentTarget("lwz1", "10.0.0.1", session, "SSH login").WritePrivateFile("/etc/redis/redis_6379.conf", "requirepass \"secret\"\n");
            Assert.Equal(4, session.Operations.Count);
            string temporary = session.Operations[0].Substring("create ".Length);
            Assert.Matches(@"^/etc/redis/\.redis_6379\.conf\.[0-9a-f]{12}\.tmp$", temporary);
            Assert.Equal(new[] { $"create {temporary}", $"chmod {temporary} 600", $"write {temporary}", $"rename {temporary} /etc/redis/redis_6379.conf" }, session.Operations);
            Assert.Equal("requirepass \"secret\"\n", session.Files["/etc/redis/redis_6379.conf"]);
            Assert.Single(session.Files);
        }

        [Fact]
        public void WritePrivateFile_FailingWrite_RemovesTheTemporaryFile_AndLeavesTheTarget()
        {
            var session = new FakeSession("/etc/redis") { FailWrites = true };
            session.Files["/etc/redis/redis_6379.conf"] = "old";
            Assert.Throws<IOException>(() => new RemoteDeploymentTarget("lwz1", "10.0.0.1", session, "SSH login").WritePrivateFile("/etc/redis/redis_6379.conf", "new"));
            Assert.Equal(new[] { "/etc/redis/redis_6379.conf" }, session.Files.Keys);
            Assert.Equal("old", session.Files["/etc/redis/redis_6379.conf"]);
        }

        [Fact]
        public void CreateDirectory_MakesEveryMissingLevel_TopDown()
        {
            var session = new FakeSession("/");
            new RemoteDeploymentTarget("lwz1", "10.0.0.1", session, "SSH login").CreateDirectory("/data/redis/6379");
            Assert.Equal(new[] { "mkdir /data", "mkdir /data/redis", "mkdir /data/redis/6379" }, session.Operations);
        }

        [Fact]
        public void DeleteEmptyDirectory_LeavesOneThatHoldsFiles()
        {
            var session = new FakeSession("/", "/data");
            session.Files["/data/redis_6379.log"] = "log";
            var target = new RemoteDeploymentTarget("lwz1", "10.0.0.1", session, "SSH login");
            target.DeleteEmptyDirectory("/data");
            Assert.Contains("/data", session.Directories);
            target.DeleteEmptyDirectory("/gone");
        }

        [Fact]
        public async Task RunAsync_QuotesEveryWord()
        {
            var session = new FakeSession("/");
            await new RemoteDeploymentTarget("lwz1", "10.0.0.1", session, "SSH login").RunAsync("/usr/bin/redis-server", new[] { "/etc/my redis/it's.conf" }, new Deadline(TimeSpan.FromSeconds(1)), CancellationToken.None);
            Assert.Equal(@"exec /usr/bin/redis-server '/etc/my redis/it'\''s.conf'", session.Operations.Single());
        }

        [Fact]
        public async Task FindProgram_IsCommandV_AndOnlyAPathCounts()
        {
            var session = new FakeSession("/") { CommandOutput = "/usr/bin/redis-server\n" };
            var target = new RemoteDeploymentTarget("lwz1", "10.0.0.1", session, "SSH login");
            Assert.Equal("/usr/bin/redis-server", await target.FindProgramAsync("redis-server", CancellationToken.None));
            Assert.Equal("exec command -v redis-server", session.Operations.Single());
            session.CommandOutput = "redis-server";
            Assert.Null(await target.FindProgramAsync("redis-server", CancellationToken.None));
            session.CommandOutput = string.Empty;
            session.ExitCode = 1;
            Assert.Null(await target.FindProgramAsync("redis-server", CancellationToken.None));
        }

        [Fact]
        public void IsProcessRunning_ReadsProcStat_AZombieIsNot()
        {
            var session = new FakeSession("/");
            var target = new RemoteDeploymentTarget("lwz1", "10.0.0.1", session, "SSH login");
            session.Files["/proc/42/stat"] = "42 (redis-server *:6379) S 1 42 42 0";
            session.Files["/proc/43/stat"] = "43 (redis) (x) Z 1 43";
            Assert.True(target.IsProcessRunning(42));
            Assert.False(target.IsProcessRunning(43));
            Assert.False(target.IsProcessRunning(44));
        }

        [Theory]
        [InlineData("redis-server", "redis-server")]
        [InlineData("/usr/local/bin/redis-server", "/usr/local/bin/redis-server")]
        [InlineData("a b", "'a b'")]
        [InlineData("it's", @"'it'\''s'")]
        [InlineData("$HOME", "'$HOME'")]
        [InlineData("~/x", "'~/x'")]
        [InlineData("", "''")]
        [InlineData("a;rm -rf /", "'a;rm -rf /'")]
        public void Quote_KeepsEveryWordAsItIs(string word, string quoted) => Assert.Equal(quoted, PosixShell.Quote(word));

        [Theory]
        [InlineData("/data/redis", "6379", "/data/redis/6379")]
        [InlineData("/data/redis/", "6379", "/data/redis/6379")]
        [InlineData("/", "data", "/data")]
        public void TargetPath_Combine_Posix(string directory, string name, string expected) => Assert.Equal(expected, TargetPath.Combine(directory, name));

        [Theory]
        [InlineData("/data/redis/6379", "/data/redis")]
        [InlineData("/data", "/")]
        [InlineData("/", null)]
        public void TargetPath_Parent_Posix(string path, string expected) => Assert.Equal(expected, TargetPath.Parent(path));

        [Fact]
        public void RemotePath_MustBeAbsolute()
        {
            Assert.Equal("/usr/local/redis", SshDeploymentTargets.CheckRemotePath("/usr/local/redis", "InstallPath"));
            var e = Assert.Throws<RedisClusterException>(() => SshDeploymentTargets.CheckRemotePath("~/redis", "InstallPath"));
            Assert.Equal("RemotePathNotAbsolute", e.ErrorId);
            Assert.Contains("-InstallPath", e.Message);
        }

        [Fact]
        public async Task Open_NonRootLoginWhoseSudoWouldPrompt_IsRefusedBeforeAnythingIsWritten()
        {
            var session = new FakeSession("/") { CommandOutput = "1000\n" };
            session.Responses["sudo -n true"] = new ProgramResult(1, "sudo: a password is required\n");
            var targets = new SshDeploymentTargets(new FakeConnector(session), SshOptionsTests.PasswordOptions("ops"));
            var e = await Assert.ThrowsAsync<RedisClusterException>(() => targets.OpenAsync("127.0.0.1", null, CancellationToken.None));
            Assert.Equal("SudoPasswordRequired", e.ErrorId);
            Assert.Equal(FailureKind.PermissionDenied, e.Kind);
            Assert.Contains("'ops'", e.Message);
            Assert.Contains("NOPASSWD", e.Message);
            Assert.Equal(new[] { "exec id -u", "exec sudo -n true" }, session.Operations);
            Assert.True(session.Disposed);
        }

        [Fact]
        public async Task Open_NonRootLoginWithoutSudo_IsSudoNotFound()
        {
            var session = new FakeSession("/") { CommandOutput = "1000\n" };
            session.Responses["sudo -n true"] = new ProgramResult(127, "sh: 1: sudo: not found\n");
            var targets = new SshDeploymentTargets(new FakeConnector(session), SshOptionsTests.PasswordOptions("ops"));
            var e = await Assert.ThrowsAsync<RedisClusterException>(() => targets.OpenAsync("127.0.0.1", null, CancellationToken.None));
            Assert.Equal("SudoNotFound", e.ErrorId);
            Assert.Equal(FailureKind.PermissionDenied, e.Kind);
        }

        [Fact]
        public async Task NonRootLoginWithSudo_StagesFilesInItsHome_InstallsBesideTheTarget_AndMovesOver()
        {
            var session = new FakeSession("/", "/home/ops", "/etc/redis") { CommandOutput = "1000\n" };
            session.Responses["sudo -n true"] = new ProgramResult(0, string.Empty);
            var target = (RemoteDeploymentTarget)await new SshDeploymentTargets(new FakeConnector(session), SshOptionsTests.PasswordOptions("ops")).OpenAsync("10.0.0.1", null, CancellationToken.None);
            Assert.True(target.UsesSudo);
            session.Operations.Clear();
            target.WritePrivateFile("/etc/redis/redis_6379.conf", "requirepass \"secret\"\n");
            string staged = session.Operations[0].Substring("create ".Length);
            Assert.Matches(@"^/home/ops/\.rediscluster-[0-9a-f]{12}\.tmp$", staged);
            string beside = session.Operations[3].Split(' ').Last();
            Assert.Matches(@"^/etc/redis/\.redis_6379\.conf\.[0-9a-f]{12}\.tmp$", beside);
            Assert.Equal(new[]
            {
                $"create {staged}", $"chmod {staged} 600", $"write {staged}",
                $"exec sudo -n install -m 600 -- {staged} {beside}", $"exec sudo -n mv -f -- {beside} /etc/redis/redis_6379.conf", $"delete {staged}",
            }, session.Operations);
            // The secret went over SFTP into a file only the user reads, never onto a command line.
            Assert.DoesNotContain(session.Operations, o => o.Contains("secret"));
            Assert.False(session.Files.ContainsKey(staged));
        }

        [Fact]
        public async Task NonRootLoginWithSudo_RunsCommandsThroughSudo_AndReadsWhatItMayNotThroughSudoCat()
        {
            var session = new FakeSession("/", "/home/ops") { CommandOutput = "1000\n" };
            session.Responses["sudo -n true"] = new ProgramResult(0, string.Empty);
            session.Responses["sudo -n cat -- /etc/redis/redis_6379.conf"] = new ProgramResult(0, "port 6379\n");
            session.Unreadable.Add("/etc/redis/redis_6379.conf");
            var target = await new SshDeploymentTargets(new FakeConnector(session), SshOptionsTests.PasswordOptions("ops")).OpenAsync("10.0.0.1", null, CancellationToken.None);
            session.Operations.Clear();
            await target.RunAsync("/usr/bin/systemctl", new[] { "start", "redis_6379.service" }, new Deadline(TimeSpan.FromSeconds(1)), CancellationToken.None);
            Assert.Equal("port 6379\n", target.ReadFile("/etc/redis/redis_6379.conf"));
            target.CreateDirectory("/data/redis/6379");
            Assert.Equal(new[]
            {
                "exec sudo -n /usr/bin/systemctl start redis_6379.service",
                "exec sudo -n cat -- /etc/redis/redis_6379.conf",
                "exec sudo -n mkdir -p -- /data/redis/6379",
            }, session.Operations);
        }

        [Fact]
        public async Task Open_RootLogin_BindsTheAddressReached()
        {
            var session = new FakeSession("/") { CommandOutput = "0\n" };
            var connector = new FakeConnector(session);
            using (var target = await new SshDeploymentTargets(connector, SshOptionsTests.PasswordOptions("root")).OpenAsync("127.0.0.2", null, CancellationToken.None))
            {
                Assert.Equal("127.0.0.2", target.Address);
                Assert.Equal("127.0.0.2", target.ComputerName);
                Assert.Equal(IPAddress.Parse("127.0.0.2"), connector.Addresses.Single());
            }
        }

        [Fact]
        public async Task Open_UnresolvableName_IsHostNotFound()
        {
            var targets = new SshDeploymentTargets(new FakeConnector(new FakeSession("/")), SshOptionsTests.PasswordOptions("root"));
            var e = await Assert.ThrowsAsync<RedisClusterException>(() => targets.OpenAsync("no-such-host.invalid", null, CancellationToken.None));
            Assert.Equal("SshHostNotFound", e.ErrorId);
            Assert.Equal(FailureKind.NotFound, e.Kind);
        }

        [Fact]
        public async Task Run_OneHostFailing_StopsNoOther_AndEachFailureNamesItsHost()
        {
            var plans = new[] { "good", "bad" }
                .Select(host => new HostPlan<NodeDeploymentSpec>(host, new[] { new NodeDeploymentSpec(host, 6379, "/etc/redis", "/data/redis") }))
                .ToList();
            var outcomes = await NodeDeploymentRun.RunAsync(plans, new HalfBrokenTargets(), null, null, false, null, CancellationToken.None);
            Assert.Equal(new[] { "good", "bad" }, outcomes.Select(o => o.Target));
            var notFound = Assert.IsType<RedisClusterException>(outcomes[0].Error);
            Assert.Equal("RedisServerNotFound", notFound.ErrorId);
            Assert.Contains("good", notFound.Message);
            Assert.Equal("SshConnectionRefused", ((RedisClusterException)outcomes[1].Error).ErrorId);
        }

        /// <summary>"bad" cannot be reached; "good" can, but has no redis-server.</summary>
        private sealed class HalfBrokenTargets : IDeploymentTargetSource
        {
            public string Description => "in a test";

            public Task<IDeploymentTarget> OpenAsync(string computerName, IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
                computerName == "bad"
                    ? throw new RedisClusterException(FailureKind.Unreachable, "bad refused the connection.") { ErrorId = "SshConnectionRefused" }
                    : Task.FromResult<IDeploymentTarget>(new RemoteDeploymentTarget(computerName, "10.0.0.1", new FakeSession("/") { ExitCode = 1 }, "SSH login"));
        }

        private sealed class FakeConnector : ISshConnector
        {
            private readonly FakeSession _session;

            public FakeConnector(FakeSession session) => _session = session;

            public List<IPAddress> Addresses { get; } = new List<IPAddress>();

            public Task<IRemoteSession> ConnectAsync(string computerName, IPAddress address, HostKeyVerifier hostKeys, CancellationToken cancellationToken)
            {
                Addresses.Add(address);
                return Task.FromResult<IRemoteSession>(_session);
            }
        }

        /// <summary>An SFTP file system in memory that records every operation; commands answer CommandOutput and ExitCode.</summary>
        internal sealed class FakeSession : IRemoteSession
        {
            public FakeSession(params string[] directories) => Directories.UnionWith(directories);

            public List<string> Operations { get; } = new List<string>();
            public Dictionary<string, string> Files { get; } = new Dictionary<string, string>();
            public HashSet<string> Directories { get; } = new HashSet<string>();
            public bool FailWrites { get; set; }
            public string CommandOutput { get; set; } = string.Empty;
            public int ExitCode { get; set; }
            public bool Disposed { get; private set; }

            /// <summary>Answers to particular command lines; any other gets CommandOutput and ExitCode.</summary>
            public Dictionary<string, ProgramResult> Responses { get; } = new Dictionary<string, ProgramResult>();

            /// <summary>Paths SFTP refuses to read, as a 0600 file of root's is for another user.</summary>
            public HashSet<string> Unreadable { get; } = new HashSet<string>();

            public string HomeDirectory => "/home/ops";

            public Task<ProgramResult> ExecuteAsync(string commandLine, Deadline deadline, CancellationToken cancellationToken)
            {
                Operations.Add("exec " + commandLine);
                return Task.FromResult(Responses.TryGetValue(commandLine, out var response) ? response : new ProgramResult(ExitCode, CommandOutput));
            }

            public RemoteFileKind GetKind(string path) =>
                Files.ContainsKey(path) || Unreadable.Contains(path) ? RemoteFileKind.File : Directories.Contains(path) ? RemoteFileKind.Directory : RemoteFileKind.Missing;

            public void CreateDirectory(string path)
            {
                Operations.Add("mkdir " + path);
                Directories.Add(path);
            }

            public void DeleteDirectory(string path)
            {
                if (Files.Keys.Any(f => f.StartsWith(path + "/", StringComparison.Ordinal))) throw new IOException("not empty");
                Directories.Remove(path);
            }

            public void CreateEmptyFile(string path)
            {
                Operations.Add("create " + path);
                Files[path] = string.Empty;
            }

            public void ChangeMode(string path, int mode) => Operations.Add($"chmod {path} {Convert.ToString(mode, 8)}");

            public void WriteFile(string path, byte[] content)
            {
                Operations.Add("write " + path);
                if (FailWrites) throw new IOException("disk full");
                Files[path] = Encoding.UTF8.GetString(content);
            }

            public void RenameOver(string fromPath, string toPath)
            {
                Operations.Add($"rename {fromPath} {toPath}");
                Files[toPath] = Files[fromPath];
                Files.Remove(fromPath);
            }

            public string ReadFile(string path)
            {
                if (Unreadable.Contains(path)) throw new UnauthorizedAccessException(path);
                return Files.TryGetValue(path, out var text) ? text : throw new FileNotFoundException(path);
            }

            public void DeleteFile(string path)
            {
                Operations.Add("delete " + path);
                Files.Remove(path);
            }

            public void Dispose() => Disposed = true;
        }
    }
}
