using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>The nodes one host is to get.</summary>
    public sealed class HostDeploymentPlan
    {
        public HostDeploymentPlan(string computerName, IReadOnlyList<NodeDeploymentSpec> nodes)
        {
            ComputerName = computerName;
            Nodes = nodes;
        }

        public string ComputerName { get; }
        public IReadOnlyList<NodeDeploymentSpec> Nodes { get; }
    }

    /// <summary>How one node's deployment ended, or one host's when the host could not be reached or used.</summary>
    public sealed class NodeDeploymentOutcome
    {
        private NodeDeploymentOutcome(string target, RedisClusterNodeDeployment deployment, Exception error)
        {
            Target = target;
            Deployment = deployment;
            Error = error;
        }

        /// <summary>What failed or was deployed: the node's endpoint, or the host's name for a failure of the whole host.</summary>
        public string Target { get; }

        /// <summary>The deployed node; null on failure.</summary>
        public RedisClusterNodeDeployment Deployment { get; }
        public Exception Error { get; }

        internal static NodeDeploymentOutcome Deployed(RedisClusterNodeDeployment deployment) => new NodeDeploymentOutcome(deployment.EndPoint, deployment, null);
        internal static NodeDeploymentOutcome Failed(string target, Exception error) => new NodeDeploymentOutcome(target, null, error);
    }

    /// <summary>
    /// Deploys to every host at once, each host's nodes one after another: a host that cannot be reached, or a
    /// node that fails, is an outcome of its own and stops nothing else. Each host reports its progress under
    /// an activity of its own. Only stopping (Ctrl+C) ends the run early.
    /// </summary>
    public static class NodeDeploymentRun
    {
        public const string Activity = "Deploying Redis cluster nodes";

        /// <returns>The outcomes host by host in the plans' order, each host's nodes in theirs.</returns>
        public static async Task<IReadOnlyList<NodeDeploymentOutcome>> RunAsync(IReadOnlyList<HostDeploymentPlan> hosts, IDeploymentTargetSource targets,
            string redisServerPath, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var runs = hosts.Select((host, index) => DeployHostAsync(host, index, targets, redisServerPath, progress, cancellationToken)).ToList();
            var outcomes = await Task.WhenAll(runs).ConfigureAwait(false);
            return outcomes.SelectMany(o => o).ToList();
        }

        private static async Task<IReadOnlyList<NodeDeploymentOutcome>> DeployHostAsync(HostDeploymentPlan host, int index, IDeploymentTargetSource targets,
            string redisServerPath, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            // Write-Progress ids 1, 2, ...: one line per host.
            void Report(string status, int done) =>
                progress?.Report(new OperationProgress(Activity, $"{host.ComputerName}: {status}", 100 * done / Math.Max(1, host.Nodes.Count)) { ActivityId = index + 1 });

            var outcomes = new List<NodeDeploymentOutcome>();
            IDeploymentTarget target = null;
            try
            {
                Report($"preparing, {targets.Description}", 0);
                target = await targets.OpenAsync(host.ComputerName, progress, cancellationToken).ConfigureAwait(false);
                var deployer = await NodeDeployer.CreateAsync(target, redisServerPath, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < host.Nodes.Count; i++)
                {
                    var spec = host.Nodes[i];
                    spec.Address = target.Address;
                    Report($"deploying {spec.EndPoint} ({i + 1} of {host.Nodes.Count})", i);
                    try
                    {
                        outcomes.Add(NodeDeploymentOutcome.Deployed(await deployer.DeployAsync(spec, cancellationToken).ConfigureAwait(false)));
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        outcomes.Add(NodeDeploymentOutcome.Failed(spec.EndPoint.ToString(), e));
                    }
                }
                Report("done", host.Nodes.Count);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                outcomes.Add(NodeDeploymentOutcome.Failed(host.ComputerName, e));
            }
            finally
            {
                target?.Dispose();
            }
            return outcomes;
        }
    }
}
