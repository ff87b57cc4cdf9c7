using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Net.NetworkInformation;

namespace RedisCluster.Internal
{
    /// <summary>
    /// What New-, Start- and Stop-RedisClusterNode share: the hosts (-ComputerName), how they are reached (this machine,
    /// SSH with its parameters, or the PowerShell sessions of -Session), paths on them, and the nodes gathered host by
    /// host from every input, worked on together once all input is in, each failure an error of its own.
    /// </summary>
    public abstract class DeploymentCmdlet<TNode> : RedisClusterCmdlet
    {
        /// <summary>Hosts by name: this machine, or over SSH.</summary>
        protected const string ComputerNameSet = "ComputerName";

        /// <summary>Hosts through PowerShell sessions the caller opened.</summary>
        protected const string SessionSet = "Session";

        /// <summary>The SSH parameters: any one of them sends the work over SSH, even to this machine.</summary>
        private static readonly string[] SshParameters =
        {
            nameof(SshUserName), nameof(SshKeyFile), nameof(SshCredential), nameof(SshPort), nameof(KnownHostsPath), nameof(AcceptNewHostKey), nameof(SshConnectTimeoutSeconds),
        };

        /// <summary>
        /// The hosts, all at once (with those of every piped object); 127.0.0.1 when not given. Without SSH parameters,
        /// this machine's names and addresses only. With -Session, which of the sessions' hosts (a piped deployment's).
        /// </summary>
        [Parameter(ParameterSetName = ComputerNameSet, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = SessionSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] ComputerName { get; set; }

        /// <summary>
        /// PowerShell sessions to the hosts (New-PSSession -HostName ..., over SSH, or WinRM), opened: the work is done
        /// through them on the far side, which needs a POSIX shell and redis-server. Each session's ComputerName is its host.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = SessionSet)]
        [ValidateNotNullOrEmpty]
        public PSSession[] Session { get; set; }

        /// <summary>The SSH login; by default the -SshCredential's user, else the local user.</summary>
        [Parameter(ParameterSetName = ComputerNameSet)]
        [ValidateNotNullOrEmpty]
        public string SshUserName { get; set; }

        /// <summary>An OpenSSH private key (ed25519, ecdsa, rsa); its passphrase, if any, is -SshCredential's password.</summary>
        [Parameter(ParameterSetName = ComputerNameSet)]
        [ValidateNotNullOrEmpty]
        public string SshKeyFile { get; set; }

        /// <summary>Without -SshKeyFile the SSH login and password; with it, the key's passphrase.</summary>
        [Parameter(ParameterSetName = ComputerNameSet)]
        [Credential]
        public PSCredential SshCredential { get; set; }

        [Parameter(ParameterSetName = ComputerNameSet)]
        [ValidateRange(1, NodeDeploymentSpec.HighestPort)]
        public int SshPort { get; set; } = KnownHostsFile.DefaultSshPort;

        /// <summary>The OpenSSH known_hosts file host keys are checked against; ~/.ssh/known_hosts by default.</summary>
        [Parameter(ParameterSetName = ComputerNameSet)]
        [ValidateNotNullOrEmpty]
        public string KnownHostsPath { get; set; }

        /// <summary>Trust a host whose key is not known yet and record its key; a changed key is refused all the same.</summary>
        [Parameter(ParameterSetName = ComputerNameSet)]
        public SwitchParameter AcceptNewHostKey { get; set; }

        /// <summary>Seconds to reach a host, check its key and log in before calling it unreachable.</summary>
        [Parameter(ParameterSetName = ComputerNameSet)]
        [ValidateRange(1, 300)]
        public int SshConnectTimeoutSeconds { get; set; } = 10;

        /// <summary>The nodes, host by host in the order first named.</summary>
        private readonly Dictionary<string, List<TNode>> _plans = new Dictionary<string, List<TNode>>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _hostOrder = new List<string>();

        /// <summary>Whether the hosts are remote (over SSH or through sessions): their paths are theirs, absolute POSIX paths.</summary>
        protected bool IsRemote { get; private set; }

        /// <summary>How the hosts are reached; settled in BeginProcessing, before any host is contacted.</summary>
        protected IDeploymentTargetSource Targets { get; private set; }

        /// <summary>The sessions of -Session by host name, each checked to be open.</summary>
        private Dictionary<string, PSSession> _sessions;

        protected override void BeginProcessing()
        {
            if (ParameterSetName == SessionSet)
            {
                _sessions = CheckSessions(Session);
                IsRemote = true;
                Targets = new SessionDeploymentTargets(_sessions.Select(s => new KeyValuePair<string, IRemoteSession>(s.Key, new PSSessionRemote(s.Value))));
                return;
            }
            IsRemote = SshParameters.Any(MyInvocation.BoundParameters.ContainsKey);
            Targets = IsRemote ? SshTargets() : new LocalDeploymentTargets();
        }

        /// <summary>
        /// The hosts of this input, each once. Without SSH parameters a host that is not this machine is refused; with
        /// -Session, a host no session reaches.
        /// </summary>
        protected IReadOnlyList<string> Hosts()
        {
            if (_sessions != null)
            {
                var named = (ComputerName ?? _sessions.Keys.ToArray()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                string unreached = named.FirstOrDefault(h => !_sessions.ContainsKey(h));
                if (unreached != null)
                {
                    ThrowInvalidArgument("SessionNotFound", $"No session given with -Session reaches '{unreached}': give one whose ComputerName is {unreached}.", unreached);
                }
                // As the sessions name their hosts.
                return named.Select(h => _sessions[h].ComputerName).ToList();
            }
            var hosts = (ComputerName ?? new[] { "127.0.0.1" }).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            string remote = IsRemote ? null : hosts.FirstOrDefault(h => !IsThisMachine(h));
            if (remote != null)
            {
                ThrowInvalidArgument("SshParametersMissing",
                    $"'{remote}' is not an address of this machine: reach it over SSH with -SshUserName and -SshKeyFile (or -SshCredential), or through a PowerShell session with -Session.", remote);
            }
            return hosts;
        }

        /// <summary>
        /// Every session must be open before anything is done, and reach a host of its own: a runspace runs one
        /// pipeline at a time, and two sessions to one host would deploy it twice.
        /// </summary>
        private Dictionary<string, PSSession> CheckSessions(IEnumerable<PSSession> sessions)
        {
            var byHost = new Dictionary<string, PSSession>(StringComparer.OrdinalIgnoreCase);
            foreach (var session in sessions.Distinct())
            {
                var state = session.Runspace.RunspaceStateInfo.State;
                if (state != RunspaceState.Opened)
                {
                    ThrowInvalidArgument("SessionNotOpened",
                        $"The PowerShell session {session.Name} (Id {session.Id}) to {session.ComputerName} is {state}, not Opened: open a new one (New-PSSession) and run again. Nothing was changed.",
                        session);
                }
                if (byHost.TryGetValue(session.ComputerName, out var other) && other.InstanceId != session.InstanceId)
                {
                    ThrowInvalidArgument("SessionHostRepeated",
                        $"The PowerShell sessions {other.Name} and {session.Name} both reach {session.ComputerName}: give one session per host.", session);
                }
                byHost[session.ComputerName] = session;
            }
            return byHost;
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
        /// A path on the hosts: on remote hosts taken as written (it is the host's, and must be absolute), locally
        /// resolved like any PowerShell path. Without one, the recipe's place on remote hosts, a folder under the home
        /// directory locally.
        /// </summary>
        protected string TargetPathOf(string given, string parameterName, string remoteDefault, string localFolder)
        {
            if (IsRemote) return Guard(() => SshDeploymentTargets.CheckRemotePath(given ?? remoteDefault, parameterName));
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return GetUnresolvedProviderPathFromPSPath(given ?? Path.Combine(home, "redis-cluster", localFolder));
        }

        /// <summary>A path on the hosts with no default of its own (null stays null).</summary>
        protected string OptionalTargetPathOf(string given, string parameterName) =>
            given == null ? null : IsRemote ? Guard(() => SshDeploymentTargets.CheckRemotePath(given, parameterName)) : GetUnresolvedProviderPathFromPSPath(given);

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
