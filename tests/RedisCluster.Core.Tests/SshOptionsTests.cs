using System;
using System.IO;
using System.Net;
using Xunit;

namespace RedisCluster.Tests
{
    public class SshOptionsTests
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

        internal static SshOptions PasswordOptions(string user) =>
            SshOptions.Create(user, null, new NetworkCredential(user, "pw"), 22, "/nowhere/known_hosts", false, Timeout, "/nowhere", "me");

        [Fact]
        public void KeyFile_UserDefaultsToTheLocalOne_CredentialIsThePassphrase()
        {
            using (var home = new KnownHostsTests.TempDirectory())
            {
                string key = Path.Combine(home.Path, "id");
                File.WriteAllText(key, "key");
                var options = SshOptions.Create(null, key, new NetworkCredential("ignored", "phrase"), 2222, null, true, Timeout, home.Path, "me");
                Assert.Equal("me", options.UserName);
                Assert.Equal(new[] { key }, options.KeyFiles);
                Assert.False(options.UsesPassword);
                Assert.Equal("phrase", options.Secret.Password);
                Assert.Equal(Path.Combine(home.Path, ".ssh", "known_hosts"), options.KnownHostsPath);
                Assert.Equal(2222, options.Port);
                Assert.True(options.AcceptNewHostKey);
                Assert.DoesNotContain("phrase", options.Describe());
            }
        }

        [Fact]
        public void KeyFile_Missing_IsRefused()
        {
            var e = Assert.Throws<RedisClusterException>(() => SshOptions.Create("root", "/nowhere/id", null, 22, null, false, Timeout, "/nowhere", "me"));
            Assert.Equal("SshKeyFileNotFound", e.ErrorId);
            Assert.Equal(FailureKind.NotFound, e.Kind);
        }

        [Fact]
        public void Password_UserComesFromTheCredential()
        {
            var options = SshOptions.Create(null, null, new NetworkCredential("ops", "pw"), 22, null, false, Timeout, "/nowhere", "me");
            Assert.Equal("ops", options.UserName);
            Assert.True(options.UsesPassword);
            Assert.DoesNotContain("pw", options.Describe().Replace("password", string.Empty));
        }

        [Fact]
        public void Password_TwoDifferentUsers_AreRefused()
        {
            var e = Assert.Throws<RedisClusterException>(() => SshOptions.Create("root", null, new NetworkCredential("ops", "pw"), 22, null, false, Timeout, "/nowhere", "me"));
            Assert.Equal("SshUserNameConflict", e.ErrorId);
        }

        [Fact]
        public void Neither_UsesSshsDefaultKeys_InItsOrder()
        {
            using (var home = new KnownHostsTests.TempDirectory())
            {
                Directory.CreateDirectory(Path.Combine(home.Path, ".ssh"));
                File.WriteAllText(Path.Combine(home.Path, ".ssh", "id_rsa"), "k");
                File.WriteAllText(Path.Combine(home.Path, ".ssh", "id_ed25519"), "k");
                var options = SshOptions.Create("root", null, null, 22, null, false, Timeout, home.Path, "me");
                Assert.Equal(new[] { Path.Combine(home.Path, ".ssh", "id_ed25519"), Path.Combine(home.Path, ".ssh", "id_rsa") }, options.KeyFiles);
            }
        }

        [Fact]
        public void Neither_WithoutDefaultKeys_SaysWhatToGive()
        {
            var e = Assert.Throws<RedisClusterException>(() => SshOptions.Create("root", null, null, 22, null, false, Timeout, "/nowhere", "me"));
            Assert.Equal("SshAuthenticationMissing", e.ErrorId);
            Assert.Contains("-SshKeyFile", e.Message);
            Assert.Contains("-SshCredential", e.Message);
        }
    }
}
