using System;
using System.IO;
using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    public class KnownHostsTests
    {
        // Made with ssh-keygen; the fingerprints are what ssh-keygen -lf printed for them.
        private const string Ed25519 = "AAAAC3NzaC1lZDI1NTE5AAAAIO79AQIkwJ24ofjD1RLlXyYMoBKjKFj1z1Zg1qqzXNB1";
        private const string Ed25519Fingerprint = "SHA256:vGLgs1vdy8QAyJPTZGQZXHYO14/Kiqa5r4l9gS/gClY";
        private const string Ecdsa = "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOPI25+AfhVZswxa8thF/JCbC1MI3eR7JAVy2F/pWIwO8yAOYYss7KxdyGcuT+74Omk3KsI1ZZaT2qYBKrIfFBE=";
        private const string EcdsaFingerprint = "SHA256:V9WKdebZsIHxud/cjiAcaTBNroqivbp3Wx807GSMAH8";
        private const string Rsa = "AAAAB3NzaC1yc2EAAAADAQABAAABAQC7Cv3ccZe2Ru4+BJXlCj5dmSQiP2tmhRIOaQgJxQ1JxwcksvbOYJ1k4xLVKRP6kB9WbLpCEHbM6Rnu5FW++fzbimEblGOZljEk0vdRlyxi8Q9bpfqMCVJ2tjrQkTAhN2O9CqygMavbBWSFzfFyo0Dh9M9xb8qMLhEtbnJeSdXqZZgrpboFC88fzQkLITUh3efHbvfKL04y4B11eA16O2YwZc0uRE+ICV1edQSCmBjrfw6Xnzn9IXU9Om81IrqkbswDBf6kCe5iSZjJ3oPaPeglUY0E0n/fTfv9uIj6rIKpimmyPpsXu3pDVA/jsI9ot5TQDTUns5LtOd0Z5do42B/t";
        private const string RsaFingerprint = "SHA256:MI44j+j/HcXXNBhvWt/zGUuw1RlZIApLfV3wZkGzF48";

        // ssh-keygen -H of "[127.0.0.1]:2222 <ed25519>" and "lwz1 <ecdsa>".
        private const string HashedPort2222 = "|1|LKx0iPWluQrUwwG4ZvSQV7d6jD8=|UYUCSQHfiv6tQw+BeyhkkHmNXuo=";
        private const string HashedLwz1 = "|1|nwFgDHlXjudrtTtsA06TYfYP3VU=|1oIlfGJ3d0MpItWTDG4evDzueqo=";

        private static SshHostKey Key(string base64) => new SshHostKey(Convert.FromBase64String(base64));

        [Theory]
        [InlineData(Ed25519, "ssh-ed25519", Ed25519Fingerprint)]
        [InlineData(Ecdsa, "ecdsa-sha2-nistp256", EcdsaFingerprint)]
        [InlineData(Rsa, "ssh-rsa", RsaFingerprint)]
        public void Fingerprint_IsWhatOpenSshPrints(string base64, string type, string fingerprint)
        {
            var key = Key(base64);
            Assert.Equal(type, key.KeyType);
            Assert.Equal(fingerprint, key.Fingerprint);
        }

        [Fact]
        public void HostKey_WithoutAType_IsRefused() => Assert.Throws<FormatException>(() => new SshHostKey(new byte[] { 0, 0, 0, 9, 1 }));

        [Theory]
        [InlineData("lwz1", 22, "lwz1")]
        [InlineData("LWZ1", 22, "lwz1")]
        [InlineData("127.0.0.1", 2222, "[127.0.0.1]:2222")]
        public void HostKeyName_IsBracketedForOtherPorts(string host, int port, string expected) => Assert.Equal(expected, KnownHostsFile.HostKeyName(host, port));

        [Fact]
        public void Check_PlainName_CommaList_AndCase()
        {
            var file = KnownHostsFile.Parse($"# a comment\n\nlwz2,LWZ1,10.0.0.1 ssh-ed25519 {Ed25519} ops@laptop\n");
            Assert.Equal(HostKeyStatus.Known, file.Check("lwz1", 22, Key(Ed25519)).Status);
            Assert.Equal(HostKeyStatus.Known, file.Check("10.0.0.1", 22, Key(Ed25519)).Status);
            Assert.Equal(3, file.Check("lwz2", 22, Key(Ed25519)).Entry.LineNumber);
            Assert.Equal(HostKeyStatus.Unknown, file.Check("lwz3", 22, Key(Ed25519)).Status);
        }

        [Fact]
        public void Check_BracketedPort_IsAnotherHostThanPort22()
        {
            var file = KnownHostsFile.Parse($"[lwz1]:2222 ssh-ed25519 {Ed25519}\n");
            Assert.Equal(HostKeyStatus.Known, file.Check("lwz1", 2222, Key(Ed25519)).Status);
            Assert.Equal(HostKeyStatus.Unknown, file.Check("lwz1", 22, Key(Ed25519)).Status);
            Assert.Equal(HostKeyStatus.Unknown, file.Check("lwz1", 2223, Key(Ed25519)).Status);
        }

        [Fact]
        public void Check_HashedEntries_MatchTheirHostOnly()
        {
            var file = KnownHostsFile.Parse($"{HashedPort2222} ssh-ed25519 {Ed25519}\n{HashedLwz1} ecdsa-sha2-nistp256 {Ecdsa}\n");
            Assert.Equal(HostKeyStatus.Known, file.Check("127.0.0.1", 2222, Key(Ed25519)).Status);
            Assert.Equal(HostKeyStatus.Known, file.Check("lwz1", 22, Key(Ecdsa)).Status);
            Assert.Equal(HostKeyStatus.Unknown, file.Check("127.0.0.1", 22, Key(Ed25519)).Status);
            Assert.Equal(HostKeyStatus.Changed, file.Check("lwz1", 22, Key(Ed25519)).Status);
        }

        [Fact]
        public void Check_Wildcards_AndNegation()
        {
            var file = KnownHostsFile.Parse($"*.example.com,!bad.example.com,10.0.0.? ssh-ed25519 {Ed25519}\n");
            Assert.Equal(HostKeyStatus.Known, file.Check("redis-a.example.com", 22, Key(Ed25519)).Status);
            Assert.Equal(HostKeyStatus.Known, file.Check("10.0.0.7", 22, Key(Ed25519)).Status);
            Assert.Equal(HostKeyStatus.Unknown, file.Check("10.0.0.17", 22, Key(Ed25519)).Status);
            Assert.Equal(HostKeyStatus.Unknown, file.Check("bad.example.com", 22, Key(Ed25519)).Status);
        }

        [Fact]
        public void Check_AnotherKeyOfTheSameType_IsChanged_NamingThatLine()
        {
            var file = KnownHostsFile.Parse($"lwz1 ssh-rsa {Rsa}\nlwz1 ecdsa-sha2-nistp256 {Ecdsa}\n");
            var changed = KnownHostsFile.Parse($"lwz1 ssh-rsa {Rsa}\nlwz1 ssh-ed25519 {Ed25519}\n").Check("lwz1", 22, Key(Ed25519.Replace("O79", "P79")));
            Assert.Equal(HostKeyStatus.Changed, changed.Status);
            Assert.Equal(2, changed.Entry.LineNumber);
            // A key of a type not on record, from a host that has keys on record, is refused as well.
            var otherType = file.Check("lwz1", 22, Key(Ed25519));
            Assert.Equal(HostKeyStatus.Changed, otherType.Status);
            Assert.Equal(1, otherType.Entry.LineNumber);
        }

        [Fact]
        public void Check_Revoked_WinsOverATrustedLine()
        {
            var file = KnownHostsFile.Parse($"lwz1 ssh-ed25519 {Ed25519}\n@revoked * ssh-ed25519 {Ed25519}\n");
            var check = file.Check("lwz1", 22, Key(Ed25519));
            Assert.Equal(HostKeyStatus.Revoked, check.Status);
            Assert.Equal(2, check.Entry.LineNumber);
        }

        [Fact]
        public void Check_CertAuthority_VouchesForNoPlainKey()
        {
            var file = KnownHostsFile.Parse($"@cert-authority *.example.com ssh-ed25519 {Ed25519}\n");
            Assert.Equal(HostKeyStatus.Unknown, file.Check("redis-a.example.com", 22, Key(Ed25519)).Status);
            Assert.Empty(file.TrustedFor("redis-a.example.com", 22));
        }

        [Theory]
        [InlineData("lwz1 ssh-ed25519 not-base64!")]
        [InlineData("lwz1 ssh-rsa " + Ed25519)]
        [InlineData("lwz1 1024 35 1234567")]
        [InlineData("@unknown lwz1 ssh-ed25519 " + Ed25519)]
        [InlineData("lwz1 ssh-ed25519")]
        public void Parse_SkipsLinesItCannotRead(string line) => Assert.Empty(KnownHostsFile.Parse(line + "\n").Entries);

        [Fact]
        public void Parse_ReadsCrLfAndTabs()
        {
            var file = KnownHostsFile.Parse($"lwz1\tssh-ed25519\t{Ed25519}\r\n");
            Assert.Equal(HostKeyStatus.Known, file.Check("lwz1", 22, Key(Ed25519)).Status);
        }

        [Fact]
        public void FormatLine_IsWhatSshWrites()
        {
            Assert.Equal($"[127.0.0.2]:2222 ssh-ed25519 {Ed25519}", KnownHostsFile.FormatLine("127.0.0.2", 2222, Key(Ed25519)));
            Assert.Equal($"lwz1 ecdsa-sha2-nistp256 {Ecdsa}", KnownHostsFile.FormatLine("LWZ1", 22, Key(Ecdsa)));
        }

        [Fact]
        public void Verifier_RefusesAnUnknownKey_ShowingFingerprintPathAndSwitch()
        {
            using (var dir = new TempDirectory())
            {
                string path = Path.Combine(dir.Path, "known_hosts");
                var verifier = new HostKeyVerifier(path, false, "lwz1", 2222);
                Assert.False(verifier.Verify(Convert.FromBase64String(Ed25519)));
                Assert.Equal("SshHostKeyUnknown", verifier.Refusal.ErrorId);
                Assert.Equal(FailureKind.Authentication, verifier.Refusal.Kind);
                Assert.Contains(Ed25519Fingerprint, verifier.Refusal.Message);
                Assert.Contains("-AcceptNewHostKey", verifier.Refusal.Message);
                Assert.Contains(path, verifier.Refusal.Message);
                Assert.False(File.Exists(path));
            }
        }

        [Fact]
        public void Verifier_AcceptNew_RecordsTheKeyOnce_AndTrustsItAfter()
        {
            using (var dir = new TempDirectory())
            {
                string path = Path.Combine(dir.Path, "ssh", "known_hosts");
                var verifier = new HostKeyVerifier(path, true, "lwz1", 2222);
                Assert.True(verifier.Verify(Convert.FromBase64String(Ed25519)));
                Assert.True(verifier.Verify(Convert.FromBase64String(Ed25519)));
                Assert.Equal(new[] { $"[lwz1]:2222 ssh-ed25519 {Ed25519}" }, File.ReadAllLines(path));
                Assert.Equal(Ed25519Fingerprint, verifier.RecordedKey.Fingerprint);
                Assert.True(new HostKeyVerifier(path, false, "lwz1", 2222).Verify(Convert.FromBase64String(Ed25519)));
            }
        }

        [Fact]
        public void Verifier_AcceptNew_AppendsOnALineOfItsOwn()
        {
            using (var dir = new TempDirectory())
            {
                string path = Path.Combine(dir.Path, "known_hosts");
                File.WriteAllText(path, $"lwz9 ssh-rsa {Rsa}");
                Assert.True(new HostKeyVerifier(path, true, "lwz1", 22).Verify(Convert.FromBase64String(Ed25519)));
                Assert.Equal(new[] { $"lwz9 ssh-rsa {Rsa}", $"lwz1 ssh-ed25519 {Ed25519}" }, File.ReadAllLines(path));
            }
        }

        [Fact]
        public void Verifier_AcceptNew_NeverReplacesAChangedKey()
        {
            using (var dir = new TempDirectory())
            {
                string path = Path.Combine(dir.Path, "known_hosts");
                string before = $"[lwz1]:2222 ecdsa-sha2-nistp256 {Ecdsa}\n";
                File.WriteAllText(path, before);
                var verifier = new HostKeyVerifier(path, true, "lwz1", 2222);
                Assert.False(verifier.Verify(Convert.FromBase64String(Ed25519)));
                Assert.Equal("SshHostKeyChanged", verifier.Refusal.ErrorId);
                Assert.Contains("line 1", verifier.Refusal.Message);
                Assert.Contains(Ed25519Fingerprint, verifier.Refusal.Message);
                Assert.Equal(before, File.ReadAllText(path));
                Assert.Null(verifier.RecordedKey);
            }
        }

        [Fact]
        public void Verifier_Revoked_IsRefusedEvenWithAcceptNew()
        {
            using (var dir = new TempDirectory())
            {
                string path = Path.Combine(dir.Path, "known_hosts");
                File.WriteAllText(path, $"@revoked * ssh-ed25519 {Ed25519}\n");
                var verifier = new HostKeyVerifier(path, true, "lwz1", 22);
                Assert.False(verifier.Verify(Convert.FromBase64String(Ed25519)));
                Assert.Equal("SshHostKeyRevoked", verifier.Refusal.ErrorId);
            }
        }

        [Fact]
        public void Verifier_KnownKeyTypes_AreThoseOnRecordForTheHost()
        {
            using (var dir = new TempDirectory())
            {
                string path = Path.Combine(dir.Path, "known_hosts");
                File.WriteAllText(path, $"lwz1 ssh-rsa {Rsa}\nlwz2 ssh-ed25519 {Ed25519}\n@revoked lwz1 ecdsa-sha2-nistp256 {Ecdsa}\n");
                Assert.Equal(new[] { "ssh-rsa" }, new HostKeyVerifier(path, false, "lwz1", 22).KnownKeyTypes);
            }
        }

        [Fact]
        public void Algorithms_KnownTypesFirst_CertificatesLeftOut()
        {
            var offered = new[] { "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa" };
            Assert.Equal(new[] { "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256" }, HostKeyAlgorithms.Arrange(offered, new[] { "ssh-rsa" }));
            Assert.Equal(offered.Skip(1), HostKeyAlgorithms.Arrange(offered, Array.Empty<string>()));
        }

        [Theory]
        [InlineData("abc", "abc", true)]
        [InlineData("abc", "a*", true)]
        [InlineData("abc", "*c", true)]
        [InlineData("abc", "a?c", true)]
        [InlineData("abc", "a?", false)]
        [InlineData("a.b.c", "*.c", true)]
        [InlineData("", "*", true)]
        [InlineData("abc", "*b*d", false)]
        public void WildcardMatch_IsOpenSshs(string text, string pattern, bool expected) => Assert.Equal(expected, KnownHostsEntry.WildcardMatch(text, pattern));

        internal sealed class TempDirectory : IDisposable
        {
            public TempDirectory() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kh-" + Guid.NewGuid().ToString("N")));

            public string Path { get; }

            public void Dispose() => Directory.Delete(Path, recursive: true);
        }
    }
}
