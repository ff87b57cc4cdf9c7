using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace RedisCluster
{
    /// <summary>
    /// Decides whether to trust the key one host presents, from an OpenSSH known_hosts file and never by asking:
    /// scheduled scripts have no one to answer. A known key is trusted; an unknown one only with
    /// -AcceptNewHostKey, which records it; a changed or revoked one never. A refusal is kept for the transport to
    /// throw once its handshake has failed.
    /// </summary>
    public sealed class HostKeyVerifier
    {
        /// <summary>One writer at a time, whichever host's verifier it is: lines from parallel hosts must not interleave.</summary>
        private static readonly object AppendGate = new object();

        private readonly KnownHostsFile _knownHosts;
        private SshHostKey _recorded;

        /// <exception cref="RedisClusterException">KnownHostsUnreadable.</exception>
        public HostKeyVerifier(string knownHostsPath, bool acceptNewHostKey, string computerName, int port)
        {
            KnownHostsPath = knownHostsPath;
            AcceptNewHostKey = acceptNewHostKey;
            ComputerName = computerName;
            Port = port;
            try
            {
                _knownHosts = KnownHostsFile.Read(knownHostsPath);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"The known hosts file {knownHostsPath} could not be read: {e.GetType().Name}. Give a readable file with -KnownHostsPath.", inner: e)
                    { ErrorId = "KnownHostsUnreadable" };
            }
        }

        public string KnownHostsPath { get; }
        public bool AcceptNewHostKey { get; }
        public string ComputerName { get; }
        public int Port { get; }

        /// <summary>The types of the keys on record for the host, for the transport to ask the host for first, as ssh does.</summary>
        public IReadOnlyCollection<string> KnownKeyTypes => _knownHosts.TrustedFor(ComputerName, Port).Select(e => e.KeyType).Distinct().ToList();

        /// <summary>Why the last key was refused; null while none was.</summary>
        public RedisClusterException Refusal { get; private set; }

        /// <summary>The key this verifier added to the file (with -AcceptNewHostKey), for the caller to report; null if none.</summary>
        public SshHostKey RecordedKey => _recorded;

        /// <summary>True to go on with the host that presented this key (the wire blob).</summary>
        public bool Verify(byte[] keyBlob)
        {
            SshHostKey key;
            try
            {
                key = new SshHostKey(keyBlob);
            }
            catch (FormatException)
            {
                Refusal = new RedisClusterException(FailureKind.Protocol, $"{Host} presented an SSH host key that cannot be read; nothing was deployed.") { ErrorId = "SshHostKeyUnreadable" };
                return false;
            }
            // The second connection to the same host (SFTP after the command channel) meets the key just recorded.
            if (_recorded != null && _recorded.SameKeyAs(keyBlob)) return true;
            var check = _knownHosts.Check(ComputerName, Port, key);
            switch (check.Status)
            {
                case HostKeyStatus.Known:
                    return true;
                case HostKeyStatus.Unknown when AcceptNewHostKey:
                    return Record(key);
                case HostKeyStatus.Unknown:
                    Refusal = Refused("SshHostKeyUnknown",
                        $"The SSH host key of {Host} is not known: it presented {key.KeyType} key {key.Fingerprint}, which no entry of {KnownHostsPath} holds for it. " +
                        $"Nothing was deployed. Compare that fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on {ComputerName}), " +
                        $"then run again with -AcceptNewHostKey to trust it and record it in {KnownHostsPath}.");
                    return false;
                case HostKeyStatus.Changed:
                    Refusal = Refused("SshHostKeyChanged",
                        $"The SSH host key of {Host} has CHANGED: it presented {key.KeyType} key {key.Fingerprint}, but line {check.Entry.LineNumber} of {KnownHostsPath} " +
                        $"holds another {check.Entry.KeyType} key for it. Someone may be intercepting the connection, or the host was reinstalled. Nothing was deployed. " +
                        $"If the change is expected, remove the old entry (ssh-keygen -R '{KnownHostsFile.HostKeyName(ComputerName, Port)}' -f {KnownHostsPath}) and run again with -AcceptNewHostKey; " +
                        "-AcceptNewHostKey never replaces a changed key.");
                    return false;
                default:
                    Refusal = Refused("SshHostKeyRevoked",
                        $"The SSH host key of {Host} ({key.KeyType} key {key.Fingerprint}) is revoked by line {check.Entry.LineNumber} of {KnownHostsPath}; nothing was deployed.");
                    return false;
            }
        }

        private string Host => Port == KnownHostsFile.DefaultSshPort ? ComputerName : $"{ComputerName} (SSH port {Port})";

        private bool Record(SshHostKey key)
        {
            try
            {
                lock (AppendGate)
                {
                    string directory = Path.GetDirectoryName(KnownHostsPath);
                    if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
                    // A file whose last line lacks its line break would swallow the new line into it.
                    bool needsBreak = File.Exists(KnownHostsPath) && new FileInfo(KnownHostsPath).Length > 0 && !EndsWithLineBreak(KnownHostsPath);
                    File.AppendAllText(KnownHostsPath, (needsBreak ? "\n" : string.Empty) + KnownHostsFile.FormatLine(ComputerName, Port, key) + "\n", new UTF8Encoding(false));
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                Refusal = new RedisClusterException(FailureKind.InvalidArgument,
                    $"The new SSH host key of {Host} ({key.Fingerprint}) could not be recorded in {KnownHostsPath}: {e.GetType().Name}; nothing was deployed.", inner: e)
                    { ErrorId = "KnownHostsUnwritable" };
                return false;
            }
            _recorded = key;
            return true;
        }

        private static bool EndsWithLineBreak(string path)
        {
            using (var file = File.OpenRead(path))
            {
                file.Seek(-1, SeekOrigin.End);
                return file.ReadByte() == '\n';
            }
        }

        private static RedisClusterException Refused(string errorId, string message) =>
            new RedisClusterException(FailureKind.Authentication, message) { ErrorId = errorId };
    }
}
