using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Makes a node a replica of a master (CLUSTER REPLICATE) and waits until it is a usable copy: its own INFO
    /// names the new master's address with the link up and the first sync over, and every node that answers
    /// lists it under that master. A replica still in its first sync is never taken for a usable one.
    /// </summary>
    public sealed class ReplicaAssigner
    {
        private const string Activity = "Setting a Redis cluster replica";

        private readonly RedisClusterConnection _connection;

        public ReplicaAssigner(RedisClusterConnection connection) => _connection = connection;

        /// <summary>Reads the node's own state and plans, changing nothing; refusals are thrown.</summary>
        public async Task<ReplicaPlan> PlanAsync(ClusterTopology cluster, RedisClusterNode node, RedisClusterNode master, CancellationToken cancellationToken)
        {
            var endPoint = node.ToEndPoint() ?? throw new RedisClusterException(FailureKind.InvalidState,
                $"The cluster knows no address for {node.Id.Short}: it cannot be asked to replicate anything.") { ErrorId = "NodeWithoutAddress" };
            var state = (await ClusterSnapshot.ReadAsync(_connection, new[] { endPoint }, cancellationToken).ConfigureAwait(false)).Nodes[0];
            if (!state.IsReachable) throw state.Failure;
            return ReplicaPlanner.Plan(cluster, state.View, state.KeyCount, endPoint, master);
        }

        /// <summary>Applies the plan; returns the node as it then sees itself.</summary>
        public Task<RedisClusterNode> ApplyAsync(ReplicaPlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            // The master holds a replica's first sync back by its diskless sync delay (5 s by default) for more
            // replicas to share it: it starts this one at once, and gets its own value back on every way out.
            var syncSource = plan.IsAlreadyDone || plan.Master.ToEndPoint() == null ? new NodeEndPoint[0] : new[] { plan.Master.ToEndPoint() };
            return NodeTimeoutOverride.RunAsync(_connection, new NodeEndPoint[0], syncSource, token => ReplicateAsync(plan, deadline, progress, token), progress, cancellationToken);
        }

        private async Task<RedisClusterNode> ReplicateAsync(ReplicaPlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            if (!plan.IsAlreadyDone)
            {
                progress?.Report(new OperationProgress(Activity, $"Making {plan.EndPoint} a replica of {plan.Master.EndPoint}", 10));
                var client = await _connection.GetNodeAsync(plan.EndPoint, cancellationToken).ConfigureAwait(false);
                await client.CallAsync(cancellationToken, "CLUSTER", "REPLICATE", plan.Master.NodeId).ConfigureAwait(false);
            }
            var link = new[] { (plan.Node.Id, plan.Master) };
            var relation = new[] { (plan.Node.Id, plan.Master.Id) };
            var settled = await ClusterWait.UntilAsync(token => ClusterSnapshot.ReadAsync(_connection, token),
                s => s.EnsureReplicasStayed(link).ReplicaLinkProblems(link).Concat(s.ReplicaRelationProblems(relation)),
                deadline, $"Waiting for {plan.EndPoint} to finish its sync with {plan.Master.EndPoint}", 50, progress, cancellationToken,
                "The node stays a replica of that master and may still finish its sync (Get-RedisClusterInfo shows it); running the same command again waits for it.")
                .ConfigureAwait(false);
            return settled.Find(plan.Node.Id).Myself;
        }
    }
}
