using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Optimize-RedisClusterPlacement's engine: plans from a settled cluster with the hosts Test-RedisCluster would
    /// use, then carries out one step at a time (Default failovers, replica moves), each only after the cluster has
    /// settled from the one before and only while the node is still where the plan found it.
    /// </summary>
    public sealed class ClusterPlacer
    {
        private const string Activity = "Optimizing Redis cluster placement";

        private readonly RedisClusterConnection _connection;
        private readonly HostResolver _hosts;

        public ClusterPlacer(RedisClusterConnection connection, HostResolver hosts)
        {
            _connection = connection;
            _hosts = hosts;
        }

        /// <summary>Reads every node and plans, changing nothing. A cluster that has not settled is refused: its placement is still moving.</summary>
        public async Task<PlacementPlan> PlanAsync(CancellationToken cancellationToken)
        {
            var snapshot = await ClusterSnapshot.ReadAsync(_connection, cancellationToken).ConfigureAwait(false);
            var problems = snapshot.SettledProblems().ToList();
            if (problems.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"The cluster has not settled, so its placement is not planned: {string.Join("; ", problems)}. Wait-RedisCluster waits for it; nothing was changed.")
                { ErrorId = "ClusterNotReady" };
            }
            var hostOf = await ClusterHealthReadings.ResolveHostsAsync(snapshot, _hosts).ConfigureAwait(false);
            return PlacementOptimizer.Plan(PlacedNodes.From(snapshot.Reference, e => hostOf.TryGetValue(e, out var host) ? host : e.Host));
        }

        /// <summary>Carries out one step and waits until the cluster has settled from it.</summary>
        public async Task<PlacementStep> ApplyAsync(PlacementStep step, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var nodeId = NodeId.Parse(step.NodeId);
            if (step.Action == PlacementAction.Failover)
            {
                var runner = new FailoverRunner(_connection);
                var plan = await runner.PlanForReplicaAsync(nodeId, FailoverMode.Default, cancellationToken).ConfigureAwait(false);
                if (plan.Master.NodeId != step.FromId) throw Changed(step);
                await runner.ApplyAsync(plan, deadline, progress, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var cluster = (await ClusterSnapshot.ReadAsync(_connection, cancellationToken).ConfigureAwait(false)).Reference;
                var node = cluster.Find(nodeId);
                var master = cluster.Find(NodeId.Parse(step.ToId));
                if (node?.MasterId != step.FromId || master == null) throw Changed(step);
                var assigner = new ReplicaAssigner(_connection);
                var plan = await assigner.PlanAsync(cluster, node, master, cancellationToken).ConfigureAwait(false);
                await assigner.ApplyAsync(plan, deadline, progress, cancellationToken).ConfigureAwait(false);
            }
            await ClusterWait.UntilAsync(token => ClusterSnapshot.ReadAsync(_connection, token), s => s.SettledProblems(), deadline,
                $"Waiting for the cluster to settle after step {step.Step}", 90, progress, cancellationToken,
                "The step itself is done; running Optimize-RedisClusterPlacement again once Wait-RedisCluster returns goes on from there.").ConfigureAwait(false);
            return step;
        }

        private static RedisClusterException Changed(PlacementStep step) =>
            new RedisClusterException(FailureKind.InvalidState,
                $"{step.EndPoint} is no longer a replica of {step.From} as the plan found it: the cluster changed while it was being placed. " +
                "The steps before this one are done; run Optimize-RedisClusterPlacement again to plan from the cluster as it is now.")
            { ErrorId = "PlacementChanged" };
    }
}
