using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.NetworkInformation;

namespace RedisCluster.Internal
{
    /// <summary>
    /// What New-, Start- and Stop-RedisClusterNode share: the hosts (-ComputerName), how they are reached (this machine,
    /// or SSH with its parameters), paths on them, and the nodes gathered host by host from every input, worked on
    /// together once all input is in, each failure an error of its own.
    /// </summary>
    public abstract class DeploymentCmdlet<TNode> : RedisClusterCmdlet
    {
        /// <summary>The SSH parameters: any one of them sends the work over SSH, even to this machine.</summary>
        private static readonly string[] SshParameters =
        {
            nameof(SshUserName), nameof(SshKeyFile), nameof(SshCredential), nameof(SshPort), nameof(KnownHostsPath), nameof(AcceptNewHostKey), nameof(SshConnectTimeoutSeconds),
        };

        /// <summary>
        /// The hosts, all at once (with those of every piped object). Without SSH parameters, this machine's names and
        /// addresses only.
        /// </summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] ComputerName { get; set; } = { "127.0.0.1" };

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

        /// <summary>The nodes, host by host in the order first named.</summary>
        private readonly Dictionary<string, List<TNode>> _plans = new Dictionary<string, List<TNode>>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _hostOrder = new List<string>();

        protected bool OverSsh { get; private set; }

        /// <summary>How the hosts are reached; settled in BeginProcessing, before any host is contacted.</summary>
        protected IDeploymentTargetSource Targets { get; private set; }

        protected override void BeginProcessing()
        {
            OverSsh = SshParameters.Any(MyInvocation.BoundParameters.ContainsKey);
            Targets = OverSsh ? SshTargets() : new LocalDeploymentTargets();
        }

        /// <summary>The hosts of this input, each once; without SSH parameters a host that is not this machine is refused.</summary>
        protected IReadOnlyList<string> Hosts()
        {
            var hosts = ComputerName.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            string remote = OverSsh ? null : hosts.FirstOrDefault(h => !IsThisMachine(h));
            if (remote != null)
            {
                ThrowInvalidArgument("SshParametersMissing",
                    $"'{remote}' is not an address of this machine: reach it over SSH with -SshUserName and -SshKeyFile (or -SshCredential).", remote);
            }
            return hosts;
        }

        protected void Plan(string host, TNode node)
        {
            if (!_plans.TryGetValue(host, out var nodes))
            {
                _plans[host] = nodes = new List<TNode>();
                _hostOrder.Add(host);
            }
            nodes.Add(node);
        }

        /// <summary>Every host's nodes, in the order the hosts were first named.</summary>
        protected IReadOnlyList<HostPlan<TNode>> Plans => _hostOrder.Select(host => new HostPlan<TNode>(host, _plans[host])).ToList();

        /// <summary>Each node done is written; each failure, of a node or of a whole host, is a non-terminating error naming it.</summary>
        protected void WriteOutcomes(IEnumerable<NodeDeploymentOutcome> outcomes)
        {
            foreach (var outcome in outcomes)
            {
                if (outcome.Deployment != null) WriteObject(outcome.Deployment);
                else WriteError(ErrorRecords.From(outcome.Error, outcome.Target));
            }
        }

        /// <summary>
        /// A path on the hosts: over SSH taken as written (it is the host's, and must be absolute), locally resolved
        /// like any PowerShell path. Without one, the recipe's place over SSH, a folder under the home directory locally.
        /// </summary>
        protected string TargetPathOf(string given, string parameterName, string remoteDefault, string localFolder)
        {
            if (OverSsh) return Guard(() => SshDeploymentTargets.CheckRemotePath(given ?? remoteDefault, parameterName));
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return GetUnresolvedProviderPathFromPSPath(given ?? Path.Combine(home, "redis-cluster", localFolder));
        }

        /// <summary>A path on the hosts with no default of its own (null stays null).</summary>
        protected string OptionalTargetPathOf(string given, string parameterName) =>
            given == null ? null : OverSsh ? Guard(() => SshDeploymentTargets.CheckRemotePath(given, parameterName)) : GetUnresolvedProviderPathFromPSPath(given);

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
