using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using FakeSession = RedisCluster.Tests.RemoteDeploymentTargetTests.FakeSession;

namespace RedisCluster.Tests
{
    public class SessionDeploymentTargetsTests
    {
        [Fact]
        public async Task Open_RootSession_BindsTheAddressTheSessionWasOpenedTo_AndLeavesTheSessionOpen()
        {
            var session = new FakeSession("/") { CommandOutput = "0\n" };
            session.Responses[SessionDeploymentTargets.LoginCommand] = new ProgramResult(0, "root\n10.0.0.5 50000 10.0.0.9 22\n");
            var target = await Targets("127.0.0.2", session).OpenAsync("127.0.0.2", null, CancellationToken.None);
            Assert.Equal("127.0.0.2", target.Address);
            Assert.Equal("127.0.0.2", target.ComputerName);
            Assert.Equal(new[] { "exec " + SessionDeploymentTargets.LoginCommand, "exec id -u" }, session.Operations);
        }

        [Fact]
        public async Task Open_HostName_BindsTheServerAddressOfTheSshConnectionTheSessionCameOver()
        {
            var session = new FakeSession("/") { CommandOutput = "0\n" };
            session.Responses[SessionDeploymentTargets.LoginCommand] = new ProgramResult(0, "root\n10.0.0.5 50000 10.0.0.9 22\n");
            var target = await Targets("LWZ1", session).OpenAsync("lwz1", null, CancellationToken.None);
            Assert.Equal("10.0.0.9", target.Address);
        }

        [Fact]
        public async Task Open_NonRootSessionWhoseSudoWouldPrompt_IsRefused_InTheSessionsWords()
        {
            var session = new FakeSession("/") { CommandOutput = "1000\n" };
            session.Responses[SessionDeploymentTargets.LoginCommand] = new ProgramResult(0, "ops\n\n");
            session.Responses["sudo -n true"] = new ProgramResult(1, "sudo: a password is required\n");
            var e = await Assert.ThrowsAsync<RedisClusterException>(() => Targets("127.0.0.2", session).OpenAsync("127.0.0.2", null, CancellationToken.None));
            Assert.Equal("SudoPasswordRequired", e.ErrorId);
            Assert.Equal(FailureKind.PermissionDenied, e.Kind);
            Assert.StartsWith("The PowerShell session to 127.0.0.2 as 'ops' is not root (uid 1000)", e.Message);
        }

        [Fact]
        public async Task Open_FarSideWithoutAPosixShell_IsRemoteCommandFailed()
        {
            var session = new FakeSession("/") { ExitCode = 1 };
            var e = await Assert.ThrowsAsync<RedisClusterException>(() => Targets("win1", session).OpenAsync("win1", null, CancellationToken.None));
            Assert.Equal("RemoteCommandFailed", e.ErrorId);
            Assert.Contains("/bin/sh", e.Message);
        }

        [Fact]
        public async Task Open_HostWithoutASession_IsSessionNotFound()
        {
            var e = await Assert.ThrowsAsync<RedisClusterException>(() => Targets("lwz1", new FakeSession("/")).OpenAsync("lwz2", null, CancellationToken.None));
            Assert.Equal("SessionNotFound", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        }

        [Theory]
        [InlineData("10.0.0.7", "10.0.0.5 50000 10.0.0.9 22", "10.0.0.7")]
        [InlineData("localhost", "127.0.0.1 50000 127.0.0.3 2222", "127.0.0.3")]
        [InlineData("localhost", "", "127.0.0.1")]
        public async Task Address_IsTheOneNamed_ElseTheSshServerAddress_ElseTheNameResolvedHere(string computerName, string sshConnection, string expected) =>
            Assert.Equal(expected, await SessionDeploymentTargets.AddressOfAsync(computerName, sshConnection));

        [Fact]
        public async Task Address_OfANameThatResolvesNowhere_WithoutSsh_IsSessionAddressUnknown()
        {
            var e = await Assert.ThrowsAsync<RedisClusterException>(() => SessionDeploymentTargets.AddressOfAsync("no-such-host.invalid", string.Empty));
            Assert.Equal("SessionAddressUnknown", e.ErrorId);
        }

        [Theory]
        [InlineData(0, "root\n127.0.0.1 1 127.0.0.2 22\n", "root", "127.0.0.1 1 127.0.0.2 22")]
        [InlineData(0, "ops\r\n\r\n", "ops", "")]
        [InlineData(0, "\n", null, null)]
        [InlineData(127, "sh: not found", null, null)]
        public void ParseLogin_ReadsTheNameAndTheSshConnection(int exitCode, string output, string userName, string sshConnection)
        {
            var (name, connection) = SessionDeploymentTargets.ParseLogin(new ProgramResult(exitCode, output));
            Assert.Equal(userName, name);
            Assert.Equal(sshConnection, connection);
        }

        private static SessionDeploymentTargets Targets(string computerName, FakeSession session) =>
            new SessionDeploymentTargets(new[] { new KeyValuePair<string, IRemoteSession>(computerName, session) });
    }
}
