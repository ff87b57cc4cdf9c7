using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.New, "RedisClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ComputerNameSet)]
    [OutputType(typeof(RedisClusterNodeDeployment))]
    public sealed class NewRedisClusterNodeCommand : DeploymentCmdlet<NodeDeploymentSpec>
    {
        /// <summary>The client ports, the same on every host; a port above 55535 is refused by the deployer, which can say why (its bus port).</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, NodeDeploymentSpec.HighestPort)]
        public int[] Port { get; set; }

        /// <summary>The password every node requires and uses towards its master; user "default" is requirepass.</summary>
        [Parameter]
        [Credential]
        public PSCredential Credential { get; set; } = PSCredential.Empty;

        [Parameter]
        public NodeServiceManager ServiceManager { get; set; } = NodeServiceManager.Process;

        /// <summary>With -ServiceManager Systemd, the user the service runs as, who owns the node's config and directory.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ServiceUser { get; set; } = SystemdUnit.DefaultServiceUser;

        /// <summary>With -ServiceManager Systemd, where the units go.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SystemdUnitPath { get; set; } = SystemdUnit.DefaultDirectory;

        /// <summary>Where the redis_PORT.conf files go.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string InstallPath { get; set; }

        /// <summary>Where each node gets its working directory (data, cluster state, pid, log).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DataPath { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string RedisServerPath { get; set; }

        /// <summary>Further redis.conf directives, name = value; they override the defaults but not the directives the cmdlet manages.</summary>
        [Parameter]
        public Hashtable Setting { get; set; }

        /// <summary>Restart the nodes whose changed settings the running node cannot take: replicas first, then each master once a replica took over its slots.</summary>
        [Parameter]
        public SwitchParameter Restart { get; set; }

        private NodeSettings _settings;
        private string _installPath;
        private string _dataPath;
        private string _redisServerPath;
        private string _unitDirectory;

        protected override void BeginProcessing()
        {
            // A bad setting is wrong for every port: refused once, before anything is written.
            _settings = Guard(() => new NodeSettings(ToSettings(Setting)));
            base.BeginProcessing();
            _installPath = TargetPathOf(InstallPath, nameof(InstallPath), SshDeploymentTargets.RemoteInstallPath, "conf");
            _dataPath = TargetPathOf(DataPath, nameof(DataPath), SshDeploymentTargets.RemoteDataPath, "data");
            _redisServerPath = OptionalTargetPathOf(RedisServerPath, nameof(RedisServerPath));
            _unitDirectory = OptionalTargetPathOf(SystemdUnitPath, nameof(SystemdUnitPath));
        }

        /// <summary>Plans the nodes of the hosts and ports given (or piped); nothing is reached yet.</summary>
        protected override void ProcessRecord()
        {
            foreach (string host in Hosts())
            {
                foreach (int port in Port)
                {
                    Plan(host, new NodeDeploymentSpec(host, port, _installPath, _dataPath)
                    {
                        Credential = Credentials.ToNetworkCredential(Credential),
                        Settings = _settings,
                        ServiceManager = ServiceManager,
                        ServiceUser = ServiceUser,
                        SystemdUnitDirectory = _unitDirectory,
                    });
                }
            }
        }

        /// <summary>
        /// Asks ShouldProcess once per host with every file and command its nodes involve, then works on every approved
        /// host at once; one host or node failing stops none of the others, and each failure is an error of its own.
        /// </summary>
        protected override void EndProcessing()
        {
            var approved = Plans.Where(host =>
            {
                string description = NodeDeploymentRun.Describe(host, Targets.Description, _redisServerPath, Restart);
                return ShouldProcess(description, description + Environment.NewLine + "Deploy these nodes?", "Deploy Redis cluster nodes");
            }).ToList();
            if (approved.Count == 0) return;
            WriteOutcomes(Await((token, progress) => NodeDeploymentRun.RunAsync(approved, Targets, _redisServerPath, EngineBridge.Connector, Restart, progress, token)));
        }

        private static IEnumerable<KeyValuePair<string, string>> ToSettings(Hashtable table) =>
            table == null
                ? Enumerable.Empty<KeyValuePair<string, string>>()
                : table.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, string>(e.Key.ToString(), LanguagePrimitives.ConvertTo<string>(e.Value)));
    }
}
