using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Restarts the deployed nodes whose written settings need it, one at a time so that a shard never loses two nodes
    /// at once: replicas first, then masters. A master is restarted in place (SIGTERM makes it save and exit; it comes
    /// back from its own files and nodes.conf as the same node): its role is not handed to a replica first, since no
    /// failover is at hand here, so it restarts last and quickly, before its replicas' failure detection would promote one.
    /// Each node must answer and, in a cluster, see the cluster ok (a replica with its link to its master up) before
    /// the next goes; the first failure stops the sequence and leaves the rest needing their restart.
    /// </summary>
    public static class NodeRestarter
    {
        private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);
        private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

        public static async Task<IReadOnlyList<NodeDeploymentOutcome>> RestartAsync(IReadOnlyList<NodeDeploymentOutcome> outcomes, IDeploymentTargetSource targets,
            INodeConnector connector, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var due = outcomes.Where(o => o.Deployment?.Status == NodeDeploymentStatus.RestartNeeded).Select(o => o.Deployment).ToList();
            if (due.Count == 0) return outcomes;
            var roles = await Task.WhenAll(due.Select(d => IsReplicaAsync(d.Node, connector, cancellationToken))).ConfigureAwait(false);
            var order = due.Select((deployment, i) => (deployment, replica: roles[i])).OrderBy(d => d.replica ? 0 : 1).Select(d => d.deployment).ToList();

            var results = new Dictionary<RedisClusterNodeDeployment, NodeDeploymentOutcome>();
            var opened = new Dictionary<string, IDeploymentTarget>(StringComparer.OrdinalIgnoreCase);
            try
            {
                for (int i = 0; i < order.Count; i++)
                {
                    var deployment = order[i];
                    bool replica = roles[due.IndexOf(deployment)];
                    progress?.Report(new OperationProgress(NodeDeploymentRun.Activity,
                        $"restarting {deployment.EndPoint} ({(replica ? "replica" : "master or alone")}, {i + 1} of {order.Count})", 100 * i / order.Count));
                    try
                    {
                        if (!opened.TryGetValue(deployment.ComputerName, out var target))
                        {
                            opened[deployment.ComputerName] = target = await targets.OpenAsync(deployment.ComputerName, progress, cancellationToken).ConfigureAwait(false);
                        }
                        var service = new NodeService(target);
                        await service.StopAsync(deployment.Node, cancellationToken).ConfigureAwait(false);
                        int processId = await service.StartAsync(deployment.Node, cancellationToken).ConfigureAwait(false);
                        await SettleAsync(deployment.Node, connector, cancellationToken).ConfigureAwait(false);
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
            }
            return outcomes.Select(o => o.Deployment != null && results.TryGetValue(o.Deployment, out var restarted) ? restarted : o).ToList();
        }

        /// <summary>A node that cannot be asked counts as a master: it is restarted last.</summary>
        private static async Task<bool> IsReplicaAsync(DeployedNode node, INodeConnector connector, CancellationToken cancellationToken)
        {
            try
            {
                using (var client = await NodeService.ConnectAsync(node, connector, CommandTimeout, cancellationToken).ConfigureAwait(false))
                {
                    var replication = InfoFields.Parse(await client.CallStringAsync(cancellationToken, "INFO", "replication").ConfigureAwait(false));
                    return replication.Get("role") == "slave";
                }
            }
            catch (RedisClusterException)
            {
                return false;
            }
        }

        /// <summary>
        /// Until the restarted node, if it knows other nodes, reports the cluster ok and, as a replica, its link to its
        /// master up: only then may the next node of the shard go down.
        /// </summary>
        private static async Task SettleAsync(DeployedNode node, INodeConnector connector, CancellationToken cancellationToken)
        {
            var deadline = new Deadline(SettleTimeout);
            using (var client = await NodeService.ConnectAsync(node, connector, CommandTimeout, cancellationToken).ConfigureAwait(false))
            {
                await Poll.UntilAsync(
                    async token =>
                    {
                        var cluster = InfoFields.Parse(await client.CallStringAsync(token, "CLUSTER", "INFO").ConfigureAwait(false));
                        if ((cluster.GetInt64("cluster_known_nodes") ?? 1) <= 1) return PollResult<bool>.Done(true);
                        if (cluster.Get("cluster_state") != "ok") return PollResult<bool>.Waiting("it does not see the cluster ok yet");
                        var replication = InfoFields.Parse(await client.CallStringAsync(token, "INFO", "replication").ConfigureAwait(false));
                        if (replication.Get("role") == "slave" && replication.Get("master_link_status") != "up") return PollResult<bool>.Waiting("its link to its master is not up yet");
                        return PollResult<bool>.Done(true);
                    },
                    deadline,
                    state => new RedisClusterException(FailureKind.Timeout,
                        $"{node.EndPoint} was restarted but had not settled {deadline.Timeout.TotalSeconds:0} s later ({state}); the nodes after it were not restarted.", node.EndPoint)
                        { ErrorId = "NodeRestartNotSettled" },
                    cancellationToken,
                    interval: TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
            }
        }
    }
}
