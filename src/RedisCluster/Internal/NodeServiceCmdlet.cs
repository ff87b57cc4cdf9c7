using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster.Internal
{
    /// <summary>
    /// Start- and Stop-RedisClusterNode: deployed nodes named by host and port (or piped from New-RedisClusterNode),
    /// found by their config on the host, run with systemctl or as a plain process as the host's unit file says.
    /// </summary>
    public abstract class NodeServiceCmdlet : DeploymentCmdlet<NodeServiceRequest>
    {
        /// <summary>The client ports of the nodes, the same on every host.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, NodeDeploymentSpec.HighestPort)]
        public int[] Port { get; set; }

        /// <summary>Where the redis_PORT.conf files are, as New-RedisClusterNode was given it.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string InstallPath { get; set; }

        /// <summary>How the nodes are run; by default systemd when the host has the port's unit file, else a plain process.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public NodeServiceManager? ServiceManager { get; set; }

        /// <summary>Where the units are; /etc/systemd/system by default.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string SystemdUnitPath { get; set; }

        /// <summary>redis-server on the hosts, for nodes run as a plain process; by default the one on the host's PATH.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string RedisServerPath { get; set; }

        /// <summary>"Start" or "Stop", for -WhatIf.</summary>
        protected abstract string Action { get; }

        protected abstract Task<IReadOnlyList<NodeDeploymentOutcome>> RunAsync(IReadOnlyList<HostPlan<NodeServiceRequest>> hosts, IProgress<OperationProgress> progress, CancellationToken cancellationToken);

        protected override void ProcessRecord()
        {
            // Piped deployments bind their own paths, null where they have none: each record's are read anew.
            string installPath = TargetPathOf(string.IsNullOrEmpty(InstallPath) ? null : InstallPath, nameof(InstallPath), SshDeploymentTargets.RemoteInstallPath, "conf");
            string unitDirectory = OptionalTargetPathOf(string.IsNullOrEmpty(SystemdUnitPath) ? SystemdUnit.DefaultDirectory : SystemdUnitPath, nameof(SystemdUnitPath));
            string redisServerPath = OptionalTargetPathOf(string.IsNullOrEmpty(RedisServerPath) ? null : RedisServerPath, nameof(RedisServerPath));
            foreach (string host in Hosts())
            {
                foreach (int port in Port)
                {
                    var request = new NodeServiceRequest(port, installPath) { ServiceManager = ServiceManager, SystemdUnitDirectory = unitDirectory, RedisServerPath = redisServerPath };
                    string how = ServiceManager == null ? "with systemctl if the host has its unit, else as a process" : ServiceManager == NodeServiceManager.Systemd ? "with systemctl" : "as a process";
                    if (!ShouldProcess($"{host}:{port} {Targets.Description} (config {request.ConfigPath}, {how})", $"{Action} Redis cluster node")) continue;
                    Plan(host, request);
                }
            }
        }

        protected override void EndProcessing()
        {
            if (Plans.Count == 0) return;
            WriteOutcomes(Await((token, progress) => RunAsync(Plans, progress, token)));
        }
    }
}
