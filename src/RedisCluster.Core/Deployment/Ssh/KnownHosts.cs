using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace RedisCluster
{
    /// <summary>What an OpenSSH known_hosts line says about its key.</summary>
    public enum KnownHostsMarker
    {
        /// <summary>A plain line: the key is trusted for the hosts it names.</summary>
        None,

        /// <summary>@revoked: the key must never be accepted for those hosts.</summary>
        Revoked,

        /// <summary>@cert-authority: a CA that signs host certificates; it vouches for no plain key.</summary>
        CertAuthority,
    }

    /// <summary>One key line of a known_hosts file.</summary>
    public sealed class KnownHostsEntry
    {
        private const string HashedPrefix = "|1|";
        private readonly byte[] _keyBlob;

        internal KnownHostsEntry(int lineNumber, KnownHostsMarker marker, string hostPatterns, string keyType, byte[] keyBlob)
        {
            LineNumber = lineNumber;
            Marker = marker;
            HostPatterns = hostPatterns;
            KeyType = keyType;
            _keyBlob = keyBlob;
        }

        /// <summary>1-based, as ssh-keygen -F and OpenSSH's warnings count.</summary>
        public int LineNumber { get; }
        public KnownHostsMarker Marker { get; }

        /// <summary>The host field as written: a comma list of patterns, or one hashed name (|1|salt|hmac).</summary>
        public string HostPatterns { get; }
        public string KeyType { get; }

        public bool HoldsKey(SshHostKey key) => key.SameKeyAs(_keyBlob);

        /// <summary>
        /// Whether the line is about a host, named as known_hosts names it (see <see cref="KnownHostsFile.HostKeyName"/>):
        /// a hashed name matches when its HMAC-SHA1 does; a pattern list matches when a pattern does (* and ?
        /// wildcards) and no negated one (!pattern) does, as OpenSSH's match_hostname decides.
        /// </summary>
        public bool MatchesHost(string hostKeyName)
        {
            string name = hostKeyName.ToLowerInvariant();
            if (HostPatterns.StartsWith(HashedPrefix, StringComparison.Ordinal)) return MatchesHashed(name);
            bool matched = false;
            foreach (string pattern in HostPatterns.ToLowerInvariant().Split(','))
            {
                bool negated = pattern.StartsWith("!", StringComparison.Ordinal);
                if (!WildcardMatch(name, negated ? pattern.Substring(1) : pattern)) continue;
                if (negated) return false;
                matched = true;
            }
            return matched;
        }

        private bool MatchesHashed(string name)
        {
            string[] parts = HostPatterns.Substring(HashedPrefix.Length).Split('|');
            if (parts.Length != 2) return false;
            try
            {
                byte[] salt = Convert.FromBase64String(parts[0]);
                byte[] expected = Convert.FromBase64String(parts[1]);
                using (var hmac = new HMACSHA1(salt))
                {
                    return hmac.ComputeHash(Encoding.UTF8.GetBytes(name)).SequenceEqual(expected);
                }
            }
            catch (FormatException)
            {
                return false;
            }
        }

        /// <summary>OpenSSH's match_pattern: '*' is any run of characters, '?' any one.</summary>
        internal static bool WildcardMatch(string text, string pattern)
        {
            int t = 0, p = 0, starAt = -1, resumeAt = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
                {
                    t++;
                    p++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
                {
                    starAt = p++;
                    resumeAt = t;
                }
                else if (starAt >= 0)
                {
                    p = starAt + 1;
                    t = ++resumeAt;
                }
                else
                {
                    return false;
                }
            }
            while (p < pattern.Length && pattern[p] == '*') p++;
            return p == pattern.Length;
        }
    }

    /// <summary>What a known_hosts file says about the key a host presented.</summary>
    public enum HostKeyStatus
    {
        /// <summary>A plain line for the host holds this key.</summary>
        Known,

        /// <summary>No plain line names the host.</summary>
        Unknown,

        /// <summary>Plain lines name the host, none with this key: it changed, or someone is in the middle.</summary>
        Changed,

        /// <summary>A @revoked line for the host holds this key.</summary>
        Revoked,
    }

    /// <summary>The verdict on one key, with the line behind it (none when Unknown).</summary>
    public sealed class HostKeyCheck
    {
        internal HostKeyCheck(HostKeyStatus status, KnownHostsEntry entry)
        {
            Status = status;
            Entry = entry;
        }

        public HostKeyStatus Status { get; }

        /// <summary>Known: the line that holds the key. Changed: the line holding the host's key of the same type, else its first. Revoked: the @revoked line.</summary>
        public KnownHostsEntry Entry { get; }
    }

    /// <summary>
    /// An OpenSSH known_hosts file, read as ssh reads it: blank lines and # comments skipped, an optional
    /// @revoked or @cert-authority marker, the host field, the key type and the base64 key, then an optional
    /// comment. Lines that cannot be read (a bad key, an unknown marker, the old SSH-1 form) are skipped, as
    /// ssh skips them.
    /// </summary>
    public sealed class KnownHostsFile
    {
        public const int DefaultSshPort = 22;

        private KnownHostsFile(IReadOnlyList<KnownHostsEntry> entries) => Entries = entries;

        public IReadOnlyList<KnownHostsEntry> Entries { get; }

        /// <summary>A missing file knows no host.</summary>
        public static KnownHostsFile Read(string path) => Parse(File.Exists(path) ? File.ReadAllText(path) : string.Empty);

        public static KnownHostsFile Parse(string text)
        {
            var entries = new List<KnownHostsEntry>();
            string[] lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                var entry = ParseLine(i + 1, lines[i]);
                if (entry != null) entries.Add(entry);
            }
            return new KnownHostsFile(entries);
        }

        /// <summary>The name known_hosts files a host under: the lower-case name for port 22, [name]:port for any other.</summary>
        public static string HostKeyName(string host, int port)
        {
            string name = host.ToLowerInvariant();
            return port == DefaultSshPort ? name : $"[{name}]:{port.ToString(CultureInfo.InvariantCulture)}";
        }

        /// <summary>The line that trusts a key for a host, in plain (unhashed) form.</summary>
        public static string FormatLine(string host, int port, SshHostKey key) => $"{HostKeyName(host, port)} {key.KeyType} {key.Base64}";

        /// <summary>The lines trusting a plain key for the host: their key types say which host key algorithms to ask for first.</summary>
        public IEnumerable<KnownHostsEntry> TrustedFor(string host, int port)
        {
            string name = HostKeyName(host, port);
            return Entries.Where(e => e.Marker == KnownHostsMarker.None && e.MatchesHost(name));
        }

        public HostKeyCheck Check(string host, int port, SshHostKey key)
        {
            string name = HostKeyName(host, port);
            var revoked = Entries.FirstOrDefault(e => e.Marker == KnownHostsMarker.Revoked && e.HoldsKey(key) && e.MatchesHost(name));
            if (revoked != null) return new HostKeyCheck(HostKeyStatus.Revoked, revoked);
            var trusted = TrustedFor(host, port).ToList();
            var holding = trusted.FirstOrDefault(e => e.HoldsKey(key));
            if (holding != null) return new HostKeyCheck(HostKeyStatus.Known, holding);
            if (trusted.Count == 0) return new HostKeyCheck(HostKeyStatus.Unknown, null);
            // A host with a key on record that shows another, even of another type, is refused: a server that
            // still had the recorded key would have been asked for that type first.
            return new HostKeyCheck(HostKeyStatus.Changed, trusted.FirstOrDefault(e => e.KeyType == key.KeyType) ?? trusted[0]);
        }

        private static KnownHostsEntry ParseLine(int lineNumber, string line)
        {
            string[] fields = line.Trim().Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith("#", StringComparison.Ordinal)) return null;
            var marker = KnownHostsMarker.None;
            int at = 0;
            if (fields[0].StartsWith("@", StringComparison.Ordinal))
            {
                switch (fields[0])
                {
                    case "@revoked": marker = KnownHostsMarker.Revoked; break;
                    case "@cert-authority": marker = KnownHostsMarker.CertAuthority; break;
                    default: return null;
                }
                at = 1;
            }
            if (fields.Length < at + 3) return null;
            string hosts = fields[at], keyType = fields[at + 1];
            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(fields[at + 2]);
            }
            catch (FormatException)
            {
                return null;
            }
            // The type named on the line must be the one inside the key (this also skips SSH-1 "bits exponent modulus" lines).
            return SshHostKey.ReadKeyType(blob) == keyType ? new KnownHostsEntry(lineNumber, marker, hosts, keyType, blob) : null;
        }
    }
}
