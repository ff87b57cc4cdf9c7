using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace RedisCluster
{
    /// <summary>Everything needed to write one node's config and start it.</summary>
    public sealed class NodeDeploymentSpec
    {
        /// <summary>redis-server opens the cluster bus this far above the client port unless cluster-port says otherwise.</summary>
        public const int BusPortOffset = 10000;
        public const int HighestPort = 65535;

        public NodeDeploymentSpec(string computerName, int port, string installPath, string dataPath)
        {
            ComputerName = computerName;
            Address = computerName;
            Port = port;
            InstallPath = installPath;
            DataPath = TargetPath.Combine(dataPath, port.ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>The host the node runs on, as the caller named it.</summary>
        public string ComputerName { get; }

        /// <summary>
        /// The address the node binds to, announces and is reached at: the host's name until the deployment has
        /// reached the host and knows its address (<see cref="IDeploymentTarget.Address"/>).
        /// </summary>
        public string Address { get; set; }
        public int Port { get; }
        public string InstallPath { get; }

        /// <summary>The node's own working directory: its data, cluster state, pid and log.</summary>
        public string DataPath { get; }

        public NetworkCredential Credential { get; set; }

        /// <summary>Extra or overriding directives, written as "name value" lines.</summary>
        public NodeSettings Settings { get; set; } = NodeSettings.None;

        public NodeServiceManager ServiceManager { get; set; } = NodeServiceManager.Process;

        /// <summary>With systemd, the user the service runs as, owning the node's config and directory.</summary>
        public string ServiceUser { get; set; } = SystemdUnit.DefaultServiceUser;

        /// <summary>With systemd, where the unit goes.</summary>
        public string SystemdUnitDirectory { get; set; } = SystemdUnit.DefaultDirectory;

        public string ConfigPath => TargetPath.Combine(InstallPath, $"redis_{Port}.conf");
        public string PidPath => TargetPath.Combine(DataPath, $"redis_{Port}.pid");
        public string LogPath => TargetPath.Combine(DataPath, $"redis_{Port}.log");
        public NodeEndPoint EndPoint => new NodeEndPoint(Address, Port);

        /// <summary>Refuses a port whose cluster bus port would lie above 65535, which redis-server refuses only after it has daemonized.</summary>
        /// <exception cref="RedisClusterException">PortOutOfRange.</exception>
        public void CheckPort()
        {
            int busPort = Port + BusPortOffset;
            if (busPort > HighestPort && !Settings.Contains("cluster-port"))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"Port {Port} is too high for a cluster node: its cluster bus port would be {busPort} (port + {BusPortOffset}), above {HighestPort}. " +
                    $"Use a port of {HighestPort - BusPortOffset} or less, or choose the bus port with -Setting @{{ 'cluster-port' = <port> }}.", EndPoint)
                    { ErrorId = "PortOutOfRange" };
            }
        }

        /// <summary>The redis.conf text: the seed recipe's settings, then the caller's, which win.</summary>
        public string RenderConfig()
        {
            var directives = new List<KeyValuePair<string, string>>
            {
                Pair("port", Port.ToString(CultureInfo.InvariantCulture)),
                Pair("bind", Address),
                Pair("daemonize", "yes"),
                Pair("cluster-enabled", "yes"),
                Pair("cluster-config-file", $"nodes-{Port}.conf"),
                Pair("cluster-node-timeout", "5000"),
                Pair("dir", RedisConfigSyntax.Quote(DataPath)),
                Pair("pidfile", RedisConfigSyntax.Quote(PidPath)),
                Pair("logfile", RedisConfigSyntax.Quote(LogPath)),
                Pair("appendonly", "yes"),
            };
            // A node on a second loopback address must also send its bus traffic from it, or peers record 127.0.0.1.
            if (IPAddress.TryParse(Address, out var ip) && !IPAddress.Any.Equals(ip) && !IPAddress.IPv6Any.Equals(ip))
            {
                directives.Add(Pair("bind-source-addr", Address));
            }
            if (Credential != null && !string.IsNullOrEmpty(Credential.Password))
            {
                bool aclUser = !string.IsNullOrEmpty(Credential.UserName) && Credential.UserName != ConnectionSettings.DefaultUserName;
                if (aclUser)
                {
                    // The default user would otherwise stay open without a password beside the named one.
                    directives.Add(Pair("user", "default off"));
                    // The ACL rule holds the password's hash only: the user needs no plaintext copy.
                    directives.Add(Pair("user", $"{Credential.UserName} on {PasswordHashRule(Credential.Password)} ~* &* +@all"));
                    directives.Add(Pair("masteruser", Credential.UserName));
                }
                else
                {
                    directives.Add(Pair("requirepass", RedisConfigSyntax.Quote(Credential.Password)));
                }
                // A replica sends masterauth to its master as it is, so it must stay plaintext.
                directives.Add(Pair("masterauth", RedisConfigSyntax.Quote(Credential.Password)));
            }
            // In name order: the same -Setting writes the same file, whatever order the hashtable gave.
            foreach (var setting in Settings.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                directives.RemoveAll(d => d.Key == setting.Key);
                directives.Add(Pair(setting.Key, setting.Value));
            }
            // Lines end in \n whatever this machine uses: the file is for redis-server on a Linux host.
            var text = new StringBuilder();
            text.Append($"# Redis Cluster node {EndPoint}, written by RedisCluster New-RedisClusterNode.\n");
            foreach (var directive in directives) text.Append(directive.Key).Append(' ').Append(directive.Value).Append('\n');
            return text.ToString();
        }

        /// <summary>The node as starting, stopping and reaching it need it, taking the spec's credential.</summary>
        public DeployedNode ToDeployedNode(string redisServerPath) =>
            new DeployedNode(ComputerName, Address, Port, ConfigPath, PidPath, LogPath, DataPath, ServiceManager, SystemdUnitDirectory)
            {
                RedisServerPath = redisServerPath,
                ServiceUser = ServiceManager == NodeServiceManager.Systemd ? ServiceUser : null,
                ConfigText = RenderConfig(),
                Credentials = new[] { Credential != null && !string.IsNullOrEmpty(Credential.Password) ? Credential : null },
            };

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);

        /// <summary>The ACL rule "#&lt;sha256&gt;": the SHA-256 of the password's UTF-8 bytes, as 64 lowercase hex digits.</summary>
        internal static string PasswordHashRule(string password)
        {
            using (var sha256 = SHA256.Create())
            {
                byte[] hash = sha256.ComputeHash(Encoding.UTF8.GetBytes(password));
                return "#" + string.Concat(hash.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
            }
        }
    }
}
