using System;
using System.Collections.Concurrent;
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
    /// shard's other nodes (the old master too, if it answers) replicating it. Their replication links are then given a
    /// moment to come up; one that does not is a warning, since the promotion itself is done.
    /// </summary>
    public sealed class FailoverRunner
    {
        private const string Activity = "Failing over a Redis cluster shard";

        /// <summary>
        /// How long a replica may still call itself a replica once asked: Redis gives a manual failover 5 s
        /// (CLUSTER_MF_TIMEOUT) and then drops it without a word; the rest is for its view to show the result.
        /// </summary>
        internal static readonly TimeSpan TakeoverWindow = TimeSpan.FromSeconds(7);

        /// <summary>
        /// Between two looks at the roles. A look is one pipelined read per node (three commands), so looking often costs
        /// the nodes little, and the wait ends within this long of the state it waits for.
        /// </summary>
        internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

        /// <summary>
        /// How long followers that already replicate the new master have to bring their links up before a warning says
        /// they have not: a replica retries its connection to its master once a second, so this allows a couple of tries.
        /// </summary>
        internal static readonly TimeSpan LinkGrace = TimeSpan.FromSeconds(3);

        /// <summary>
        /// Replicas this process saw win an election (Default or Force), by id, with when (Stopwatch ticks). Ids are random
        /// and never reused, so a record cannot name another node; a node restarted since only waits longer than it needs to.
        /// </summary>
        private static readonly ConcurrentDictionary<NodeId, long> ElectionsWon = new ConcurrentDictionary<NodeId, long>();

        private readonly RedisClusterConnection _connection;

        public FailoverRunner(RedisClusterConnection connection) => _connection = connection;

        /// <summary>
        /// How often Redis lets one replica stand for election (cluster.c, auth_retry_time): twice the election timeout,
        /// which is twice cluster-node-timeout and at least 2 s. A replica asked sooner after its last election does not
        /// hold a new one: within the first half it claims the shard with its old epoch and is overruled at once, in the
        /// second half the request expires; either way its master pauses writes for up to 5 s for nothing.
        /// </summary>
        internal static TimeSpan ElectionInterval(long nodeTimeoutMilliseconds) =>
            TimeSpan.FromMilliseconds(2 * Math.Max(2 * nodeTimeoutMilliseconds, 2000));

        /// <summary>How much of the interval is left after <paramref name="sinceLastElection"/>; zero once it has passed.</summary>
        internal static TimeSpan RemainingElectionWait(TimeSpan interval, TimeSpan sinceLastElection) =>
            sinceLastElection >= interval ? TimeSpan.Zero : interval - sinceLastElection;

        /// <summary>Reads every node and plans the failover of the replica given, changing nothing; refusals are thrown.</summary>
        public async Task<FailoverPlan> PlanForReplicaAsync(NodeId replica, FailoverMode mode, CancellationToken cancellationToken) =>
            FailoverPlanner.PlanForReplica(await ClusterSnapshot.ReadAsync(_connection, cancellationToken).ConfigureAwait(false), replica, mode);

        /// <summary>Reads every node and plans the failover of a master to its best replica, changing nothing.</summary>
        public async Task<FailoverPlan> PlanForMasterAsync(NodeId master, FailoverMode mode, CancellationToken cancellationToken) =>
            FailoverPlanner.PlanForMaster(await ClusterSnapshot.ReadAsync(_connection, cancellationToken).ConfigureAwait(false), master, mode);

        /// <summary>
        /// Sends the failover and waits for the new order; returns the shard's nodes as the new master sees them. A replica
        /// this process saw win an election within Redis's election interval is asked only once the interval has passed.
        /// One not elected (an earlier election this process did not see, or masters still in their vote cool-down) is
        /// asked once more, in the same mode and never another, once the interval has passed since it was asked, when the
        /// deadline allows.
        /// </summary>
        public async Task<IReadOnlyList<RedisClusterNode>> ApplyAsync(FailoverPlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var endPoint = plan.Replica.ToEndPoint();
            var client = await _connection.GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
            // Read only when needed: a replica with no recent election never needs it.
            TimeSpan? interval = null;
            async Task<TimeSpan> IntervalAsync() => interval ?? (TimeSpan)(interval = ElectionInterval(
                await ClusterHealthReadings.ConfigNumberAsync(client, "cluster-node-timeout", cancellationToken).ConfigureAwait(false) ?? 15000));

            bool elected = plan.Mode != FailoverMode.Takeover;
            if (elected && ElectionsWon.TryGetValue(plan.Replica.Id, out long wonAt))
            {
                var wait = RemainingElectionWait(await IntervalAsync().ConfigureAwait(false), ElapsedSince(wonAt));
                if (wait > TimeSpan.Zero)
                {
                    if (deadline.Remaining <= wait + TakeoverWindow) throw TooSoon(plan, wait, interval.Value);
                    progress?.Report(new OperationProgress(Activity,
                        $"{endPoint} won an election {ElapsedSince(wonAt).TotalSeconds:0.#} s ago; Redis lets a replica stand again {interval.Value.TotalSeconds:0} s after its last election: asking in {wait.TotalSeconds:0.#} s", 5));
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }
            var asked = new Stopwatch();
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return await AskAndWaitAsync(plan, client, asked, deadline, progress, cancellationToken).ConfigureAwait(false);
                }
                catch (RedisClusterException e) when (e.ErrorId == NotTakenOverErrorId && elected && attempt == 2)
                {
                    throw WithRetryNote(e, "It was asked once more once that time had passed, in vain.");
                }
                catch (RedisClusterException e) when (e.ErrorId == NotTakenOverErrorId && elected)
                {
                    // An election this process did not see may be less than the interval old, and the masters' last vote
                    // about this shard less than half of it: once the interval has passed since the request, neither stands in the way.
                    var wait = RemainingElectionWait(await IntervalAsync().ConfigureAwait(false), asked.Elapsed);
                    if (deadline.Remaining <= wait + TakeoverWindow)
                    {
                        throw WithRetryNote(e, $"-TimeoutSeconds left no room to ask it once more after that time ({wait.TotalSeconds:0.#} s from now): try again then.");
                    }
                    progress?.Report(new OperationProgress(Activity,
                        $"{endPoint} was not elected (a recent election of its own, or the masters' vote cool-down for this shard); asking again in {wait.TotalSeconds:0.#} s", 30));
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private static TimeSpan ElapsedSince(long timestamp) =>
            TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - timestamp) / (double)Stopwatch.Frequency);

        private async Task<IReadOnlyList<RedisClusterNode>> AskAndWaitAsync(FailoverPlan plan, INodeClient client, Stopwatch asked, Deadline deadline,
            IProgress<OperationProgress> progress, CancellationToken cancellationToken)
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
            asked.Restart();

            const string advice = "The failover itself may be done (Get-RedisClusterNode shows the roles); running Wait-RedisCluster waits for the rest.";
            // The promoted node alone until it has taken over: before that no other node can show anything new. An election
            // takes an epoch above every other; a master with its old one has claimed the shard without an election (a
            // replica asked again too soon after its last one does that) and is overruled at once.
            var promotedOnly = new[] { endPoint };
            await ClusterWait.UntilAsync(token => ClusterSnapshot.ReadAsync(_connection, promotedOnly, token),
                snapshot =>
                {
                    var myself = snapshot.Find(plan.Replica.Id)?.Myself;
                    if (myself?.Role == NodeRole.Master)
                    {
                        if (myself.ConfigEpoch > plan.Master.ConfigEpoch) return Enumerable.Empty<string>();
                        throw ClaimedWithoutElection(plan);
                    }
                    if (myself == null) return snapshot.UnreachableProblems();
                    if (asked.Elapsed > TakeoverWindow) throw NotTakenOver(plan);
                    return new[] { $"{endPoint} has not taken over yet" };
                },
                deadline, $"Waiting for {endPoint} to take over", 30, progress, cancellationToken, advice, PollInterval).ConfigureAwait(false);
            if (plan.Mode != FailoverMode.Takeover) ElectionsWon[plan.Replica.Id] = Stopwatch.GetTimestamp();

            // Then every node the plan read, without asking for the topology again: no node joins or leaves in a failover.
            var followers = plan.FollowerIds.ToList();
            var settled = await ClusterWait.UntilAsync(token => plan.ReadFrom.ReadAgainAsync(token),
                snapshot => snapshot.FailoverProblems(plan.Replica.Id, followers),
                deadline, $"Waiting for every node to follow {endPoint}", 60, progress, cancellationToken, advice, PollInterval).ConfigureAwait(false);
            await WaitForLinksAsync(plan, settled, followers, deadline, progress, cancellationToken).ConfigureAwait(false);
            return ShardOf(settled, plan);
        }

        /// <summary>
        /// Gives the followers <see cref="LinkGrace"/> to link to the new master. They usually have by the time every view
        /// shows the new roles (the roles travel by gossip, the link is made at once), so this seldom waits at all. One
        /// that has not linked by then (a wrong masterauth, a full sync still running) holds no current copy of the shard:
        /// a warning says so, and the failover is still reported done.
        /// </summary>
        private static async Task WaitForLinksAsync(FailoverPlan plan, ClusterSnapshot settled, IReadOnlyCollection<NodeId> followers, Deadline deadline,
            IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var unlinked = settled.FollowerLinkProblems(plan.Replica.Id, followers).ToList();
            if (unlinked.Count == 0) return;
            var endPoint = plan.Replica.ToEndPoint();
            try
            {
                await ClusterWait.UntilAsync(token => settled.ReadAgainAsync(token),
                    snapshot => unlinked = snapshot.FollowerLinkProblems(plan.Replica.Id, followers).ToList(),
                    new Deadline(deadline.Cap(LinkGrace)), $"Waiting for the shard's other nodes to link to {endPoint}", 80, progress, cancellationToken,
                    interval: PollInterval).ConfigureAwait(false);
            }
            catch (RedisClusterException e) when (e.ErrorId == ClusterWait.TimeoutErrorId)
            {
                progress?.Report(OperationProgress.Warning(
                    $"{endPoint} took over and every node follows it, but not every follower has linked to it: {string.Join("; ", unlinked)}. " +
                    "Until a follower links it holds no current copy of the shard (a wrong masterauth keeps it from ever linking); Wait-RedisCluster waits for the links."));
            }
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
            const string tooSoon = " A replica also cannot stand for election again within twice the election timeout (4 x cluster-node-timeout, at least 4 s) " +
                "of its last one, and masters vote about one shard only once per 2 x cluster-node-timeout";
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

        /// <summary>The failure of a failover in an elected mode, with what became of the one retry.</summary>
        private static RedisClusterException WithRetryNote(RedisClusterException failure, string note) =>
            new RedisClusterException(failure.Kind, $"{failure.Message} {note}", failure.EndPoint, failure.InnerException) { ErrorId = failure.ErrorId };

        private static RedisClusterException ClaimedWithoutElection(FailoverPlan plan) =>
            new RedisClusterException(FailureKind.Timeout,
                $"{NodeRefusals.Name(plan.Replica)} claimed the shard with its old epoch, without an election, and was overruled at once: it won an election " +
                "less than 2 x cluster-node-timeout ago (one this process did not make), and Redis lets a replica stand again only 4 x cluster-node-timeout " +
                "(at least 4 s) after its last one. Nothing else was changed.",
                plan.Replica.ToEndPoint())
            { ErrorId = NotTakenOverErrorId };

        private static RedisClusterException TooSoon(FailoverPlan plan, TimeSpan wait, TimeSpan interval) =>
            new RedisClusterException(FailureKind.Timeout,
                $"{NodeRefusals.Name(plan.Replica)} won an election moments ago, and Redis lets a replica stand again only {interval.TotalSeconds:0} s " +
                $"(4 x cluster-node-timeout) after its last one; asked sooner, it would pause its master's writes for nothing. -TimeoutSeconds leaves no room " +
                $"to wait the {wait.TotalSeconds:0.#} s left: try again then, or with a longer -TimeoutSeconds. Nothing was changed.",
                plan.Replica.ToEndPoint())
            { ErrorId = NotTakenOverErrorId };
    }
}
