using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace RedisCluster
{
    /// <summary>
    /// A node deployed on a host, as far as starting, stopping and reaching it go: where its files are, how it is run,
    /// and the credentials it may take. Made from a deployment's spec, or read back from the config on the host.
    /// </summary>
    public sealed class DeployedNode
    {
        private static readonly HashSet<string> Wildcards = new HashSet<string> { "*", "0.0.0.0", "::", "::*" };

        public DeployedNode(string computerName, string address, int port, string configPath, string pidPath, string logPath, string dataPath,
            NodeServiceManager serviceManager, string systemdUnitDirectory)
        {
            ComputerName = computerName;
            Address = address;
            Port = port;
            ConfigPath = configPath;
            PidPath = pidPath;
            LogPath = logPath;
            DataPath = dataPath;
            ServiceManager = serviceManager;
            SystemdUnitDirectory = systemdUnitDirectory;
        }

        public string ComputerName { get; }
        public string Address { get; }
        public int Port { get; }
        public NodeEndPoint EndPoint => new NodeEndPoint(Address, Port);
        public string ConfigPath { get; }
        public string InstallPath => TargetPath.Parent(ConfigPath);
        public string PidPath { get; }

        /// <summary>The log file; null when the node logs to standard output.</summary>
        public string LogPath { get; }

        /// <summary>The node's working directory; null when its config names none.</summary>
        public string DataPath { get; }

        public NodeServiceManager ServiceManager { get; }
        public string SystemdUnitDirectory { get; }
        public string UnitName => SystemdUnit.NameOf(Port);

        /// <summary>The unit file; null for a node run as a plain process.</summary>
        public string UnitPath => ServiceManager == NodeServiceManager.Systemd ? TargetPath.Combine(SystemdUnitDirectory, UnitName) : null;

        /// <summary>With systemd, the user the service runs as (the unit's User=), who must own the node's directory.</summary>
        public string ServiceUser { get; set; }

        /// <summary>redis-server on the host, when known; a plain process is started with it.</summary>
        public string RedisServerPath { get; set; }

        /// <summary>The config the node starts from, to name a line redis-server refuses without quoting it.</summary>
        internal string ConfigText { get; set; }

        /// <summary>The credentials the node may take, the likeliest first (the old one while a new password awaits a restart).</summary>
        internal IReadOnlyList<NetworkCredential> Credentials { get; set; } = new NetworkCredential[] { null };

        /// <summary>
        /// Reads a node's config as redis-server would: it binds its first address (the host's address when that is a
        /// wildcard), writes its pid and log where pidfile and logfile say (relative to dir, where it changes to), and
        /// authenticates as masteruser/masterauth or requirepass.
        /// </summary>
        public static DeployedNode FromConfig(string computerName, string hostAddress, int port, string configPath, string configText,
            NodeServiceManager serviceManager, string systemdUnitDirectory)
        {
            var config = RedisConfigFile.Parse(configText);
            string bind = config.All("bind").LastOrDefault()?.Arguments.FirstOrDefault()?.TrimStart('-');
            string address = string.IsNullOrEmpty(bind) || Wildcards.Contains(bind) ? hostAddress : bind;
            string dir = config.All("dir").LastOrDefault()?.Arguments.FirstOrDefault();
            string pidPath = Resolve(dir, config.All("pidfile").LastOrDefault()?.Arguments.FirstOrDefault()) ?? "/var/run/redis.pid";
            string logPath = Resolve(dir, config.All("logfile").LastOrDefault()?.Arguments.FirstOrDefault());
            return new DeployedNode(computerName, address, port, configPath, pidPath, logPath, dir, serviceManager, systemdUnitDirectory)
            {
                ConfigText = configText,
                Credentials = new[] { CredentialOf(config) },
            };
        }

        /// <summary>What a replica of the node sends its master, which is what the node itself requires: masteruser/masterauth, else requirepass.</summary>
        internal static NetworkCredential CredentialOf(RedisConfigFile config)
        {
            string requirePass = config.ValueOf("requirepass");
            string masterUser = config.ValueOf("masteruser");
            string masterAuth = config.ValueOf("masterauth");
            if (!string.IsNullOrEmpty(masterUser) && !string.IsNullOrEmpty(masterAuth)) return new NetworkCredential(masterUser, masterAuth);
            if (!string.IsNullOrEmpty(requirePass)) return new NetworkCredential(ConnectionSettings.DefaultUserName, requirePass);
            return null;
        }

        private static string Resolve(string dir, string path)
        {
            if (string.IsNullOrEmpty(path)) return null;
            return TargetPath.IsPosixRooted(path) || string.IsNullOrEmpty(dir) ? path : TargetPath.Combine(dir, path);
        }
    }
}
