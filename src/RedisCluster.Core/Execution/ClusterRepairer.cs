using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Applies a <see cref="RepairPlan"/>. Ordinary moves that stopped go to the <see cref="SlotMigrator"/>; every other
    /// slot is converged here, in an order that never lets Redis drop keys: a master that loses a slot while it still
    /// holds keys of it deletes them (cluster.c, dirty slots), so every owner change waits until the keys have moved.
    /// <list type="number">
    /// <item>Claims and views: uncovered slots are given to their owner (ADDSLOTS) and named to every master; a master
    /// whose own view still gives a slot to a node that is gone (the importer of a source killed mid-slot, which Redis
    /// keeps in cluster_state:fail) is pointed at the live owner. MIGRATE needs both ends in cluster_state:ok.</item>
    /// <item>Keys: every other master holding keys of a slot sends them to the owner with MIGRATE without REPLACE; a
    /// key the owner has too is settled by the plan's policy (compare, or keep the owner's newer copy).</item>
    /// <item>Ordinary moves are finished by the slot executor.</item>
    /// <item>Ownership: SETSLOT NODE on the owner (its epoch is bumped, so its claim wins), then on every other master,
    /// and every marker closed.</item>
    /// </list>
    /// It records nothing of its own: stopped at any point, a new plan from the cluster's state resumes it.
    /// </summary>
    public sealed class ClusterRepairer
    {
        private const string Activity = "Repairing slots";

        private readonly RedisClusterConnection _connection;
        private readonly SlotMigrationOptions _options;
        private readonly MigrateAuthentication _authentication;

        public ClusterRepairer(RedisClusterConnection connection, SlotMigrationOptions options = null)
        {
            _connection = connection ?? throw new ArgumentNullException(nameof(connection));
            _options = options ?? new SlotMigrationOptions();
            _options.Validate();
            _authentication = MigrateAuthentication.From(connection.Settings);
        }

        /// <summary>How long the masters taking part may need to report cluster_state:ok once their views are fixed.</summary>
        public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromSeconds(60);

        public async Task<IReadOnlyList<SlotRepairResult>> RepairAsync(RepairPlan plan, ClusterSnapshot snapshot, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            if (snapshot == null) throw new ArgumentNullException(nameof(snapshot));
            var run = new Run(snapshot, new AskingClients(_connection), progress);
            if (plan.IsEmpty) return new SlotRepairResult[0];
            try
            {
                var converged = plan.Repairs.Where(r => r.FinishFrom == null).ToList();
                var finishes = plan.Repairs.Where(r => r.FinishFrom != null).ToList();

                run.Report("Giving uncovered slots an owner and pointing views at live owners", 5);
                await ClaimAsync(plan, run, cancellationToken).ConfigureAwait(false);
                await WaitForStateOkAsync(plan, run, cancellationToken).ConfigureAwait(false);

                run.Report($"Moving keys of {converged.Count} slot(s) to their owners", 20);
                foreach (var repair in converged)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await GatherKeysAsync(repair, run).ConfigureAwait(false);
                }

                if (finishes.Count > 0)
                {
                    run.Report($"Finishing {finishes.Count} stopped slot move(s)", 50);
                    var migrator = new SlotMigrator(_connection, _options);
                    // No cancellation: the repair is short, and stopping between its steps would leave more to repair.
                    var moved = await migrator.MoveAsync(finishes.Select(r => new SlotMove(r.Slot, r.FinishFrom.Value, r.Owner)).ToList(), progress, CancellationToken.None).ConfigureAwait(false);
                    foreach (var issue in moved.Issues.Where(i => i.Outcome == SlotMigrationOutcome.KeyConflict)) run.Conflict(issue.Slot, issue.Keys);
                    run.AddKeys(finishes, moved.KeysMoved);
                }

                run.Report("Giving each slot its owner and closing markers", 80);
                foreach (var repair in converged.Where(r => !run.Stopped(r.Slot)))
                {
                    await FinalizeAsync(repair, run).ConfigureAwait(false);
                }
            }
            catch (RedisClusterException e)
            {
                run.Fail(e);
            }
            finally
            {
                run.Dispose();
            }
            run.Report("Slots repaired", 100);
            return plan.Groups.Select(run.ResultOf).ToList();
        }

        /// <summary>
        /// Waits until the repair shows everywhere: no node with open slot markers, every reachable node agreeing on
        /// the slot map and reporting cluster_state:ok with every slot covered. A node that stays down does not count.
        /// </summary>
        public static Task<ClusterSnapshot> WaitUntilRepairedAsync(RedisClusterConnection connection, TimeSpan timeout, IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
            ClusterWait.UntilAsync(
                token => ClusterSnapshot.ReadAsync(connection, token),
                snapshot => snapshot.OpenSlotProblems().Concat(snapshot.AgreementProblems()).Concat(snapshot.StateProblems()),
                new Deadline(timeout), "Waiting for every node to take the repaired slots", 95, progress, cancellationToken);

        /// <summary>
        /// Step 1. Uncovered slots: ADDSLOTS on the owner (DELSLOTS first where its own view names an owner that is
        /// gone), then SETSLOT NODE on every other master. Other problem slots: a master whose view gives the slot to
        /// no live master is pointed at a live claimant. No claim here can take a slot from a master holding its keys.
        /// </summary>
        private async Task ClaimAsync(RepairPlan plan, Run run, CancellationToken cancellationToken)
        {
            var views = await run.ReadViewsAsync(_connection, cancellationToken).ConfigureAwait(false);
            var none = CancellationToken.None;
            foreach (var byOwner in plan.Repairs.Where(r => r.Assign).GroupBy(r => r.Owner))
            {
                var owner = views[byOwner.Key];
                var stale = byOwner.Where(r => owner.OwnerOf(r.Slot) != null).Select(r => (object)r.Slot).ToList();
                var client = await run.ClientAsync(_connection, byOwner.Key).ConfigureAwait(false);
                if (stale.Count > 0) await client.CallAsync(none, "CLUSTER", new object[] { "DELSLOTS" }.Concat(stale).ToArray()).ConfigureAwait(false);
                await client.CallAsync(none, "CLUSTER", new object[] { "ADDSLOTS" }.Concat(byOwner.Select(r => (object)r.Slot)).ToArray()).ConfigureAwait(false);
            }

            await Task.WhenAll(run.LiveMasters.Select(async master =>
            {
                var view = views[master];
                var commands = new List<object[]>();
                foreach (var repair in plan.Repairs)
                {
                    if (repair.Owner == master && repair.Assign) continue;
                    var viewOwner = view.OwnerOf(repair.Slot);
                    if (view.Myself.OwnsSlot(repair.Slot)) continue;
                    if (repair.Assign)
                    {
                        commands.Add(new object[] { "SETSLOT", repair.Slot, "NODE", repair.Owner.ToString() });
                    }
                    else if (viewOwner == null || !run.IsLive(viewOwner.Id))
                    {
                        // The owner to point at: a live master that claims the slot now (the plan's owner if it does).
                        var claimant = run.LiveMasters.Where(m => views[m].Myself.OwnsSlot(repair.Slot)).OrderBy(m => m == repair.Owner ? 0 : 1).Cast<NodeId?>().FirstOrDefault();
                        if (claimant != null && claimant != master) commands.Add(new object[] { "SETSLOT", repair.Slot, "NODE", claimant.Value.ToString() });
                    }
                }
                if (commands.Count == 0) return;
                var client = await run.ClientAsync(_connection, master).ConfigureAwait(false);
                await Task.WhenAll(commands.Select(c => client.CallAsync(none, "CLUSTER", c))).ConfigureAwait(false);
            })).ConfigureAwait(false);
        }

        /// <summary>MIGRATE is refused (CLUSTERDOWN) by a node not in cluster_state:ok: the masters that send or take keys must be ok first.</summary>
        private async Task WaitForStateOkAsync(RepairPlan plan, Run run, CancellationToken cancellationToken)
        {
            var involved = new HashSet<NodeId>(plan.Repairs.SelectMany(r => r.Donors.Select(d => d.Node).Concat(new[] { r.Owner }).Concat(r.FinishFrom == null ? new NodeId[0] : new[] { r.FinishFrom.Value })));
            if (involved.Count == 0) return;
            var deadline = new Deadline(SettleTimeout);
            await Poll.UntilAsync(async token =>
            {
                var states = await Task.WhenAll(involved.Select(async id =>
                {
                    var client = await run.ClientAsync(_connection, id).ConfigureAwait(false);
                    var info = InfoFields.Parse(await client.CallStringAsync(token, "CLUSTER", "INFO").ConfigureAwait(false));
                    return (Id: id, State: info.Get("cluster_state"));
                })).ConfigureAwait(false);
                var failing = states.Where(s => s.State != "ok").Select(s => $"{run.Name(s.Id)} reports cluster_state:{s.State}").ToList();
                return failing.Count == 0 ? PollResult<bool>.Done(true) : PollResult<bool>.Waiting(string.Join("; ", failing));
            }, deadline, state => new RedisClusterException(FailureKind.Timeout,
                $"The masters whose keys move did not all reach cluster_state:ok within {deadline.Timeout.TotalSeconds:0} s ({state}); MIGRATE needs it on both ends. " +
                "No key was moved; Test-RedisCluster shows what keeps the cluster down.") { ErrorId = ClusterWait.TimeoutErrorId },
                cancellationToken, status => run.Report($"Waiting for cluster_state:ok: {status}", 10)).ConfigureAwait(false);
        }

        /// <summary>
        /// Step 2 for one slot: the owner made ready to take keys (MIGRATING on it closed, IMPORTING set when it does
        /// not claim the slot), then every other master's keys sent to it, the sender MIGRATING (when it claims the
        /// slot) or IMPORTING (when it does not) so that MIGRATE runs on it whatever its view.
        /// </summary>
        private async Task GatherKeysAsync(SlotRepair repair, Run run)
        {
            var none = CancellationToken.None;
            int slot = repair.Slot;
            var owner = await run.ClientAsync(_connection, repair.Owner).ConfigureAwait(false);
            var ownerSelf = (await _connection.ReadTopologyAsync(run.EndPointOf(repair.Owner), none).ConfigureAwait(false)).Myself;
            if (ownerSelf.MigratingSlots.Any(m => m.Slot == slot)) await owner.CallAsync(none, "CLUSTER", "SETSLOT", slot, "STABLE").ConfigureAwait(false);
            var donors = repair.Donors.Select(d => d.Node).ToList();
            if (!ownerSelf.OwnsSlot(slot) && !ownerSelf.ImportingSlots.Any(m => m.Slot == slot && run.IsLive(m.Peer)))
            {
                // Whom it imports from does not matter to Redis; a live master keeps the marker meaningful to a reader.
                var peer = donors.Concat(run.LiveMasters).First(m => m != repair.Owner);
                await owner.CallAsync(none, "CLUSTER", "SETSLOT", slot, "IMPORTING", peer.ToString()).ConfigureAwait(false);
            }

            foreach (var donor in donors)
            {
                var client = await run.ClientAsync(_connection, donor).ConfigureAwait(false);
                var donorSelf = (await _connection.ReadTopologyAsync(run.EndPointOf(donor), none).ConfigureAwait(false)).Myself;
                string mode = donorSelf.OwnsSlot(slot) ? "MIGRATING" : "IMPORTING";
                await client.CallAsync(none, "CLUSTER", "SETSLOT", slot, mode, repair.Owner.ToString()).ConfigureAwait(false);
                var conflicts = await MoveKeysAsync(repair, donor, client, run).ConfigureAwait(false);
                if (conflicts.Count > 0)
                {
                    run.Conflict(slot, conflicts);
                    return;
                }
            }
        }

        /// <summary>
        /// GETKEYSINSLOT and MIGRATE (without REPLACE) until the donor holds no key of the slot. Keys the owner has too
        /// are settled one by one by <see cref="BusyKeys"/> under the repair's policy: with KeepOwnerCopy the donor's
        /// older copy is dropped; otherwise an equal copy moves over the owner's and a different one stops the slot
        /// (returned) with both values kept.
        /// </summary>
        private async Task<IReadOnlyList<string>> MoveKeysAsync(SlotRepair repair, NodeId donor, INodeClient client, Run run)
        {
            var none = CancellationToken.None;
            int slot = repair.Slot;
            var ownerEndPoint = run.EndPointOf(repair.Owner);
            var migrator = await _connection.GetNodeAsync(run.EndPointOf(donor), none, _options.MigrateTimeout + SlotMigrationBatches.ClientMargin).ConfigureAwait(false);
            var sides = new BusyKeySides
            {
                DumpOnSenderAsync = key => run.OnNodeAsync(donor, SlotMigrationBatches.DumpScript, key),
                DumpOnReceiverAsync = key => run.OnNodeAsync(repair.Owner, SlotMigrationBatches.DumpScript, key),
                MigrateAsync = (key, replace) => migrator.ExecuteAsync(
                    SlotMigrationBatches.Migrate(ownerEndPoint, _options.MigrateTimeout, replace, _authentication, new[] { key }), none),
                DropSenderCopyAsync = key => run.OnNodeAsync(donor, KeyScripts.Delete, key),
            };
            var conflicts = new List<string>();
            var unsettled = new HashSet<string>();
            while (true)
            {
                var listed = (await client.CallAsync(none, "CLUSTER", "GETKEYSINSLOT", slot, _options.KeysPerBatch).ConfigureAwait(false)).AsArray()
                    .Select(k => k.Bytes).Where(k => !unsettled.Contains(Encoding.UTF8.GetString(k))).ToList();
                if (listed.Count == 0) return conflicts;
                try
                {
                    await migrator.ExecuteAsync(SlotMigrationBatches.Migrate(ownerEndPoint, _options.MigrateTimeout, false, _authentication, listed), none).ConfigureAwait(false);
                    run.KeysMoved(slot, listed.Count);
                    continue;
                }
                catch (RedisServerErrorException e) when (SlotMigrationBatches.IsBusyKey(e))
                {
                    // The keys the owner accepted moved; the rest are settled one by one.
                }
                var different = await BusyKeys.SettleAsync(listed, repair.Policy, _options.Replace, sides,
                    action => { if (action == BusyKeyAction.DropSenderCopy) run.CopyDropped(slot); else run.KeysMoved(slot, 1); }).ConfigureAwait(false);
                conflicts.AddRange(different);
                unsettled.UnionWith(different);
            }
        }

        /// <summary>
        /// Step 4 for one slot: SETSLOT NODE on the owner first (from IMPORTING this bumps its epoch, so its claim wins
        /// everywhere; a claimant already bumps it with BUMPEPOCH when others claimed too), then every other master
        /// closes its markers and names the owner. Every other master is empty of the slot by now, so none loses keys.
        /// </summary>
        private async Task FinalizeAsync(SlotRepair repair, Run run)
        {
            var none = CancellationToken.None;
            int slot = repair.Slot;
            string ownerId = repair.Owner.ToString();
            var owner = await run.ClientAsync(_connection, repair.Owner).ConfigureAwait(false);
            var ownerSelf = (await _connection.ReadTopologyAsync(run.EndPointOf(repair.Owner), none).ConfigureAwait(false)).Myself;
            if (ownerSelf.OwnsSlot(slot))
            {
                if (ownerSelf.ImportingSlots.Any(m => m.Slot == slot) || ownerSelf.MigratingSlots.Any(m => m.Slot == slot))
                {
                    await owner.CallAsync(none, "CLUSTER", "SETSLOT", slot, "STABLE").ConfigureAwait(false);
                }
                if (repair.Problem == SlotProblem.MultipleOwners) await owner.CallAsync(none, "CLUSTER", "BUMPEPOCH").ConfigureAwait(false);
            }
            else
            {
                if (!ownerSelf.ImportingSlots.Any(m => m.Slot == slot))
                {
                    var peer = run.LiveMasters.First(m => m != repair.Owner);
                    await owner.CallAsync(none, "CLUSTER", "SETSLOT", slot, "IMPORTING", peer.ToString()).ConfigureAwait(false);
                }
                await owner.CallAsync(none, "CLUSTER", "SETSLOT", slot, "NODE", ownerId).ConfigureAwait(false);
            }

            await Task.WhenAll(run.LiveMasters.Where(m => m != repair.Owner).Select(async master =>
            {
                var client = await run.ClientAsync(_connection, master).ConfigureAwait(false);
                var self = (await _connection.ReadTopologyAsync(run.EndPointOf(master), none).ConfigureAwait(false)).Myself;
                try
                {
                    if (self.MigratingSlots.Any(m => m.Slot == slot) || self.ImportingSlots.Any(m => m.Slot == slot))
                    {
                        await client.CallAsync(none, "CLUSTER", "SETSLOT", slot, "STABLE").ConfigureAwait(false);
                    }
                    await client.CallAsync(none, "CLUSTER", "SETSLOT", slot, "NODE", ownerId).ConfigureAwait(false);
                }
                catch (RedisServerErrorException e) when (self.Role != NodeRole.Master || (e.Reply ?? string.Empty).Contains("only with masters"))
                {
                    // A master that gave its last slot turned into a replica: it follows its new master's view.
                }
            })).ConfigureAwait(false);
            run.Repaired(slot);
        }

        /// <summary>
        /// Key reads and deletes on a node in the middle of a move, as scripts with no declared key sent after ASKING:
        /// the node serves a slot it imports only after ASKING, and a miss on a migrating node stays inside the script
        /// (redis.pcall) instead of coming back as an ASK redirect the client library cannot follow on a direct link.
        /// </summary>
        private static class KeyScripts
        {
            public const string Delete =
                "local removed = redis.pcall('DEL', ARGV[1])\n" +
                "if type(removed) == 'number' then return removed end\n" +
                "return 0";
        }

        /// <summary>One repair's state: clients, per-slot counts and outcomes, progress.</summary>
        private sealed class Run : IDisposable
        {
            private readonly IReadOnlyDictionary<NodeId, NodeEndPoint> _endPoints;
            private readonly IReadOnlyDictionary<NodeId, string> _names;
            private readonly IProgress<OperationProgress> _progress;
            private readonly AskingClients _asking;
            private readonly ConcurrentDictionary<int, long> _keysMoved = new ConcurrentDictionary<int, long>();
            private readonly ConcurrentDictionary<int, long> _copiesDropped = new ConcurrentDictionary<int, long>();
            private readonly ConcurrentDictionary<int, IReadOnlyList<string>> _conflicts = new ConcurrentDictionary<int, IReadOnlyList<string>>();
            private readonly ConcurrentDictionary<int, bool> _repaired = new ConcurrentDictionary<int, bool>();
            private RedisClusterException _failure;

            public Run(ClusterSnapshot snapshot, AskingClients asking, IProgress<OperationProgress> progress)
            {
                _asking = asking;
                var masters = snapshot.Reachable.Where(n => n.Myself.Role == NodeRole.Master).ToList();
                _endPoints = masters.ToDictionary(n => n.Myself.Id, n => n.EndPoint);
                LiveMasters = masters.Select(n => n.Myself.Id).ToList();
                _names = masters.ToDictionary(n => n.Myself.Id, n => $"{n.EndPoint} ({n.Myself.Id.Short})");
                _progress = progress;
            }

            public IReadOnlyList<NodeId> LiveMasters { get; }

            public bool IsLive(NodeId id) => _endPoints.ContainsKey(id);
            public NodeEndPoint EndPointOf(NodeId id) => _endPoints[id];
            public string Name(NodeId id) => _names.TryGetValue(id, out var name) ? name : id.Short;

            public Task<INodeClient> ClientAsync(RedisClusterConnection connection, NodeId id) => connection.GetNodeAsync(EndPointOf(id), CancellationToken.None);

            public async Task<Dictionary<NodeId, ClusterTopology>> ReadViewsAsync(RedisClusterConnection connection, CancellationToken cancellationToken)
            {
                var views = await Task.WhenAll(LiveMasters.Select(m => connection.ReadTopologyAsync(EndPointOf(m), cancellationToken))).ConfigureAwait(false);
                return LiveMasters.Select((m, i) => (m, views[i])).ToDictionary(p => p.m, p => p.Item2);
            }

            /// <summary>A key script run after ASKING on a node, which may be importing the key's slot.</summary>
            public Task<RedisReply> OnNodeAsync(NodeId node, string script, byte[] key) =>
                _asking.ExecuteAsync(EndPointOf(node), new RedisCommand("EVAL", script, 0, key));

            public void KeysMoved(int slot, long count) => _keysMoved.AddOrUpdate(slot, count, (_, old) => old + count);
            public void CopyDropped(int slot) => _copiesDropped.AddOrUpdate(slot, 1, (_, old) => old + 1);
            public void Conflict(int slot, IReadOnlyList<string> keys) => _conflicts[slot] = keys;
            public void Repaired(int slot) => _repaired[slot] = true;
            public bool Stopped(int slot) => _conflicts.ContainsKey(slot);

            /// <summary>
            /// The slot executor counts keys per run, not per slot: each finished slot is credited with the keys the
            /// census found on its source, and what differs (keys written or deleted since) goes to the first.
            /// </summary>
            public void AddKeys(IReadOnlyList<SlotRepair> finished, long keys)
            {
                var done = finished.Where(r => !Stopped(r.Slot)).ToList();
                foreach (var repair in done)
                {
                    Repaired(repair.Slot);
                    KeysMoved(repair.Slot, repair.KeysToMove);
                }
                if (done.Count > 0) KeysMoved(done[0].Slot, keys - done.Sum(r => r.KeysToMove));
            }

            public void Fail(RedisClusterException failure) => _failure = _failure ?? failure;

            public SlotRepairResult ResultOf(SlotRepairGroup group)
            {
                var slots = group.Repairs.Select(r => r.Slot).ToList();
                long moved = slots.Sum(s => _keysMoved.TryGetValue(s, out long k) ? k : 0);
                long dropped = slots.Sum(s => _copiesDropped.TryGetValue(s, out long k) ? k : 0);
                var conflicts = slots.Where(_conflicts.ContainsKey).SelectMany(s => _conflicts[s]).ToList();
                string owner = _endPoints.TryGetValue(group.Repairs[0].Owner, out var endPoint) ? endPoint.ToString() : string.Empty;
                if (conflicts.Count > 0)
                {
                    return new SlotRepairResult(group, owner, SlotRepairOutcome.KeyConflict, moved, dropped, conflicts,
                        $"{group.Description}. Stopped: {conflicts.Count} key(s) have different values on two masters; the slot is left open with both. " +
                        "Compare them, delete the copy not wanted, and run Repair-RedisCluster again.");
                }
                if (slots.All(_repaired.ContainsKey)) return new SlotRepairResult(group, owner, SlotRepairOutcome.Repaired, moved, dropped, null, group.Description);
                string why = _failure == null ? "the repair stopped before these slots" : _failure.Message;
                return new SlotRepairResult(group, owner, SlotRepairOutcome.Failed, moved, dropped, null,
                    $"{group.Description}. Not finished: {why} Running Repair-RedisCluster again resumes from the cluster's state.");
            }

            public void Report(string status, int percent)
            {
                long keys = _keysMoved.Values.Sum();
                _progress?.Report(new OperationProgress(Activity, status, percent, $"{_repaired.Count} slot(s) repaired, {keys} key(s) moved"));
            }

            public void Dispose()
            {
                _asking.Dispose();
            }
        }
    }
}
