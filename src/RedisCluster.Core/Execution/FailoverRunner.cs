using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Promotes a replica (CLUSTER FAILOVER) and waits until the cluster shows the new order. The command answers OK at
    /// once and reports nothing more, so the roles are polled: every reachable node must see the new master, and the
    /// shard's other nodes (the old master too, if it answers) must replicate it with their links up.
    /// </summary>
    public sealed class FailoverRunner
    {
        private const string Activity = "Failing over a Redis cluster shard";

        /// <summary>
        /// How long a replica may still call itself a replica once asked: Redis gives a manual failover 5 s
        /// (CLUSTER_MF_TIMEOUT) and then drops it without a word; the rest is for its view to show the result.
        /// </summary>
        internal static readonly TimeSpan TakeoverWindow = TimeSpan.FromSeconds(7);

        private readonly RedisClusterConnection _connection;

        public FailoverRunner(RedisClusterConnection connection) => _connection = connection;

        /// <summary>Reads every node and plans the failover of the replica given, changing nothing; refusals are thrown.</summary>
        public async Task<FailoverPlan> PlanForReplicaAsync(NodeId replica, FailoverMode mode, CancellationToken cancellationToken) =>
            FailoverPlanner.PlanForReplica(await ClusterSnapshot.ReadAsync(_connection, cancellationToken).ConfigureAwait(false), replica, mode);

        /// <summary>Reads every node and plans the failover of a master to its best replica, changing nothing.</summary>
        public async Task<FailoverPlan> PlanForMasterAsync(NodeId master, FailoverMode mode, CancellationToken cancellationToken) =>
            FailoverPlanner.PlanForMaster(await ClusterSnapshot.ReadAsync(_connection, cancellationToken).ConfigureAwait(false), master, mode);

        /// <summary>
        /// Sends the failover and waits for the new order; returns the shard's nodes as the new master sees them. A replica
        /// not elected within Redis's window is asked once more (the same mode, never another) when the deadline allows:
        /// masters vote about one master only once per two node timeouts, so a shard failed back moments after a failover
        /// is refused its votes the first time and elected the second.
        /// </summary>
        public async Task<IReadOnlyList<RedisClusterNode>> ApplyAsync(FailoverPlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var endPoint = plan.Replica.ToEndPoint();
            var client = await _connection.GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
            long nodeTimeout = await ClusterHealthReadings.ConfigNumberAsync(client, "cluster-node-timeout", cancellationToken).ConfigureAwait(false) ?? 15000;
            // Counted from the first request, which came after any earlier vote: waiting this long more clears the cool-down.
            var coolDown = TimeSpan.FromMilliseconds(2 * nodeTimeout) - TakeoverWindow;
            if (coolDown < TimeSpan.Zero) coolDown = TimeSpan.Zero;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return await AskAndWaitAsync(plan, client, deadline, progress, cancellationToken).ConfigureAwait(false);
                }
                catch (RedisClusterException e) when (e.ErrorId == NotTakenOverErrorId && attempt == 1 && plan.Mode != FailoverMode.Takeover &&
                    deadline.Remaining > coolDown + TakeoverWindow + TakeoverWindow)
                {
                    progress?.Report(new OperationProgress(Activity,
                        $"{endPoint} was not elected within 5 s (the masters may still be in their vote cool-down for this shard); asking again in {coolDown.TotalSeconds:0} s", 30));
                    await Task.Delay(coolDown, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task<IReadOnlyList<RedisClusterNode>> AskAndWaitAsync(FailoverPlan plan, INodeClient client, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var endPoint = plan.Replica.ToEndPoint();
            progress?.Report(new OperationProgress(Activity, $"Asking {endPoint} to take over from {plan.Master.EndPoint} ({plan.Mode})", 10));
            var arguments = plan.Mode == FailoverMode.Default ? new object[] { "FAILOVER" } : new object[] { "FAILOVER", plan.Mode.ToString().ToUpperInvariant() };
            try
            {
                await client.CallAsync(cancellationToken, "CLUSTER", arguments).ConfigureAwait(false);
            }
            catch (RedisServerErrorException e) when (e.Code == ServerErrorCode.Err)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{NodeRefusals.Name(plan.Replica)} refused to take over ({e.Reply}). The cluster changed since it was read; check it with Get-RedisClusterNode and try again. Nothing was changed.",
                    endPoint, e)
                { ErrorId = "FailoverRefused" };
            }

            var asked = Stopwatch.StartNew();
            var followers = plan.FollowerIds.ToList();
            var settled = await ClusterWait.UntilAsync(token => ClusterSnapshot.ReadAsync(_connection, token),
                snapshot =>
                {
                    if (asked.Elapsed > TakeoverWindow && snapshot.IsStillReplica(plan.Replica.Id)) throw NotTakenOver(plan);
                    return snapshot.FailoverProblems(plan.Replica.Id, followers);
                },
                deadline, $"Waiting for every node to follow {endPoint}", 50, progress, cancellationToken,
                "The failover itself may be done (Get-RedisClusterNode shows the roles); running Wait-RedisCluster waits for the rest.")
                .ConfigureAwait(false);
            return ShardOf(settled, plan);
        }

        /// <summary>The new master and its replicas as it sees them, and the old master as listed when it is down.</summary>
        internal static IReadOnlyList<RedisClusterNode> ShardOf(ClusterSnapshot snapshot, FailoverPlan plan)
        {
            var view = snapshot.Find(plan.Replica.Id).View;
            var shard = new[] { view.Myself }.Concat(view.ReplicasOf(plan.Replica.Id)).ToList();
            var oldMaster = view.Find(plan.Master.Id);
            if (oldMaster != null && shard.All(n => n.Id != oldMaster.Id)) shard.Add(oldMaster);
            return shard;
        }

        private const string NotTakenOverErrorId = "FailoverNotCompleted";

        private static RedisClusterException NotTakenOver(FailoverPlan plan)
        {
            // Masters vote for a replica of a given master only once per two node timeouts (cluster.c, voted_time): a shard
            // failed back moments after its last failover is refused its votes without a word, in every mode but Takeover.
            const string tooSoon = " Masters also refuse their votes for a shard that failed over less than twice cluster-node-timeout ago " +
                "(it was asked again after that time when -TimeoutSeconds allowed)";
            string advice = plan.Mode == FailoverMode.Default
                ? "it was not elected within Redis's manual failover window (5 s). The master may be overloaded or cut off from the replica: " +
                  "if it is down, -Mode Force promotes the replica without it (writes it had not passed on are lost)." + tooSoon
                : plan.Mode == FailoverMode.Force
                    ? "it was not elected within Redis's manual failover window (5 s): a majority of masters must answer, and without one -Mode Takeover " +
                      "promotes it without a vote." + tooSoon
                    : "it did not take over within 5 s";
            return new RedisClusterException(FailureKind.Timeout,
                $"{NodeRefusals.Name(plan.Replica)} is still a replica of {NodeRefusals.Name(plan.Master)}: {advice}. Redis dropped the attempt; nothing else was changed.",
                plan.Replica.ToEndPoint())
            { ErrorId = NotTakenOverErrorId };
        }
    }
}
