using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>What Remove-RedisClusterNode did to one node.</summary>
    public sealed class RemoveNodeResult
    {
        internal RemoveNodeResult(RemoveNodePlan plan, SlotMigrationResult drain, IReadOnlyList<ReplicaMove> replicasMoved,
            IReadOnlyList<string> forgottenBy, RedisClusterNode resetNode, TimeSpan duration)
        {
            NodeId = plan.NodeId;
            EndPoint = plan.EndPoint;
            Role = plan.Node.Role;
            Drain = drain;
            ReplicasMoved = replicasMoved;
            ForgottenBy = forgottenBy;
            Node = resetNode;
            Duration = duration;
        }

        /// <summary>The id the cluster knew the node by.</summary>
        public string NodeId { get; }

        public string EndPoint { get; }

        /// <summary>Its role in the cluster before the removal.</summary>
        public NodeRole Role { get; }

        /// <summary>What moving its slots away did; null when it owned none.</summary>
        public SlotMigrationResult Drain { get; }

        public int SlotsMoved => Drain?.SlotsMoved ?? 0;
        public long KeysMoved => Drain?.KeysMoved ?? 0;

        /// <summary>Its replicas, each with the master it replicates now (sent there, or already moved there by Redis when the drain emptied the node).</summary>
        public IReadOnlyList<ReplicaMove> ReplicasMoved { get; }

        /// <summary>The nodes that forgot it (CLUSTER FORGET).</summary>
        public IReadOnlyList<string> ForgottenBy { get; }

        /// <summary>True when it was reset and can join a cluster again.</summary>
        public bool IsReset => Node != null;

        /// <summary>The node as it sees itself after CLUSTER RESET HARD (alone, a new id); null when it did not answer and was only forgotten.</summary>
        public RedisClusterNode Node { get; }

        public TimeSpan Duration { get; }

        public override string ToString() =>
            $"{EndPoint} ({NodeId.Substring(0, 8)}) removed: {SlotsMoved} slot(s) and {KeysMoved} key(s) moved, {ReplicasMoved.Count} replica(s) re-pointed, " +
            $"forgotten by {ForgottenBy.Count} node(s){(IsReset ? $", reset (now {Node.Id.Short})" : ", not reset")} in {Duration.TotalSeconds:0.0} s";
    }

    /// <summary>
    /// Applies a <see cref="RemoveNodePlan"/>: drains the node's slots with <see cref="SlotMigrator"/>, waits until every
    /// view has it empty (Redis 7 then makes it, and its replicas, replicas of the last master that took slots), gives
    /// its replicas the masters the plan chose, has every other node forget it at once, waits until no view lists it,
    /// and resets it so it can join a cluster again.
    /// </summary>
    public sealed class NodeRemover
    {
        private const string Activity = "Removing a Redis cluster node";

        /// <summary>
        /// How long a node that forgot another refuses to learn it again from gossip (Redis's fixed 60 s): every node
        /// must have forgotten it within this, or the ones that still know it teach it back to the others.
        /// </summary>
        public static readonly TimeSpan ForgetBanWindow = TimeSpan.FromSeconds(60);

        // The part of the window spent asking nodes that answer transiently; the rest is margin for the reset.
        private static readonly TimeSpan ForgetRetryBudget = TimeSpan.FromSeconds(30);

        private readonly RedisClusterConnection _connection;
        private readonly SlotMigrationOptions _options;

        public NodeRemover(RedisClusterConnection connection, SlotMigrationOptions options = null)
        {
            _connection = connection ?? throw new ArgumentNullException(nameof(connection));
            _options = options;
        }

        /// <summary>Reads every node and plans, changing nothing; refusals are thrown.</summary>
        public async Task<RemoveNodePlan> PlanAsync(NodeId node, CancellationToken cancellationToken)
        {
            var snapshot = await ClusterSnapshot.ReadAsync(_connection, cancellationToken).ConfigureAwait(false);
            return RemoveNodePlanner.Plan(snapshot, node);
        }

        /// <param name="deadline">Bounds every wait (views agreeing after the drain, replicas syncing, views forgetting); the drain itself runs until done.</param>
        public async Task<RemoveNodeResult> ApplyAsync(RemoveNodePlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            var id = plan.Node.Id;
            SlotMigrationResult drain = null;
            if (!plan.IsEmpty)
            {
                drain = await DrainAsync(plan, progress, cancellationToken).ConfigureAwait(false);
                // Ctrl+C: the slots in flight were finished and closed; the node keeps the rest and stays in the cluster.
                cancellationToken.ThrowIfCancellationRequested();
                // Slots already on their target, or moved by someone else meanwhile, are not the node's any more; the wait
                // below confirms every view sees it empty.
                var kept = drain.Issues.Where(i => i.Outcome == SlotMigrationOutcome.KeyConflict || i.Outcome == SlotMigrationOutcome.NotStarted).ToList();
                if (kept.Count > 0) throw DrainIncomplete(plan, drain, kept);
                await ClusterWait.UntilAsync(token => ClusterSnapshot.ReadAsync(_connection, token),
                    s => s.NodeOwnsSlotsProblems(id).Concat(s.AgreementProblems()),
                    deadline, $"Waiting for every node to see {plan.EndPoint} without slots", 60, progress, cancellationToken,
                    "Its slots have moved; running the same command again forgets and resets it once the views agree.").ConfigureAwait(false);
            }
            var replicasMoved = await RepointReplicasAsync(plan, deadline, progress, cancellationToken).ConfigureAwait(false);
            var forgottenBy = await ForgetEverywhereAsync(plan, deadline, progress, cancellationToken).ConfigureAwait(false);
            var reset = plan.ResetsNode ? await ResetAsync(plan, progress, cancellationToken).ConfigureAwait(false) : null;
            progress?.Report(new OperationProgress(Activity, $"Removed {plan.EndPoint}", 100));
            return new RemoveNodeResult(plan, drain, replicasMoved, forgottenBy, reset, clock.Elapsed);
        }

        /// <summary>
        /// Moves the node's slots. A failure stops the engine with the slots in flight perhaps left open; the error then
        /// says what finishes them, in this command's terms.
        /// </summary>
        private async Task<SlotMigrationResult> DrainAsync(RemoveNodePlan plan, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            try
            {
                return await new SlotMigrator(_connection, _options).MoveAsync(plan.Moves, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisClusterException e) when (e.ErrorId == "SlotMigrationStopped")
            {
                throw new RedisClusterException(e.Kind,
                    $"{e.Message} {plan.NodeName} was not forgotten and stays in the cluster. Running the same command again finishes the slots left open " +
                    "on their way to a master that answers, then goes on; Repair-RedisCluster finishes any other.", e.EndPoint, e.InnerException ?? e)
                { ErrorId = e.ErrorId };
            }
        }

        /// <summary>How many keys of one slot a message names.</summary>
        private const int KeysNamed = 10;

        /// <summary>
        /// The removal stops where it is when its drain left the node slots: nothing is forgotten, and the same command
        /// run again finishes them (the planner picks up the slots it left open) and goes on.
        /// </summary>
        private static RedisClusterException DrainIncomplete(RemoveNodePlan plan, SlotMigrationResult drain, IReadOnlyList<SlotMigrationIssue> kept)
        {
            var conflicts = kept.Where(i => i.Outcome == SlotMigrationOutcome.KeyConflict).ToList();
            var slots = new SlotRangeList(SlotRange.FromSlots(kept.Select(i => i.Slot)));
            var text = new StringBuilder($"{plan.NodeName} still owns {slots.SlotCount} {SlotTransfer.SlotWord(slots.SlotCount)} ({slots}) after its drain ({drain}), " +
                "so it was not forgotten and stays in the cluster.");
            foreach (var conflict in conflicts.Take(3))
            {
                text.Append($" Slot {conflict.Slot} is left open (MIGRATING on {conflict.SourceId.Substring(0, 8)}, IMPORTING on {conflict.TargetId.Substring(0, 8)}): " +
                    $"key(s) {conflict.KeyList(KeysNamed)} exist on both nodes with different values, so neither copy was overwritten.");
            }
            if (conflicts.Count > 3) text.Append($" {conflicts.Count - 3} more slot(s) are left open the same way.");
            var others = kept.Except(conflicts).ToList();
            if (others.Count > 0) text.Append(" " + string.Join("; ", others.Take(3)) + (others.Count > 3 ? $"; and {others.Count - 3} more." : "."));
            text.Append(conflicts.Count > 0
                ? " To keep the values of the node being removed, run the same command with -Replace; to keep the other copies, delete those keys on the node " +
                  "being removed first and run it again. Either way it finishes the open slot(s), then forgets and resets the node."
                : " Run the same command again.");
            return new RedisClusterException(FailureKind.InvalidState, text.ToString(), plan.Node.ToEndPoint()) { ErrorId = "DrainIncomplete" };
        }

        /// <summary>
        /// Gives each replica the master the plan chose, unless it already replicates that one or one placed as well
        /// (Redis moves the replicas of a master the drain empties to the last master that took its slots): re-pointing
        /// costs a full sync. No replica may be left following the node, or forgetting fails.
        /// Returns the moves that hold now; a replica that stopped answering is left out.
        /// </summary>
        private async Task<IReadOnlyList<ReplicaMove>> RepointReplicasAsync(RemoveNodePlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var moved = new List<ReplicaMove>();
            if (plan.ReplicaMoves.Count == 0) return moved;
            var snapshot = await ClusterSnapshot.ReadAsync(_connection, cancellationToken).ConfigureAwait(false);
            var assigner = new ReplicaAssigner(_connection);
            foreach (var move in plan.ReplicaMoves)
            {
                var replica = snapshot.Find(move.Replica)?.Myself;
                if (replica == null) continue;
                var cluster = snapshot.Reference;
                var master = cluster.Find(move.Master) ?? throw new RedisClusterException(FailureKind.InvalidState,
                    $"The master chosen for {move.ReplicaEndPoint}, {move.MasterEndPoint}, is no longer in the cluster; nothing more was changed.") { ErrorId = "ReplicaMasterGone" };
                var current = replica.Role == NodeRole.Replica && replica.MasterNodeId is NodeId currentId ? cluster.Find(currentId) : null;
                if (current != null && (current.Id == master.Id || RemoveNodePlanner.PlacedAsWell(cluster, plan.Node.Id, replica, current, master)))
                {
                    moved.Add(new ReplicaMove(replica, current));
                    continue;
                }
                var replicaPlan = await assigner.PlanAsync(cluster, cluster.Find(move.Replica) ?? replica, master, cancellationToken).ConfigureAwait(false);
                foreach (var warning in replicaPlan.Warnings) progress?.Report(OperationProgress.Warning(warning));
                progress?.Report(new OperationProgress(Activity, $"Making {move.ReplicaEndPoint} a replica of {move.MasterEndPoint}", 70));
                await assigner.ApplyAsync(replicaPlan, deadline, progress, cancellationToken).ConfigureAwait(false);
                moved.Add(move);
            }
            return moved;
        }

        /// <summary>
        /// CLUSTER FORGET on every node that lists the node, all at once, so each has forgotten it well within the
        /// 60-second ban of the first; a node that answers transiently is asked again. Then waits until no view that
        /// answers lists it.
        /// </summary>
        private async Task<IReadOnlyList<string>> ForgetEverywhereAsync(RemoveNodePlan plan, Deadline deadline, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var id = plan.Node.Id;
            // From here on the node is no source of the cluster's topology: it keeps listing everyone until it is reset.
            var own = plan.Node.ToEndPoint();
            if (own != null) _connection.Retire(own);
            var snapshot = await ClusterSnapshot.ReadAsync(_connection, cancellationToken).ConfigureAwait(false);
            var following = snapshot.ReplicasFollowing(id).ToList();
            if (following.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{string.Join(", ", following.Select(f => f.EndPoint))} still replicate(s) {plan.NodeName}, and a node cannot forget its own master. " +
                    "Give them another master (Set-RedisClusterReplica), then run the same command again; nothing was forgotten.", following[0].EndPoint)
                { ErrorId = "ReplicaStillFollows" };
            }
            var forgetters = ForgetTargets(plan, snapshot);
            progress?.Report(new OperationProgress(Activity, $"Telling {forgetters.Count} node(s) to forget {plan.EndPoint}", 80));
            var window = new Deadline(deadline.Cap(ForgetRetryBudget));
            // Once started, the burst is not cut short by Ctrl+C (the window bounds it): nodes left half told would teach
            // the node back to those that forgot it.
            var failures = (await Task.WhenAll(forgetters.Select(e => ForgetOnAsync(e, id, window, CancellationToken.None))).ConfigureAwait(false))
                .Where(f => f != null)
                .ToList();
            if (failures.Count > 0)
            {
                throw new RedisClusterException(failures[0].Kind,
                    $"{failures.Count} of {forgetters.Count} node(s) did not forget {plan.NodeName}: {string.Join(" ", failures.Select(f => f.Message))} " +
                    $"The others did, and refuse it for {ForgetBanWindow.TotalSeconds:0} s: run CLUSTER FORGET {id} on the nodes named within that time, " +
                    "or the ones that still know it teach it back to the others." +
                    (plan.ResetsNode ? " It was not reset: once every node has forgotten it, Reset-RedisClusterNode -Hard -DeleteData makes it fit to join a cluster again." : string.Empty),
                    failures[0].EndPoint, failures[0])
                { ErrorId = "ForgetFailed" };
            }
            var others = snapshot.Reachable.Where(s => s.Id != id).Select(s => s.EndPoint).ToList();
            await ClusterWait.UntilAsync(token => ClusterSnapshot.ReadAsync(_connection, others, token), s => s.NodeListedProblems(id),
                window, $"Waiting for every node to forget {plan.EndPoint}", 90, progress, cancellationToken,
                $"Nodes that still list it teach it back to the others once their {ForgetBanWindow.TotalSeconds:0}-second ban ends: run CLUSTER FORGET {id} on them.").ConfigureAwait(false);
            return forgetters.Select(e => e.ToString()).ToList();
        }

        /// <summary>
        /// The nodes told to forget the removed one: every other node that answers and still lists it, and every node
        /// the plan counted on that cannot be read now (a node that stopped answering mid-removal may be back within
        /// the window: it is asked again, and named if it never forgets). Nodes already silent when the removal was
        /// planned were named in a warning then.
        /// </summary>
        internal static IReadOnlyList<NodeEndPoint> ForgetTargets(RemoveNodePlan plan, ClusterSnapshot snapshot)
        {
            var id = plan.Node.Id;
            var listing = snapshot.Reachable.Where(s => s.Id != id && s.View.Find(id) != null).Select(s => s.EndPoint);
            var silent = plan.Forgetters.Select(f => f.ToEndPoint())
                .Where(e => e != null && snapshot.Nodes.Any(s => s.EndPoint.Equals(e) && !s.IsReachable));
            return listing.Concat(silent).Distinct().ToList();
        }

        /// <summary>CLUSTER FORGET on one node, asked again while it answers transiently; the failure, or null once it has forgotten the node.</summary>
        private async Task<RedisClusterException> ForgetOnAsync(NodeEndPoint endPoint, NodeId id, Deadline window, CancellationToken cancellationToken)
        {
            try
            {
                return await Poll.UntilAsync(async token =>
                {
                    try
                    {
                        var client = await _connection.GetNodeAsync(endPoint, token).ConfigureAwait(false);
                        await client.CallAsync(token, "CLUSTER", "FORGET", id.ToString()).ConfigureAwait(false);
                        return PollResult<RedisClusterException>.Done(null);
                    }
                    catch (RedisServerErrorException e) when (e.Code == ServerErrorCode.Err && e.Reply.IndexOf("Unknown node", StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        // Forgotten already (an earlier attempt whose reply was lost, or a run that stopped part way).
                        return PollResult<RedisClusterException>.Done(null);
                    }
                    catch (RedisClusterException e) when (IsTransient(e))
                    {
                        return PollResult<RedisClusterException>.Waiting(e.Message);
                    }
                }, window, state => new RedisClusterException(FailureKind.Timeout, $"{endPoint} kept failing: {state}.", endPoint) { ErrorId = "ForgetFailed" },
                cancellationToken, interval: TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
            }
            catch (RedisClusterException e)
            {
                return e;
            }
        }

        /// <summary>Failures that may pass within the window (a node loading, busy, restarting or slow); any other reply is final.</summary>
        internal static bool IsTransient(RedisClusterException e) =>
            e is RedisServerErrorException server
                ? server.Code == ServerErrorCode.Loading || server.Code == ServerErrorCode.Busy || server.Code == ServerErrorCode.TryAgain
                : e.Kind == FailureKind.Unreachable || e.Kind == FailureKind.Timeout;

        /// <summary>
        /// CLUSTER RESET HARD on the removed node (a replica by now, or an empty master): it forgets the cluster, drops
        /// its copy of the data and takes a new id, so nothing can mistake it for the node the cluster forgot. A master
        /// that still holds keys (in slots it does not own) is left as it is, with a warning: resetting would delete them.
        /// </summary>
        private async Task<RedisClusterNode> ResetAsync(RemoveNodePlan plan, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var endPoint = plan.Node.ToEndPoint();
            var resetter = new NodeResetter(_connection);
            progress?.Report(new OperationProgress(Activity, $"Resetting {plan.EndPoint}", 95));
            ResetNodePlan resetPlan;
            try
            {
                resetPlan = await resetter.PlanAsync(endPoint, hard: true, deleteData: true, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisClusterException e)
            {
                // The cluster has forgotten it, which is the removal; the reset only makes it fit to join again.
                progress?.Report(OperationProgress.Warning($"{plan.NodeName} was forgotten but could not be reset: {e.Message} Reset it (Reset-RedisClusterNode -Hard -DeleteData) before using it again."));
                return null;
            }
            if (resetPlan.FlushesFirst)
            {
                progress?.Report(OperationProgress.Warning(
                    $"{plan.NodeName} was forgotten but not reset: it is a master that still holds {resetPlan.KeyCount} key(s) in slots it does not own, " +
                    "which a reset would delete. Move or delete them, then Reset-RedisClusterNode -DeleteData."));
                return null;
            }
            var reset = await resetter.ApplyAsync(resetPlan, cancellationToken).ConfigureAwait(false);
            if (reset.Warning != null) progress?.Report(OperationProgress.Warning(reset.Warning));
            return reset.Node;
        }
    }
}
