using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace RedisCluster
{
    /// <summary>Everything needed to write one node's config and start it.</summary>
    public sealed class NodeDeploymentSpec
    {
        public NodeDeploymentSpec(string computerName, int port, string installPath, string dataPath)
        {
            ComputerName = computerName;
            Port = port;
            InstallPath = installPath;
            DataPath = Path.Combine(dataPath, port.ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>The host the node runs on; also the address it binds to and announces.</summary>
        public string ComputerName { get; }
        public int Port { get; }
        public string InstallPath { get; }

        /// <summary>The node's own working directory: its data, cluster state, pid and log.</summary>
        public string DataPath { get; }

        public NetworkCredential Credential { get; set; }

        /// <summary>Extra or overriding directives, written as "name value" lines.</summary>
        public IDictionary<string, string> Settings { get; set; } = new Dictionary<string, string>();

        public string ConfigPath => Path.Combine(InstallPath, $"redis_{Port}.conf");
        public string PidPath => Path.Combine(DataPath, $"redis_{Port}.pid");
        public string LogPath => Path.Combine(DataPath, $"redis_{Port}.log");
        public NodeEndPoint EndPoint => new NodeEndPoint(ComputerName, Port);

        /// <summary>The redis.conf text: the seed recipe's settings, then the caller's, which win.</summary>
        public string RenderConfig()
        {
            var directives = new List<KeyValuePair<string, string>>
            {
                Pair("port", Port.ToString(CultureInfo.InvariantCulture)),
                Pair("bind", ComputerName),
                Pair("daemonize", "yes"),
                Pair("cluster-enabled", "yes"),
                Pair("cluster-config-file", $"nodes-{Port}.conf"),
                Pair("cluster-node-timeout", "5000"),
                Pair("dir", Quote(DataPath)),
                Pair("pidfile", Quote(PidPath)),
                Pair("logfile", Quote(LogPath)),
                Pair("appendonly", "yes"),
            };
            // A node on a second loopback address must also send its bus traffic from it, or peers record 127.0.0.1.
            if (IPAddress.TryParse(ComputerName, out var ip) && !IPAddress.Any.Equals(ip) && !IPAddress.IPv6Any.Equals(ip))
            {
                directives.Add(Pair("bind-source-addr", ComputerName));
            }
            if (Credential != null && !string.IsNullOrEmpty(Credential.Password))
            {
                bool aclUser = !string.IsNullOrEmpty(Credential.UserName) && Credential.UserName != ConnectionSettings.DefaultUserName;
                if (aclUser)
                {
                    // The default user would otherwise stay open without a password beside the named one.
                    directives.Add(Pair("user", "default off"));
                    directives.Add(Pair("user", $"{Credential.UserName} on >{Credential.Password} ~* &* +@all"));
                    directives.Add(Pair("masteruser", Credential.UserName));
                }
                else
                {
                    directives.Add(Pair("requirepass", Quote(Credential.Password)));
                }
                directives.Add(Pair("masterauth", Quote(Credential.Password)));
            }
            foreach (var setting in Settings)
            {
                directives.RemoveAll(d => string.Equals(d.Key, setting.Key, StringComparison.OrdinalIgnoreCase));
                directives.Add(Pair(setting.Key.ToLowerInvariant(), setting.Value));
            }
            var text = new StringBuilder();
            text.AppendLine($"# Redis Cluster node {EndPoint}, written by RedisCluster New-RedisClusterNode.");
            foreach (var directive in directives) text.Append(directive.Key).Append(' ').AppendLine(directive.Value);
            return text.ToString();
        }

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);

        private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
