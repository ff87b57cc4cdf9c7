using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;

namespace RedisCluster
{
    /// <summary>
    /// How to log in to every host of a deployment over SSH, settled once from the parameters before any host is
    /// contacted: the user, the key files to offer (or a password), the port, and where host keys are checked.
    /// </summary>
    public sealed class SshOptions
    {
        /// <summary>The keys ssh itself offers when none is named, in its order.</summary>
        private static readonly string[] DefaultKeyFiles = { "id_ed25519", "id_ecdsa", "id_rsa" };

        private SshOptions(string userName, IReadOnlyList<string> keyFiles, NetworkCredential secret, int port, string knownHostsPath, bool acceptNewHostKey, TimeSpan connectTimeout)
        {
            UserName = userName;
            KeyFiles = keyFiles;
            Secret = secret;
            Port = port;
            KnownHostsPath = knownHostsPath;
            AcceptNewHostKey = acceptNewHostKey;
            ConnectTimeout = connectTimeout;
        }

        public string UserName { get; }

        /// <summary>Private key files to offer, in order; empty when logging in with a password.</summary>
        public IReadOnlyList<string> KeyFiles { get; }

        /// <summary>With key files, their passphrase (if any); without, the login password.</summary>
        internal NetworkCredential Secret { get; }

        public bool UsesPassword => KeyFiles.Count == 0;
        public int Port { get; }
        public string KnownHostsPath { get; }
        public bool AcceptNewHostKey { get; }

        /// <summary>How long reaching one address, the handshake and the login may take together.</summary>
        public TimeSpan ConnectTimeout { get; }

        /// <param name="userName">-SshUserName; null for the -SshCredential's user, else the local user.</param>
        /// <param name="keyFile">-SshKeyFile; null to log in with -SshCredential's password, or with ssh's default keys when there is none.</param>
        /// <param name="credential">-SshCredential: the key's passphrase with a key file, the password without one.</param>
        /// <param name="knownHostsPath">-KnownHostsPath; null for ~/.ssh/known_hosts.</param>
        /// <param name="homeDirectory">The local user's home, where ssh's default files are.</param>
        /// <param name="localUserName">Who runs the script: ssh's default user.</param>
        /// <exception cref="RedisClusterException">SshUserNameConflict, SshKeyFileNotFound, SshAuthenticationMissing.</exception>
        public static SshOptions Create(string userName, string keyFile, NetworkCredential credential, int port, string knownHostsPath, bool acceptNewHostKey,
            TimeSpan connectTimeout, string homeDirectory, string localUserName)
        {
            string sshDirectory = Path.Combine(homeDirectory, ".ssh");
            knownHostsPath = knownHostsPath ?? Path.Combine(sshDirectory, "known_hosts");
            if (keyFile != null)
            {
                if (!File.Exists(keyFile))
                {
                    throw new RedisClusterException(FailureKind.NotFound, $"The SSH key file {keyFile} does not exist.") { ErrorId = "SshKeyFileNotFound" };
                }
                return new SshOptions(userName ?? localUserName, new[] { keyFile }, credential, port, knownHostsPath, acceptNewHostKey, connectTimeout);
            }
            if (credential != null)
            {
                if (userName != null && !string.IsNullOrEmpty(credential.UserName) && !string.Equals(userName, credential.UserName, StringComparison.Ordinal))
                {
                    throw new RedisClusterException(FailureKind.InvalidArgument,
                        $"-SshUserName '{userName}' and the user of -SshCredential, '{credential.UserName}', differ: without -SshKeyFile the credential is the login, so give one user.")
                        { ErrorId = "SshUserNameConflict" };
                }
                string login = userName ?? (string.IsNullOrEmpty(credential.UserName) ? localUserName : credential.UserName);
                return new SshOptions(login, Array.Empty<string>(), credential, port, knownHostsPath, acceptNewHostKey, connectTimeout);
            }
            var defaults = DefaultKeyFiles.Select(name => Path.Combine(sshDirectory, name)).Where(File.Exists).ToList();
            if (defaults.Count == 0)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"No way to log in over SSH: give -SshKeyFile (a private key) or -SshCredential (a password); there is no default key ({string.Join(", ", DefaultKeyFiles)}) in {sshDirectory}.")
                    { ErrorId = "SshAuthenticationMissing" };
            }
            return new SshOptions(userName ?? localUserName, defaults, null, port, knownHostsPath, acceptNewHostKey, connectTimeout);
        }

        /// <summary>How the login is made, for messages: never the secret.</summary>
        public string Describe() => UsesPassword ? $"user '{UserName}' with a password" : $"user '{UserName}' with key {string.Join(", ", KeyFiles)}";
    }
}
