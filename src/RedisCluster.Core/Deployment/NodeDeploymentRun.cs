using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>What one host is to have done: its nodes, in order.</summary>
    public sealed class HostPlan<TNode>
    {
        public HostPlan(string computerName, IReadOnlyList<TNode> nodes)
        {
            ComputerName = computerName;
            Nodes = nodes;
        }

        public string ComputerName { get; }
        public IReadOnlyList<TNode> Nodes { get; }
    }

    /// <summary>How one node's deployment, start or stop ended, or one host's when the host could not be reached or used.</summary>
    public sealed class NodeDeploymentOutcome
    {
        private NodeDeploymentOutcome(string target, RedisClusterNodeDeployment deployment, Exception error)
        {
            Target = target;
            Deployment = deployment;
            Error = error;
        }

        /// <summary>What failed or was done: the node's endpoint, or the host's name for a failure of the whole host.</summary>
        public string Target { get; }

        /// <summary>The node as it now is; null on failure.</summary>
        public RedisClusterNodeDeployment Deployment { get; }
        public Exception Error { get; }

        internal static NodeDeploymentOutcome Done(RedisClusterNodeDeployment deployment) => new NodeDeploymentOutcome(deployment.EndPoint, deployment, null);
        internal static NodeDeploymentOutcome Failed(string target, Exception error) => new NodeDeploymentOutcome(target, null, error);
    }

    /// <summary>
    /// Works on every host at once, each host's nodes one after another: a host that cannot be reached, or a node
    /// that fails, is an outcome of its own and stops nothing else. Each host reports its progress under an activity
    /// of its own. Only stopping (Ctrl+C) ends the run early.
    /// </summary>
    public static class HostRun
    {
        /// <param name="prepare">Readies a reached host (finds its programs) and returns the work for one of its nodes.</param>
        /// <param name="describe">What is being done to a node, for progress: "deploying port 6379".</param>
        /// <param name="failureTarget">What a node's failure is about (its endpoint, once the host's address is known).</param>
        /// <returns>The outcomes host by host in the plans' order, each host's nodes in theirs.</returns>
        public static async Task<IReadOnlyList<NodeDeploymentOutcome>> RunAsync<TNode>(IReadOnlyList<HostPlan<TNode>> hosts, IDeploymentTargetSource targets, string activity,
            Func<IDeploymentTarget, CancellationToken, Task<Func<TNode, CancellationToken, Task<RedisClusterNodeDeployment>>>> prepare,
            Func<TNode, string> describe, Func<IDeploymentTarget, TNode, string> failureTarget,
            IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var runs = hosts.Select((host, index) => RunHostAsync(host, index, targets, activity, prepare, describe, failureTarget, progress, cancellationToken)).ToList();
            var outcomes = await Task.WhenAll(runs).ConfigureAwait(false);
            return outcomes.SelectMany(o => o).ToList();
        }

        private static async Task<IReadOnlyList<NodeDeploymentOutcome>> RunHostAsync<TNode>(HostPlan<TNode> host, int index, IDeploymentTargetSource targets, string activity,
            Func<IDeploymentTarget, CancellationToken, Task<Func<TNode, CancellationToken, Task<RedisClusterNodeDeployment>>>> prepare,
            Func<TNode, string> describe, Func<IDeploymentTarget, TNode, string> failureTarget,
            IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            // Write-Progress ids 1, 2, ...: one line per host.
            void Report(string status, int done) =>
                progress?.Report(new OperationProgress(activity, $"{host.ComputerName}: {status}", 100 * done / Math.Max(1, host.Nodes.Count)) { ActivityId = index + 1 });

            var outcomes = new List<NodeDeploymentOutcome>();
            IDeploymentTarget target = null;
            try
            {
                Report($"connecting, {targets.Description}", 0);
                target = await targets.OpenAsync(host.ComputerName, progress, cancellationToken).ConfigureAwait(false);
                var work = await prepare(target, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < host.Nodes.Count; i++)
                {
                    var node = host.Nodes[i];
                    Report($"{describe(node)} ({i + 1} of {host.Nodes.Count})", i);
                    try
                    {
                        outcomes.Add(NodeDeploymentOutcome.Done(await work(node, cancellationToken).ConfigureAwait(false)));
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        outcomes.Add(NodeDeploymentOutcome.Failed(failureTarget(target, node), e));
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

    /// <summary>New-RedisClusterNode's work: every host's nodes brought to their specs, then, when asked, the nodes that need it restarted.</summary>
    public static class NodeDeploymentRun
    {
        public const string Activity = "Deploying Redis cluster nodes";

        /// <param name="connector">Reaches running nodes: changed settings, roles, a restarted node's cluster state.</param>
        /// <param name="restart">Restart the nodes whose changes need it (replicas first, masters last).</param>
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
            if (restart) text.Append('\n').Append("  then restart the nodes whose changed settings need it, one at a time: replicas first, masters last");
            return text.ToString();
        }
    }
}
