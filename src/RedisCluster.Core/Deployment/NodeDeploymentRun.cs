using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>New-RedisClusterNode's work: every host's nodes brought to their specs, then, when asked, the nodes that need it restarted.</summary>
    public static class NodeDeploymentRun
    {
        public const string Activity = "Deploying Redis cluster nodes";

        /// <param name="connector">Reaches running nodes: changed settings, roles, a restarted node's cluster state.</param>
        /// <param name="restart">Restart the nodes whose changes need it (replicas first, then masters, each handing its slots to a replica first when it can).</param>
        public static async Task<IReadOnlyList<NodeDeploymentOutcome>> RunAsync(IReadOnlyList<HostPlan<NodeDeploymentSpec>> hosts, IDeploymentTargetSource targets,
            string redisServerPath, INodeConnector connector, bool restart, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var outcomes = await HostRun.RunAsync(hosts, targets, Activity,
                async (target, token) =>
                {
                    var deployer = await NodeDeployer.CreateAsync(target, connector, redisServerPath, token).ConfigureAwait(false);
                    return (spec, nodeToken) =>
                    {
                        spec.Address = target.Address;
                        return deployer.DeployAsync(spec, nodeToken);
                    };
                },
                spec => $"deploying port {spec.Port.ToString(CultureInfo.InvariantCulture)}",
                (target, spec) => spec.EndPoint.ToString(),
                progress, cancellationToken).ConfigureAwait(false);
            return restart ? await NodeRestarter.RestartAsync(outcomes, targets, connector, progress, cancellationToken).ConfigureAwait(false) : outcomes;
        }

        /// <summary>What a run would do on one host, for -WhatIf and -Confirm: every node with its files and commands.</summary>
        /// <param name="reached">How the host is reached (an <see cref="IDeploymentTargetSource.Description"/>).</param>
        public static string Describe(HostPlan<NodeDeploymentSpec> host, string reached, string redisServerPath, bool restart)
        {
            var text = new System.Text.StringBuilder();
            text.Append($"Deploy {host.Nodes.Count} Redis cluster node{(host.Nodes.Count == 1 ? string.Empty : "s")} on {host.ComputerName} {reached}:");
            foreach (var spec in host.Nodes)
            {
                text.Append('\n').Append($"  port {spec.Port.ToString(CultureInfo.InvariantCulture)} ({spec.ServiceManager})");
                foreach (string step in NodeDeployer.Steps(spec, redisServerPath)) text.Append('\n').Append("    ").Append(step);
            }
            if (restart)
            {
                foreach (string step in NodeRestartPlanner.Steps) text.Append('\n').Append("  ").Append(step);
            }
            return text.ToString();
        }
    }
}
