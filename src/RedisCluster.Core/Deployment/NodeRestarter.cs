using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Restarts the deployed nodes whose written settings need it, one at a time so that a shard never loses two nodes
    /// at once: nodes in no cluster and replicas first, then masters. A master that owns slots first hands them to its
    /// best replica with a Default failover (the one Invoke-RedisFailover makes: no acknowledged write is lost) and then
    /// restarts as a replica; it does not get its role back (where masters sit is Optimize-RedisClusterPlacement's
    /// business). A master no replica can take over from restarts in place, with a warning that its slots are
    /// unavailable meanwhile. Each node must be back in its cluster (<see cref="ClusterSnapshot.RejoinProblems"/>)
    /// before the next goes; the first failure stops the sequence and leaves the rest needing their restart.
    /// </summary>
    public static class NodeRestarter
    {
        private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(60);
        private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(60);
        private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

        /// <summary>A node due for its restart, with the cluster connection it is looked at through (null: it could not be asked).</summary>
        private sealed class DueNode
        {
            public RedisClusterNodeDeployment Deployment;
            public RedisClusterConnection Cluster;
            public NodeRestartKind? Kind;
            public RedisClusterException Unreachable;
        }

        public static async Task<IReadOnlyList<NodeDeploymentOutcome>> RestartAsync(IReadOnlyList<NodeDeploymentOutcome> outcomes, IDeploymentTargetSource targets,
            INodeConnector connector, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var due = outcomes.Where(o => o.Deployment?.Status == NodeDeploymentStatus.RestartNeeded).Select(o => new DueNode { Deployment = o.Deployment }).ToList();
            if (due.Count == 0) return outcomes;

            var results = new Dictionary<RedisClusterNodeDeployment, NodeDeploymentOutcome>();
            var clusters = new List<(RedisClusterConnection Connection, ClusterTopology View)>();
            var opened = new Dictionary<string, IDeploymentTarget>(StringComparer.OrdinalIgnoreCase);
            try
            {
                foreach (var node in due) await LookAtAsync(node, clusters, connector, cancellationToken).ConfigureAwait(false);
                var order = NodeRestartPlanner.Order(due, n => n.Kind);
                for (int i = 0; i < order.Count; i++)
                {
                    var node = order[i];
                    var deployment = node.Deployment;
                    try
                    {
                        if (node.Unreachable != null) throw node.Unreachable;
                        if (!opened.TryGetValue(deployment.ComputerName, out var target))
                        {
                            opened[deployment.ComputerName] = target = await targets.OpenAsync(deployment.ComputerName, progress, cancellationToken).ConfigureAwait(false);
                        }
                        int processId = await RestartAsync(node, new NodeService(target), i + 1, order.Count, progress, cancellationToken).ConfigureAwait(false);
                        results[deployment] = NodeDeploymentOutcome.Done(deployment.With(NodeDeploymentStatus.Restarted, processId));
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        // The others keep their RestartNeeded: the next run, or -Restart again, takes them.
                        results[deployment] = NodeDeploymentOutcome.Failed(deployment.EndPoint, e);
                        break;
                    }
                }
            }
            finally
            {
                foreach (var target in opened.Values) target.Dispose();
                foreach (var cluster in clusters) cluster.Connection.Dispose();
            }
            return outcomes.Select(o => o.Deployment != null && results.TryGetValue(o.Deployment, out var restarted) ? restarted : o).ToList();
        }

        /// <summary>
        /// Finds what the node is, for the order, through a connection to its cluster: one already open whose view lists
        /// it, else a new one through the node itself. A node that cannot be asked is not restarted: its turn comes last
        /// and reports why.
        /// </summary>
        private static async Task LookAtAsync(DueNode node, List<(RedisClusterConnection Connection, ClusterTopology View)> clusters, INodeConnector connector,
            CancellationToken cancellationToken)
        {
            var endPoint = node.Deployment.Node.EndPoint;
            var known = clusters.FirstOrDefault(c => c.View.Nodes.Count > 1 && c.View.Find(endPoint) != null);
            if (known.Connection != null)
            {
                node.Cluster = known.Connection;
                node.Kind = NodeRestartPlanner.Classify(known.View, endPoint);
                return;
            }
            RedisClusterConnection opened = null;
            try
            {
                var settings = await NodeService.SettingsAsync(node.Deployment.Node, CommandTimeout, cancellationToken).ConfigureAwait(false);
                opened = await RedisClusterConnection.OpenAsync(settings, connector, cancellationToken, readTopology: false).ConfigureAwait(false);
                var view = await opened.GetTopologyAsync(cancellationToken).ConfigureAwait(false);
                clusters.Add((opened, view));
                node.Cluster = opened;
                node.Kind = NodeRestartPlanner.Classify(view, endPoint);
            }
            catch (RedisClusterException e)
            {
                opened?.Dispose();
                node.Unreachable = new RedisClusterException(e.Kind,
                    $"{endPoint} needs a restart but could not be asked what it is in its cluster ({e.Message}); it was not restarted.", endPoint, e) { ErrorId = e.ErrorId };
            }
        }

        /// <summary>
        /// Plans the node's restart from a read of its cluster made now (roles change as the sequence goes), hands a
        /// master's slots over first when it can, restarts it, and waits until it is back in its cluster.
        /// </summary>
        private static async Task<int> RestartAsync(DueNode node, NodeService service, int number, int count, IProgress<OperationProgress> progress,
            CancellationToken cancellationToken)
        {
            var deployed = node.Deployment.Node;
            int percent = 100 * (number - 1) / count;
            var step = node.Kind == NodeRestartKind.Alone
                ? NodeRestartPlanner.Alone(deployed.EndPoint)
                : NodeRestartPlanner.Plan(await ClusterSnapshot.ReadAsync(node.Cluster, cancellationToken).ConfigureAwait(false), deployed.EndPoint);
            if (step.HandOver != null)
            {
                progress?.Report(new OperationProgress(NodeDeploymentRun.Activity, step.DescribeHandOver(number, count), percent));
                await new FailoverRunner(node.Cluster).ApplyAsync(step.HandOver, new Deadline(FailoverTimeout), progress, cancellationToken).ConfigureAwait(false);
            }
            if (step.Warning != null) progress?.Report(OperationProgress.Warning(step.Warning));
            progress?.Report(new OperationProgress(NodeDeploymentRun.Activity, step.DescribeRestart(number, count), percent));
            await service.StopAsync(deployed, cancellationToken).ConfigureAwait(false);
            int processId = await service.StartAsync(deployed, cancellationToken).ConfigureAwait(false);
            if (step.Kind != NodeRestartKind.Alone)
            {
                await ClusterWait.UntilAsync(token => ClusterSnapshot.ReadAsync(node.Cluster, token), snapshot => snapshot.RejoinProblems(deployed.EndPoint),
                    new Deadline(RejoinTimeout), $"Waiting for {deployed.EndPoint} to be back in its cluster", percent, progress, cancellationToken,
                    "The nodes after it in the sequence were not restarted; they still need their restart.").ConfigureAwait(false);
            }
            return processId;
        }
    }
}
