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
        /// <summary>The host to deploy on, also the address the nodes bind to. This machine's addresses only, for now.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ComputerName { get; set; } = "127.0.0.1";

        /// <summary>The client ports; a port above 55535 is refused by the deployer, which can say why (its bus port).</summary>
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

        protected override void ProcessRecord()
        {
            if (!IsThisMachine(ComputerName))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSNotSupportedException($"'{ComputerName}' is not an address of this machine. New-RedisClusterNode deploys locally (-ServiceManager Process); run it on that host."),
                    "RemoteDeploymentNotSupported", ErrorCategory.NotImplemented, ComputerName));
            }
            // A bad setting is wrong for every port: refused once, before anything is written.
            var settings = Guard(() => new NodeSettings(ToSettings(Setting)));
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            string installPath = GetUnresolvedProviderPathFromPSPath(InstallPath ?? Path.Combine(home, "redis-cluster", "conf"));
            string dataPath = GetUnresolvedProviderPathFromPSPath(DataPath ?? Path.Combine(home, "redis-cluster", "data"));
            var deployer = CreateDeployer();
            var progress = new ProgressRecord(1, "Deploying Redis cluster nodes", ComputerName);
            for (int i = 0; i < Port.Length; i++)
            {
                int port = Port[i];
                progress.StatusDescription = $"{ComputerName}:{port} ({i + 1} of {Port.Length})";
                progress.PercentComplete = 100 * i / Port.Length;
                WriteProgress(progress);
                var spec = new NodeDeploymentSpec(ComputerName, port, installPath, dataPath)
                {
                    Credential = Credentials.ToNetworkCredential(Credential),
                    Settings = settings,
                };
                // One port failing does not stop the others.
                if (!TryAwait(async token => { await deployer.CheckAsync(spec); return true; }, spec.EndPoint.ToString(), out _) ||
                    !ShouldProcess($"{spec.EndPoint} (config {spec.ConfigPath}, data {spec.DataPath})", "Deploy and start Redis cluster node"))
                {
                    continue;
                }
                if (TryAwait(token => deployer.DeployAsync(spec, token), spec.EndPoint.ToString(), out var deployment))
                {
                    WriteObject(deployment);
                }
            }
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }

        private NodeDeployer CreateDeployer()
        {
            string redisServerPath = RedisServerPath == null ? null : GetUnresolvedProviderPathFromPSPath(RedisServerPath);
            return Guard(() => new NodeDeployer(new LocalDeploymentTarget(ComputerName), redisServerPath));
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
