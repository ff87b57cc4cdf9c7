using System;
using System.Collections.Generic;
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
                Report($"preparing, {targets.Description}", 0);
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
}
