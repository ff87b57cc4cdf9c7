using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.NetworkInformation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.New, "RedisClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(RedisClusterNodeDeployment))]
    public sealed class NewRedisClusterNodeCommand : RedisClusterCmdlet
    {
        /// <summary>The SSH parameters: any one of them sends the deployment over SSH, even to this machine.</summary>
        private static readonly string[] SshParameters =
        {
            nameof(SshUserName), nameof(SshKeyFile), nameof(SshCredential), nameof(SshPort), nameof(KnownHostsPath), nameof(AcceptNewHostKey), nameof(SshConnectTimeoutSeconds),
        };

        /// <summary>
        /// The hosts to deploy on, all at once (with those of every piped object). Without SSH parameters, this machine's
        /// names and addresses only; nodes bind to the address reached.
        /// </summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] ComputerName { get; set; } = { "127.0.0.1" };

        /// <summary>The client ports, the same on every host; a port above 55535 is refused by the deployer, which can say why (its bus port).</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, NodeDeploymentSpec.HighestPort)]
        public int[] Port { get; set; }

        /// <summary>The password every node requires and uses towards its master; user "default" is requirepass.</summary>
        [Parameter]
        [Credential]
        public PSCredential Credential { get; set; } = PSCredential.Empty;

        [Parameter]
        [ValidateSet(NodeDeployer.ProcessServiceManager)]
        public string ServiceManager { get; set; } = NodeDeployer.ProcessServiceManager;

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

        /// <summary>The SSH login; by default the -SshCredential's user, else the local user.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SshUserName { get; set; }

        /// <summary>An OpenSSH private key (ed25519, ecdsa, rsa); its passphrase, if any, is -SshCredential's password.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SshKeyFile { get; set; }

        /// <summary>Without -SshKeyFile the SSH login and password; with it, the key's passphrase.</summary>
        [Parameter]
        [Credential]
        public PSCredential SshCredential { get; set; }

        [Parameter]
        [ValidateRange(1, NodeDeploymentSpec.HighestPort)]
        public int SshPort { get; set; } = KnownHostsFile.DefaultSshPort;

        /// <summary>The OpenSSH known_hosts file host keys are checked against; ~/.ssh/known_hosts by default.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string KnownHostsPath { get; set; }

        /// <summary>Trust a host whose key is not known yet and record its key; a changed key is refused all the same.</summary>
        [Parameter]
        public SwitchParameter AcceptNewHostKey { get; set; }

        /// <summary>Seconds to reach a host, check its key and log in before calling it unreachable.</summary>
        [Parameter]
        [ValidateRange(1, 300)]
        public int SshConnectTimeoutSeconds { get; set; } = 10;

        private bool _overSsh;
        private NodeSettings _settings;
        private IDeploymentTargetSource _targets;
        private string _installPath;
        private string _dataPath;
        private string _redisServerPath;

        /// <summary>The nodes to deploy, host by host in the order first named: deployed together once all input is in.</summary>
        private readonly Dictionary<string, List<NodeDeploymentSpec>> _plans = new Dictionary<string, List<NodeDeploymentSpec>>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _hostOrder = new List<string>();

        protected override void BeginProcessing()
        {
            _overSsh = SshParameters.Any(MyInvocation.BoundParameters.ContainsKey);
            // A bad setting is wrong for every port: refused once, before anything is written.
            _settings = Guard(() => new NodeSettings(ToSettings(Setting)));
            _targets = _overSsh ? SshTargets() : new LocalDeploymentTargets();
            _installPath = TargetPathOf(InstallPath, nameof(InstallPath), SshDeploymentTargets.RemoteInstallPath, "conf");
            _dataPath = TargetPathOf(DataPath, nameof(DataPath), SshDeploymentTargets.RemoteDataPath, "data");
            _redisServerPath = RedisServerPath == null ? null : TargetPathOf(RedisServerPath, nameof(RedisServerPath), null, null);
        }

        /// <summary>Plans the nodes of the hosts and ports given (or piped), asking ShouldProcess for each; nothing is reached yet.</summary>
        protected override void ProcessRecord()
        {
            var hosts = ComputerName.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            string remote = _overSsh ? null : hosts.FirstOrDefault(h => !IsThisMachine(h));
            if (remote != null)
            {
                ThrowInvalidArgument("SshParametersMissing",
                    $"'{remote}' is not an address of this machine: deploy to it over SSH with -SshUserName and -SshKeyFile (or -SshCredential).", remote);
            }
            foreach (string host in hosts)
            {
                foreach (int port in Port)
                {
                    var spec = new NodeDeploymentSpec(host, port, _installPath, _dataPath) { Credential = Credentials.ToNetworkCredential(Credential), Settings = _settings };
                    if (!ShouldProcess($"{host}:{port} {_targets.Description} (config {spec.ConfigPath}, data {spec.DataPath})", "Deploy and start Redis cluster node")) continue;
                    if (!_plans.TryGetValue(host, out var nodes))
                    {
                        _plans[host] = nodes = new List<NodeDeploymentSpec>();
                        _hostOrder.Add(host);
                    }
                    nodes.Add(spec);
                }
            }
        }

        /// <summary>Deploys every host at once; one host or node failing stops none of the others, and each failure is an error of its own.</summary>
        protected override void EndProcessing()
        {
            if (_hostOrder.Count == 0) return;
            var plans = _hostOrder.Select(host => new HostDeploymentPlan(host, _plans[host])).ToList();
            var outcomes = Await((token, progress) => NodeDeploymentRun.RunAsync(plans, _targets, _redisServerPath, progress, token));
            foreach (var outcome in outcomes)
            {
                if (outcome.Deployment != null) WriteObject(outcome.Deployment);
                else WriteError(ErrorRecords.From(outcome.Error, outcome.Target));
            }
        }

        private SshDeploymentTargets SshTargets()
        {
            var options = Guard(() => SshOptions.Create(
                SshUserName,
                SshKeyFile == null ? null : GetUnresolvedProviderPathFromPSPath(SshKeyFile),
                Credentials.ToNetworkCredential(SshCredential),
                SshPort,
                KnownHostsPath == null ? null : GetUnresolvedProviderPathFromPSPath(KnownHostsPath),
                AcceptNewHostKey,
                TimeSpan.FromSeconds(SshConnectTimeoutSeconds),
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                Environment.UserName));
            return new SshDeploymentTargets(Guard(() => EngineBridge.CreateSshConnector(options)), options);
        }

        /// <summary>
        /// A path on the hosts: over SSH taken as written (it is the host's, and must be absolute), locally resolved
        /// like any PowerShell path. Without one, the seed's place over SSH, a folder under the home directory locally.
        /// </summary>
        private string TargetPathOf(string given, string parameterName, string remoteDefault, string localFolder)
        {
            if (_overSsh) return Guard(() => SshDeploymentTargets.CheckRemotePath(given ?? remoteDefault, parameterName));
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return GetUnresolvedProviderPathFromPSPath(given ?? Path.Combine(home, "redis-cluster", localFolder));
        }

        private static IEnumerable<KeyValuePair<string, string>> ToSettings(Hashtable table) =>
            table == null
                ? Enumerable.Empty<KeyValuePair<string, string>>()
                : table.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, string>(e.Key.ToString(), LanguagePrimitives.ConvertTo<string>(e.Value)));

        private static bool IsThisMachine(string computerName)
        {
            if (string.Equals(computerName, "localhost", StringComparison.OrdinalIgnoreCase) ||
                string.Equals(computerName, Dns.GetHostName(), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            if (!IPAddress.TryParse(computerName, out var address)) return false;
            if (IPAddress.IsLoopback(address)) return true;
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Any(a => a.Address.Equals(address));
        }
    }
}
