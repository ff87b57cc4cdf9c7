using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Moves slots with their keys, key by key, with the protocol Redis 7 requires: SETSLOT IMPORTING on the
    /// target, MIGRATING on the source, GETKEYSINSLOT and MIGRATE until the slot is empty, then SETSLOT NODE on the
    /// target, the source and every other master. Sources work in parallel; each opens, empties and closes a group
    /// of slots at a time with pipelined bursts, which is where the time goes (a round trip and a nodes.conf save
    /// per SETSLOT), not in the keys. It records nothing of its own: a slot left open by a crash is found again
    /// from the nodes' MIGRATING/IMPORTING markers (<see cref="OpenSlotMoves"/>) and finished by moving it again.
    /// </summary>
    public sealed class SlotMigrator
    {
        private const string Activity = "Moving slots";

        private readonly RedisClusterConnection _connection;
        private readonly SlotMigrationOptions _options;
        private readonly MigrateAuthentication _authentication;

        public SlotMigrator(RedisClusterConnection connection, SlotMigrationOptions options = null)
        {
            _connection = connection ?? throw new ArgumentNullException(nameof(connection));
            _options = options ?? new SlotMigrationOptions();
            _options.Validate();
            _authentication = MigrateAuthentication.From(connection.Settings);
        }

        public SlotMigrationOptions Options => _options;

        /// <summary>
        /// The moves that finish every slot left open: a slot MIGRATING on its owner moves to the node it points at,
        /// a slot IMPORTING on a node moves there from the node it names. Slots whose markers disagree (two targets,
        /// or markers that name different pairs) are not returned: they are for a repair to decide.
        /// </summary>
        public static IReadOnlyList<SlotMove> OpenSlotMoves(ClusterSnapshot snapshot)
        {
            if (snapshot == null) throw new ArgumentNullException(nameof(snapshot));
            return OpenSlotMoves(snapshot.Reachable.Select(n => n.Myself).Where(self => self != null));
        }

        /// <summary>The same from each node's line about itself, as its own CLUSTER NODES gives it.</summary>
        internal static IReadOnlyList<SlotMove> OpenSlotMoves(IEnumerable<RedisClusterNode> myselves)
        {
            var markers = new List<SlotMove>();
            foreach (var self in myselves)
            {
                markers.AddRange(self.MigratingSlots.Where(m => m.Peer != self.Id).Select(m => new SlotMove(m.Slot, self.Id, m.Peer)));
                markers.AddRange(self.ImportingSlots.Where(m => m.Peer != self.Id).Select(m => new SlotMove(m.Slot, m.Peer, self.Id)));
            }
            return markers.GroupBy(m => m.Slot)
                .Where(g => g.Distinct().Count() == 1)
                .Select(g => g.First())
                .OrderBy(m => m.Slot)
                .ToList();
        }

        /// <summary>
        /// Moves the slots. Ctrl+C (the token) lets every group of slots in flight finish and close, then returns
        /// with the rest reported NotStarted: no slot is left open. A key found on both sides with different values
        /// stops its slot (left open, reported) unless <see cref="SlotMigrationOptions.Replace"/>. Any other failure
        /// stops every source after its group in flight and throws, naming the slots left open.
        /// </summary>
        public async Task<SlotMigrationResult> MoveAsync(IReadOnlyList<SlotMove> moves, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            if (moves == null) throw new ArgumentNullException(nameof(moves));
            SlotMigrationBatches.EnsureEachSlotOnce(moves);
            var topology = await _connection.GetTopologyAsync(cancellationToken).ConfigureAwait(false);
            var run = new Run(topology, moves, new AskingClients(_connection), progress, cancellationToken);
            EnsureMastersKnown(topology, moves);

            var serverSide = await ServerSideMethodsAsync(moves, run).ConfigureAwait(false);

            var bySource = SlotMigrationBatches.GroupBySource(moves, _options.SlotsPerGroup);
            run.Report($"Moving {moves.Count} slot(s) from {bySource.Count} source(s)");
            using (var workers = new SemaphoreSlim(_options.Parallelism == 0 ? Math.Max(1, bySource.Count) : _options.Parallelism))
            {
                try
                {
                    await Task.WhenAll(bySource.Select(groups => RunSourceAsync(groups, workers, run))).ConfigureAwait(false);
                }
                finally
                {
                    run.Dispose();
                }
            }

            var failure = run.Failures.FirstOrDefault();
            if (failure != null)
            {
                var open = run.OpenSlots.Keys.OrderBy(s => s).ToList();
                var where = open.Count == 0 ? "No slot was left open." :
                    $"Slot(s) {new SlotRangeList(SlotRange.FromSlots(open))} were being moved and may be left open (MIGRATING/IMPORTING); moving the cluster's open slots again (OpenSlotMoves) finishes them with every key.";
                throw new RedisClusterException(failure.Kind, $"Moving slots stopped after {run.SlotsMoved} of {moves.Count} slot(s): {failure.Message} {where}", failure.EndPoint, failure)
                { ErrorId = "SlotMigrationStopped" };
            }
            run.Report("Slots moved", 100);
            return new SlotMigrationResult(moves.Count, run.SlotsMoved, run.KeysMoved, run.Clock.Elapsed, run.StoppedByCancellation,
                run.Issues.OrderBy(i => i.Slot).ToList(), serverSide);
        }

        /// <summary>
        /// The server-side slot migrations (Valkey 9 CLUSTER MIGRATESLOTS, Redis 8.4 CLUSTER MIGRATION) that every
        /// source and target knows, asked with COMMAND INFO. They are only reported: this version moves key by key,
        /// the one path that can be tested against the Redis 7 servers it is built with. A node that does not answer
        /// (an ACL without COMMAND, say) offers none.
        /// </summary>
        private async Task<IReadOnlyList<SlotMigrationMethod>> ServerSideMethodsAsync(IReadOnlyList<SlotMove> moves, Run run)
        {
            var none = CancellationToken.None;
            var names = SlotMigrationBatches.ServerSideCommands.Select(c => (object)c.Name).ToArray();
            var offers = await Task.WhenAll(moves.SelectMany(m => new[] { m.Source, m.Target }).Distinct().Select(async id =>
            {
                try
                {
                    var client = await _connection.GetNodeAsync(run.EndPointOf(id), none).ConfigureAwait(false);
                    var reply = await client.ExecuteAsync(new RedisCommand("COMMAND", new object[] { "INFO" }.Concat(names).ToArray()), none).ConfigureAwait(false);
                    return SlotMigrationBatches.ServerSideMethods(reply);
                }
                catch (RedisClusterException)
                {
                    return new SlotMigrationMethod[0];
                }
            })).ConfigureAwait(false);
            return offers.Length == 0 ? new SlotMigrationMethod[0] : offers.Aggregate((IEnumerable<SlotMigrationMethod>)offers[0], (all, one) => all.Intersect(one)).ToList();
        }

        private static void EnsureMastersKnown(ClusterTopology topology, IReadOnlyList<SlotMove> moves)
        {
            var unfit = moves.SelectMany(m => new[] { m.Source, m.Target }).Distinct()
                .Where(id => topology.Find(id) is var node && (node == null || node.Role != NodeRole.Master || node.ToEndPoint() == null))
                .ToList();
            if (unfit.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"Slots move only between masters the cluster knows; not one: {string.Join(", ", unfit.Select(id => id.Short))}. Nothing was changed.")
                { ErrorId = "SlotMoveNodeNotMaster" };
            }
        }

        private async Task RunSourceAsync(IReadOnlyList<SlotGroup> groups, SemaphoreSlim workers, Run run)
        {
            for (int i = 0; i < groups.Count; i++)
            {
                await workers.WaitAsync().ConfigureAwait(false);
                try
                {
                    if (run.ShouldStop)
                    {
                        run.LeftUndone();
                        foreach (var group in groups.Skip(i))
                        {
                            foreach (int slot in group.Slots)
                            {
                                run.Issues.Add(new SlotMigrationIssue(new SlotMove(slot, group.Source, group.Target), SlotMigrationOutcome.NotStarted,
                                    "stopped before this slot was started; it was not touched."));
                            }
                        }
                        return;
                    }
                    await MoveGroupAsync(groups[i], run).ConfigureAwait(false);
                }
                catch (RedisClusterException e)
                {
                    run.Fail(e);
                }
                finally
                {
                    workers.Release();
                }
            }
        }

        /// <summary>
        /// Opens, empties and closes one group of slots. Commands go out with no cancellation: once a slot is open
        /// it is finished, so a Ctrl+C never leaves one half moved.
        /// </summary>
        private async Task MoveGroupAsync(SlotGroup group, Run run)
        {
            var none = CancellationToken.None;
            var sourceEndPoint = run.EndPointOf(group.Source);
            var targetEndPoint = run.EndPointOf(group.Target);
            var source = await _connection.GetBulkNodeAsync(sourceEndPoint, none).ConfigureAwait(false);
            var target = await _connection.GetBulkNodeAsync(targetEndPoint, none).ConfigureAwait(false);
            string sourceId = group.Source.ToString(), targetId = group.Target.ToString();
            SlotMove Move(int slot) => new SlotMove(slot, group.Source, group.Target);

            // IMPORTING first, so that from the moment the source answers ASK the target accepts the asked commands.
            var active = group.Slots.ToList();
            foreach (int slot in active) run.OpenSlots[slot] = true;
            var importing = await OutcomesAsync(active, s => target.CallAsync(none, "CLUSTER", "SETSLOT", s, "IMPORTING", sourceId)).ConfigureAwait(false);
            SlotMigrationStopPoints.Reach(SlotMigrationStopPoint.AfterImporting);
            var ownedByTarget = new HashSet<int>();
            if (importing.Count > 0)
            {
                // The target refuses IMPORTING for a slot it owns already: a move finished, or stopped between the
                // target's SETSLOT NODE and the source's. Anything else is a real failure.
                var targetView = await _connection.ReadTopologyAsync(targetEndPoint, none).ConfigureAwait(false);
                foreach (var refused in importing)
                {
                    if (!targetView.Myself.OwnsSlot(refused.Key)) throw refused.Value;
                    ownedByTarget.Add(refused.Key);
                }
            }

            // The first listing goes right behind the MIGRATING burst on the same connection, so the source runs it
            // once every slot is MIGRATING (no key can be added then) and the group saves a round trip.
            var migratingCalls = OutcomesAsync(active, s => source.CallAsync(none, "CLUSTER", "SETSLOT", s, "MIGRATING", targetId));
            var firstListing = ListKeysAsync(source, active.ToList());
            _ = firstListing.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            var migrating = await migratingCalls.ConfigureAwait(false);
            SlotMigrationStopPoints.Reach(SlotMigrationStopPoint.AfterMigrating);
            if (migrating.Count > 0)
            {
                var sourceView = await _connection.ReadTopologyAsync(sourceEndPoint, none).ConfigureAwait(false);
                foreach (var refused in migrating)
                {
                    int slot = refused.Key;
                    if (sourceView.Myself.OwnsSlot(slot)) throw refused.Value;
                    active.Remove(slot);
                    run.OpenSlots.TryRemove(slot, out _);
                    if (ownedByTarget.Contains(slot))
                    {
                        run.Issues.Add(new SlotMigrationIssue(Move(slot), SlotMigrationOutcome.AlreadyOnTarget, "the target owns it already; nothing to move."));
                    }
                    else
                    {
                        // Neither side owns it: the IMPORTING just set is taken back so the target is as it was.
                        await target.CallAsync(none, "CLUSTER", "SETSLOT", slot, "STABLE").ConfigureAwait(false);
                        run.Issues.Add(new SlotMigrationIssue(Move(slot), SlotMigrationOutcome.SourceNotOwner,
                            $"{group.Source.Short} does not own it (the plan no longer fits the cluster); it was left as it was."));
                    }
                }
            }

            var conflicts = await EmptySlotsAsync(active, firstListing, source, sourceEndPoint, targetEndPoint, run).ConfigureAwait(false);
            foreach (var conflict in conflicts)
            {
                active.Remove(conflict.Key);
                run.OpenSlots.TryRemove(conflict.Key, out _);
                run.Issues.Add(new SlotMigrationIssue(Move(conflict.Key), SlotMigrationOutcome.KeyConflict,
                    $"{conflict.Value.Count} key(s) exist on both {group.Source.Short} and {group.Target.Short} with different values; the slot is left open " +
                    "(MIGRATING/IMPORTING) so no value is lost. Compare them, delete the copy not wanted, and move the slot again, or move it with Replace.",
                    conflict.Value));
            }

            await CloseSlotsAsync(group, active, source, target, sourceEndPoint, run).ConfigureAwait(false);
            foreach (int slot in active) run.OpenSlots.TryRemove(slot, out _);
            run.SlotDone(active.Count);
        }

        /// <summary>
        /// Lists and MIGRATEs, round after round until every slot is empty: every pending slot's keys are listed
        /// (and the big ones found), then one MIGRATE per slot goes out, pipelined. Returns the slots stopped by
        /// keys whose two values differ, with those keys.
        /// </summary>
        private async Task<Dictionary<int, IReadOnlyList<string>>> EmptySlotsAsync(
            List<int> slots, Task<IReadOnlyList<SlotListing>> firstListing, INodeClient source, NodeEndPoint sourceEndPoint, NodeEndPoint targetEndPoint, Run run)
        {
            var none = CancellationToken.None;
            var conflicts = new Dictionary<int, IReadOnlyList<string>>();
            var failures = new Dictionary<int, int>();
            var migrator = await _connection.GetBulkNodeAsync(sourceEndPoint, none, _options.MigrateTimeout + SlotMigrationBatches.ClientMargin).ConfigureAwait(false);
            var pending = slots;
            while (pending.Count > 0)
            {
                // The first listing was asked for the whole group: a slot dropped since (its source did not own it) is left out.
                var listings = firstListing != null
                    ? (await firstListing.ConfigureAwait(false)).Where(l => pending.Contains(l.Slot)).ToList()
                    : await ListKeysAsync(source, pending).ConfigureAwait(false);
                firstListing = null;
                var migrations = new Task<RedisReply>[listings.Count];
                for (int i = 0; i < listings.Count; i++)
                {
                    var ordinary = listings[i].OrdinaryKeys;
                    if (ordinary.Count > 0)
                    {
                        migrations[i] = migrator.ExecuteAsync(SlotMigrationBatches.Migrate(targetEndPoint, _options.MigrateTimeout, false, _authentication, ordinary), none);
                    }
                }

                var next = new List<int>();
                bool retrying = false;
                for (int i = 0; i < listings.Count; i++)
                {
                    var listing = listings[i];
                    int slot = listing.Slot;
                    if (migrations[i] == null) continue;
                    try
                    {
                        await migrations[i].ConfigureAwait(false);
                        run.KeysDone(listing.OrdinaryKeys.Count);
                        SlotMigrationStopPoints.Reach(SlotMigrationStopPoint.MidSlot, listing.OrdinaryKeys.Count >= _options.KeysPerBatch);
                    }
                    catch (RedisServerErrorException e) when (SlotMigrationBatches.IsBusyKey(e))
                    {
                        // A multi-key MIGRATE moves every key the target accepts and keeps those it refused: they
                        // are settled one by one, and the slot is listed again.
                        var different = await SettleBusyKeysAsync(source, migrator, targetEndPoint, listing.OrdinaryKeys, _options.MigrateTimeout, run).ConfigureAwait(false);
                        if (different.Count > 0) conflicts[slot] = different;
                        else next.Add(slot);
                    }
                    catch (RedisClusterException e) when (SlotMigrationBatches.IsTransient(e))
                    {
                        // The keys stay on the source until the target has them, so the slot is listed again and
                        // what is left moves in the next round: a retry never sends a key the target already took.
                        failures.TryGetValue(slot, out int failed);
                        if (++failed > _options.MigrateRetries) throw;
                        failures[slot] = failed;
                        retrying = true;
                        next.Add(slot);
                    }
                }
                foreach (var listing in listings)
                {
                    int slot = listing.Slot;
                    foreach (var (key, bytes) in listing.BigKeys)
                    {
                        if (conflicts.ContainsKey(slot)) break;
                        var different = await MigrateBigKeyAsync(source, sourceEndPoint, targetEndPoint, key, bytes, run).ConfigureAwait(false);
                        if (different.Count > 0) conflicts[slot] = different;
                    }
                    // A MIGRATING slot gains no keys (new keys are asked to the target), so a short listing that all
                    // moved means the slot is empty; and SETSLOT NODE on the source refuses a slot that still has keys.
                    if (!conflicts.ContainsKey(slot) && listing.Count >= _options.KeysPerBatch && !next.Contains(slot)) next.Add(slot);
                }
                if (retrying) await Task.Delay(SlotMigrationBatches.RetryDelay(failures.Values.Max())).ConfigureAwait(false);
                pending = next;
            }
            return conflicts;
        }

        /// <summary>
        /// The keys of each slot given. With the big-key check on, one script per few slots lists each slot's keys on
        /// the source, asks MEMORY USAGE of each and returns the keys with the big ones' sizes beside them: the keys are
        /// listed once, and a script call's fixed cost is shared by its slots. With the check off, plain CLUSTER
        /// GETKEYSINSLOT. Either way the calls go out in one pipelined burst.
        /// </summary>
        private async Task<IReadOnlyList<SlotListing>> ListKeysAsync(INodeClient source, IReadOnlyList<int> slots)
        {
            var none = CancellationToken.None;
            if (_options.BigKeyBytes <= 0)
            {
                var listed = await Task.WhenAll(slots.Select(slot => source.CallAsync(none, "CLUSTER", "GETKEYSINSLOT", slot, _options.KeysPerBatch))).ConfigureAwait(false);
                return SlotMigrationBatches.ReadListings(slots, listed, null);
            }
            var scripts = SlotMigrationBatches.ListingScriptChunks(slots).Select(chunk => source.ExecuteAsync(new RedisCommand("EVAL",
                new object[] { SourceScripts.ListWithSizes, 0, _options.KeysPerBatch, _options.BigKeyBytes }.Concat(chunk.Cast<object>()).ToArray()), none)).ToList();
            var (keys, bigs) = SlotMigrationBatches.SplitScriptListings(await Task.WhenAll(scripts).ConfigureAwait(false), slots.Count);
            return SlotMigrationBatches.ReadListings(slots, keys, bigs);
        }

        /// <summary>A big key alone, on a client whose timeout covers the MIGRATE timeout its size calls for.</summary>
        private async Task<IReadOnlyList<string>> MigrateBigKeyAsync(INodeClient source, NodeEndPoint sourceEndPoint, NodeEndPoint targetEndPoint, byte[] key, long bytes, Run run)
        {
            var timeout = SlotMigrationBatches.TimeoutForSize(bytes, _options);
            var client = await _connection.GetBulkNodeAsync(sourceEndPoint, CancellationToken.None, SlotMigrationBatches.ClientTimeoutFor(timeout + SlotMigrationBatches.ClientMargin)).ConfigureAwait(false);
            try
            {
                await client.ExecuteAsync(SlotMigrationBatches.Migrate(targetEndPoint, timeout, false, _authentication, new[] { key }), CancellationToken.None).ConfigureAwait(false);
                run.KeysDone(1);
                return new string[0];
            }
            catch (RedisServerErrorException e) when (SlotMigrationBatches.IsBusyKey(e))
            {
                return await SettleBusyKeysAsync(source, client, targetEndPoint, new[] { key }, timeout, run).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Keys the target already has, settled by <see cref="BusyKeys"/>: an equal value (a MIGRATE that reached the
        /// target but failed before the source deleted its copy) is replaced; a different one is replaced only with
        /// the Replace option, else returned so its slot stops.
        /// </summary>
        private Task<IReadOnlyList<string>> SettleBusyKeysAsync(
            INodeClient source, INodeClient migrator, NodeEndPoint targetEndPoint, IReadOnlyList<byte[]> keys, TimeSpan timeout, Run run) =>
            BusyKeys.SettleAsync(keys, KeyConflictPolicy.CompareValues, _options.Replace, new BusyKeySides
            {
                DumpOnSenderAsync = key => DumpOnSourceAsync(source, key),
                DumpOnReceiverAsync = key => run.DumpOnTargetAsync(targetEndPoint, key),
                MigrateAsync = (key, replace) => migrator.ExecuteAsync(
                    SlotMigrationBatches.Migrate(targetEndPoint, timeout, replace, _authentication, new[] { key }), CancellationToken.None),
            }, _ => run.KeysDone(1));

        /// <summary>DUMP of a key on the source; null when it is not there (it moved, or a client deleted it).</summary>
        private static Task<RedisReply> DumpOnSourceAsync(INodeClient source, byte[] key) =>
            source.ExecuteAsync(new RedisCommand("EVAL", SlotMigrationBatches.DumpScript, 0, key), CancellationToken.None);

        /// <summary>
        /// Reads of keys on a MIGRATING source, as scripts with no declared key: one script lists and sizes the keys of
        /// several slots in one call, and a key gone meanwhile is an error value that redis.pcall turns into data
        /// rather than an ASK reply to the client. All keys a script reads are in slots the source still owns.
        /// </summary>
        private static class SourceScripts
        {
            // ARGV: how many keys of a slot to list, the big-key size, then the slots. For each slot, in order: its keys
            // as GETKEYSINSLOT lists them, and the names and sizes of those above the size, flat (usually none).
            public const string ListWithSizes =
                "local count = tonumber(ARGV[1])\n" +
                "local big = tonumber(ARGV[2])\n" +
                "local listings = {}\n" +
                "for i = 3, #ARGV do\n" +
                "  local keys = redis.call('CLUSTER', 'GETKEYSINSLOT', tonumber(ARGV[i]), count)\n" +
                "  local found = {}\n" +
                "  for _, key in ipairs(keys) do\n" +
                "    local size = redis.pcall('MEMORY', 'USAGE', key)\n" +
                "    if type(size) == 'number' and size > big then found[#found + 1] = key; found[#found + 1] = size end\n" +
                "  end\n" +
                "  listings[#listings + 1] = { keys, found }\n" +
                "end\n" +
                "return listings";
        }

        /// <summary>
        /// SETSLOT NODE on the target first (so the slot is served the moment the source lets go), then on the
        /// source and every other master together, each as one pipelined burst. Other masters would learn it by gossip
        /// too: a failure there is a warning, not a stop.
        /// </summary>
        private async Task CloseSlotsAsync(SlotGroup group, IReadOnlyList<int> slots, INodeClient source, INodeClient target, NodeEndPoint sourceEndPoint, Run run)
        {
            if (slots.Count == 0) return;
            var none = CancellationToken.None;
            string targetId = group.Target.ToString();
            var onTarget = await OutcomesAsync(slots, s => target.CallAsync(none, "CLUSTER", "SETSLOT", s, "NODE", targetId)).ConfigureAwait(false);
            if (onTarget.Count > 0) throw onTarget.First().Value;
            SlotMigrationStopPoints.Reach(SlotMigrationStopPoint.BetweenNodeSetSlots);

            // The source and the other masters at once: once the target owns the slots, the order among the rest
            // does not matter (the source answers ASK for a key it lacks, the others MOVED to the target).
            var onSourceCalls = OutcomesAsync(slots, s => source.CallAsync(none, "CLUSTER", "SETSLOT", s, "NODE", targetId));
            var others = run.Masters.Where(m => m.Id != group.Source && m.Id != group.Target).ToList();
            var onOthers = Task.WhenAll(others.Select(async master =>
            {
                try
                {
                    var client = await _connection.GetBulkNodeAsync(master.ToEndPoint(), none).ConfigureAwait(false);
                    var refused = await OutcomesAsync(slots, s => client.CallAsync(none, "CLUSTER", "SETSLOT", s, "NODE", targetId)).ConfigureAwait(false);
                    if (refused.Count > 0) run.WarnOnce(master, refused.First().Value);
                }
                catch (RedisClusterException e)
                {
                    run.WarnOnce(master, e);
                }
            }));

            var onSource = await onSourceCalls.ConfigureAwait(false);
            await onOthers.ConfigureAwait(false);
            if (onSource.Count > 0)
            {
                // A source that gave its last slot may have turned into a replica of the target meanwhile, and a
                // replica refuses SETSLOT; it follows its master's view. A master that refuses still holds keys.
                var sourceView = await _connection.ReadTopologyAsync(sourceEndPoint, none).ConfigureAwait(false);
                if (sourceView.Myself.Role == NodeRole.Master) throw onSource.First().Value;
            }
        }

        /// <summary>Sends one command per slot as one pipelined burst; returns the slots whose command got an error reply.</summary>
        private static async Task<Dictionary<int, RedisServerErrorException>> OutcomesAsync(IReadOnlyList<int> slots, Func<int, Task<RedisReply>> send)
        {
            var calls = slots.Select(send).ToList();
            var refused = new Dictionary<int, RedisServerErrorException>();
            for (int i = 0; i < calls.Count; i++)
            {
                try
                {
                    await calls[i].ConfigureAwait(false);
                }
                catch (RedisServerErrorException e) when (e.Code == ServerErrorCode.Err)
                {
                    refused[slots[i]] = e;
                }
            }
            return refused;
        }

        /// <summary>The shared state of one MoveAsync: counters, issues, open slots, and what stops the workers.</summary>
        private sealed class Run : IDisposable
        {
            private readonly IReadOnlyDictionary<NodeId, NodeEndPoint> _endPoints;
            private readonly IProgress<OperationProgress> _progress;
            private readonly CancellationToken _cancellation;
            private readonly int _planned;
            private readonly ConcurrentDictionary<NodeId, bool> _warned = new ConcurrentDictionary<NodeId, bool>();
            private readonly AskingClients _asking;
            private readonly object _reportLock = new object();
            private string _status;
            private long _keys;
            private int _slots;
            private volatile bool _failed;
            private volatile bool _leftUndone;

            public Run(ClusterTopology topology, IReadOnlyList<SlotMove> moves, AskingClients asking, IProgress<OperationProgress> progress, CancellationToken cancellation)
            {
                _asking = asking;
                _endPoints = topology.Nodes.Where(n => n.ToEndPoint() != null).GroupBy(n => n.Id).ToDictionary(g => g.Key, g => g.First().ToEndPoint());
                Masters = topology.Masters.Where(m => m.ToEndPoint() != null).ToList();
                _progress = progress;
                _cancellation = cancellation;
                _planned = moves.Count;
            }

            public Stopwatch Clock { get; } = Stopwatch.StartNew();
            public IReadOnlyList<RedisClusterNode> Masters { get; }
            public ConcurrentBag<SlotMigrationIssue> Issues { get; } = new ConcurrentBag<SlotMigrationIssue>();
            public ConcurrentQueue<RedisClusterException> Failures { get; } = new ConcurrentQueue<RedisClusterException>();

            /// <summary>Slots opened and not yet closed or reported: what a failure leaves open.</summary>
            public ConcurrentDictionary<int, bool> OpenSlots { get; } = new ConcurrentDictionary<int, bool>();

            public long KeysMoved => Interlocked.Read(ref _keys);
            public int SlotsMoved => Volatile.Read(ref _slots);
            public bool ShouldStop => _failed || _cancellation.IsCancellationRequested;

            /// <summary>True when Ctrl+C, and nothing else, left slots of the plan unstarted.</summary>
            public bool StoppedByCancellation => _leftUndone && !_failed && _cancellation.IsCancellationRequested;

            public void LeftUndone() => _leftUndone = true;

            public NodeEndPoint EndPointOf(NodeId id) => _endPoints[id];

            public void Fail(RedisClusterException failure)
            {
                Failures.Enqueue(failure);
                _failed = true;
            }

            public void KeysDone(int count) => Interlocked.Add(ref _keys, count);

            public void SlotDone(int count)
            {
                Interlocked.Add(ref _slots, count);
                Report(_status);
            }

            public void Report(string status, int? percent = null)
            {
                if (_progress == null) return;
                lock (_reportLock)
                {
                    _status = status;
                    double seconds = Clock.Elapsed.TotalSeconds;
                    long rate = seconds > 0 ? (long)(KeysMoved / seconds) : 0;
                    int done = SlotsMoved;
                    int left = SlotMigrationBatches.SecondsRemaining(seconds, done, _planned);
                    _progress.Report(new OperationProgress(Activity, status, percent ?? (_planned == 0 ? 100 : Math.Min(99, done * 100 / _planned)),
                        $"{done} of {_planned} slots, {KeysMoved} keys, {rate} keys/s" + (left >= 0 ? $", about {left} s left" : string.Empty),
                        percent == 100 ? 0 : left));
                }
            }

            public void WarnOnce(RedisClusterNode master, RedisClusterException failure)
            {
                if (_progress == null || !_warned.TryAdd(master.Id, true)) return;
                _progress.Report(OperationProgress.Warning(
                    $"{master.EndPoint} did not take the new owner of moved slots ({failure.Message}); it learns it from the other nodes."));
            }

            /// <summary>DUMP of a key on the target, which serves a slot it is importing only after ASKING.</summary>
            public Task<RedisReply> DumpOnTargetAsync(NodeEndPoint target, byte[] key) =>
                _asking.ExecuteAsync(target, new RedisCommand("DUMP", key));

            public void Dispose()
            {
                _asking.Dispose();
            }
        }
    }
}
