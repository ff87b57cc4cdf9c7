using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// The settings of one node that must match across a cluster. Passwords are read only to learn whether they are
    /// set: the values never leave the method that reads them.
    /// </summary>
    public sealed class NodeConfiguration
    {
        public NodeConfiguration(NodeEndPoint endPoint, long? nodeTimeoutMilliseconds, long? replicaPingPeriodSeconds, bool? hasRequirePass, bool? hasMasterAuth)
        {
            EndPoint = endPoint;
            NodeTimeoutMilliseconds = nodeTimeoutMilliseconds;
            ReplicaPingPeriodSeconds = replicaPingPeriodSeconds;
            HasRequirePass = hasRequirePass;
            HasMasterAuth = hasMasterAuth;
        }

        internal NodeConfiguration(NodeEndPoint endPoint, RedisClusterException failure)
        {
            EndPoint = endPoint;
            Failure = failure;
        }

        public NodeEndPoint EndPoint { get; }

        /// <summary>cluster-node-timeout.</summary>
        public long? NodeTimeoutMilliseconds { get; }

        /// <summary>repl-ping-replica-period: how often a master pings an idle replica.</summary>
        public long? ReplicaPingPeriodSeconds { get; }

        /// <summary>Whether requirepass is set (never its value).</summary>
        public bool? HasRequirePass { get; }

        /// <summary>Whether masterauth is set (never its value).</summary>
        public bool? HasMasterAuth { get; }

        /// <summary>Why the settings could not be read; null when they were.</summary>
        public RedisClusterException Failure { get; }
    }

    /// <summary>A master's keys: how many it holds, how many lie in its own slots, and where the others are.</summary>
    public sealed class MasterKeyCount
    {
        public MasterKeyCount(NodeEndPoint endPoint, long keyCount, long keysInOwnSlots, IReadOnlyDictionary<int, long> strandedKeysBySlot)
        {
            EndPoint = endPoint;
            KeyCount = keyCount;
            KeysInOwnSlots = keysInOwnSlots;
            StrandedKeysBySlot = strandedKeysBySlot ?? new Dictionary<int, long>();
        }

        internal MasterKeyCount(NodeEndPoint endPoint, RedisClusterException failure)
        {
            EndPoint = endPoint;
            Failure = failure;
            StrandedKeysBySlot = new Dictionary<int, long>();
        }

        public NodeEndPoint EndPoint { get; }

        /// <summary>DBSIZE.</summary>
        public long KeyCount { get; }

        /// <summary>Keys in the slots the master owns or is importing, by its own view.</summary>
        public long KeysInOwnSlots { get; }

        /// <summary>Slots the master neither owns nor imports that hold keys on it, with how many: keys no client can reach.</summary>
        public IReadOnlyDictionary<int, long> StrandedKeysBySlot { get; }

        public RedisClusterException Failure { get; }
    }

    /// <summary>
    /// What a health check needs beyond a snapshot: each node's settings, each master's keys counted slot by slot,
    /// and the placement host of every node. Every node is asked at once; a master's per-slot counts are sent in one
    /// burst and pipeline on its socket.
    /// </summary>
    public sealed class ClusterHealthReadings
    {
        public ClusterHealthReadings(
            IEnumerable<NodeConfiguration> configuration, IEnumerable<MasterKeyCount> keyCounts, IReadOnlyDictionary<NodeEndPoint, string> hosts)
        {
            Configuration = configuration.ToDictionary(c => c.EndPoint);
            KeyCounts = keyCounts.ToDictionary(k => k.EndPoint);
            Hosts = hosts;
        }

        public IReadOnlyDictionary<NodeEndPoint, NodeConfiguration> Configuration { get; }
        public IReadOnlyDictionary<NodeEndPoint, MasterKeyCount> KeyCounts { get; }

        /// <summary>The placement host (address or failure domain) of each node.</summary>
        public IReadOnlyDictionary<NodeEndPoint, string> Hosts { get; }

        /// <summary>Reads settings from every reachable node, keys from every reachable master, and the hosts of all nodes.</summary>
        public static async Task<ClusterHealthReadings> ReadAsync(ClusterSnapshot snapshot, HostResolver hosts, CancellationToken cancellationToken)
        {
            var budget = snapshot.Connection.Settings.ConnectTimeout;
            var nodes = snapshot.Reachable.ToList();
            var configuration = Task.WhenAll(nodes.Select(n => ReadConfigurationAsync(snapshot.Connection, n.EndPoint, budget, cancellationToken)));
            // A master whose INFO listed no keys cannot hold stranded ones: it is not asked again.
            var keys = Task.WhenAll(nodes.Where(n => n.Myself.Role == NodeRole.Master)
                .Select(n => n.KeyCount == 0
                    ? Task.FromResult(new MasterKeyCount(n.EndPoint, 0, 0, null))
                    : CountKeysAsync(snapshot.Connection, n.EndPoint, n.Myself, budget, cancellationToken)));
            var placed = await ResolveHostsAsync(snapshot, hosts).ConfigureAwait(false);
            return new ClusterHealthReadings(await configuration.ConfigureAwait(false), await keys.ConfigureAwait(false), placed);
        }

        /// <summary>The placement host of every node the snapshot names, as Test-RedisCluster and the placement optimizer both judge it.</summary>
        internal static async Task<IReadOnlyDictionary<NodeEndPoint, string>> ResolveHostsAsync(ClusterSnapshot snapshot, HostResolver hosts)
        {
            var endPoints = snapshot.Reference.Nodes.Select(n => n.ToEndPoint()).Concat(snapshot.Nodes.Select(n => n.EndPoint))
                .Where(e => e != null).Distinct().ToList();
            var resolved = await Task.WhenAll(endPoints.Select(async e =>
            {
                try
                {
                    return await hosts.HostOfAsync(e).ConfigureAwait(false);
                }
                catch (RedisClusterException)
                {
                    // A name that does not resolve is still a host: its own name stands for it.
                    return e.Host;
                }
            })).ConfigureAwait(false);
            return endPoints.Select((e, i) => (e, resolved[i])).ToDictionary(p => p.e, p => p.Item2);
        }

        private static async Task<NodeConfiguration> ReadConfigurationAsync(RedisClusterConnection connection, NodeEndPoint endPoint, TimeSpan budget, CancellationToken cancellationToken)
        {
            try
            {
                var client = await connection.GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
                var nodeTimeout = ConfigNumberAsync(client, "cluster-node-timeout", cancellationToken);
                var pingPeriod = ConfigNumberAsync(client, "repl-ping-replica-period", cancellationToken);
                var requirePass = IsConfigSetAsync(client, "requirepass", cancellationToken);
                var masterAuth = IsConfigSetAsync(client, "masterauth", cancellationToken);
                await Within(Task.WhenAll(nodeTimeout, pingPeriod, requirePass, masterAuth), budget, endPoint, "CONFIG GET").ConfigureAwait(false);
                return new NodeConfiguration(endPoint, nodeTimeout.Result, pingPeriod.Result, requirePass.Result, masterAuth.Result);
            }
            catch (RedisClusterException e)
            {
                return new NodeConfiguration(endPoint, e);
            }
        }

        internal static async Task<long?> ConfigNumberAsync(INodeClient client, string name, CancellationToken cancellationToken)
        {
            var reply = await client.ExecuteAsync(new RedisCommand("CONFIG", "GET", name), cancellationToken).ConfigureAwait(false);
            var pair = reply.AsArray();
            return pair.Count == 2 && long.TryParse(pair[1].AsString(), out long value) ? value : (long?)null;
        }

        /// <summary>
        /// Whether a secret setting is set. The reply holds the secret: it is reduced to a bool here and dropped, so
        /// nothing that outlives this call (a result, a message, a log line) can carry it.
        /// </summary>
        private static async Task<bool?> IsConfigSetAsync(INodeClient client, string name, CancellationToken cancellationToken)
        {
            var pair = (await client.ExecuteAsync(new RedisCommand("CONFIG", "GET", name), cancellationToken).ConfigureAwait(false)).AsArray();
            return pair.Count == 2 ? !pair[1].IsNull && pair[1].Bytes != null && pair[1].Bytes.Length > 0 : (bool?)null;
        }

        /// <summary>
        /// Counts a master's keys slot by slot: DBSIZE against the keys in the slots it owns or imports (one burst of
        /// COUNTKEYSINSLOT). Only when DBSIZE is larger are the other slots counted, to name where the rest lie; a key
        /// written or deleted between the two reads thus never becomes a finding.
        /// </summary>
        private static async Task<MasterKeyCount> CountKeysAsync(RedisClusterConnection connection, NodeEndPoint endPoint, RedisClusterNode myself, TimeSpan budget, CancellationToken cancellationToken)
        {
            try
            {
                var client = await connection.GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
                var own = new HashSet<int>(myself.Slots.AllSlots().Concat(myself.ImportingSlots.Select(m => m.Slot)));
                var size = client.ExecuteAsync(new RedisCommand("DBSIZE"), cancellationToken);
                var counts = CountSlotsAsync(client, own, true, cancellationToken);
                await Within(Task.WhenAll(size, counts), budget, endPoint, "CLUSTER COUNTKEYSINSLOT").ConfigureAwait(false);
                long keyCount = size.Result.AsInt64(), inOwnSlots = counts.Result.Counts.Values.Sum();
                var stranded = new Dictionary<int, long>();
                if (keyCount > inOwnSlots)
                {
                    // A node that refused the scripts for its own slots is not offered them again.
                    var others = CountSlotsAsync(client, Enumerable.Range(0, HashSlot.SlotCount).Where(s => !own.Contains(s)), counts.Result.ByScript, cancellationToken);
                    await Within(others, budget, endPoint, "CLUSTER COUNTKEYSINSLOT").ConfigureAwait(false);
                    foreach (var slot in others.Result.Counts) stranded[slot.Key] = slot.Value;
                }
                return new MasterKeyCount(endPoint, keyCount, inOwnSlots, stranded);
            }
            catch (RedisClusterException e)
            {
                return new MasterKeyCount(endPoint, e);
            }
        }

        /// <summary>Slots one counting script covers: about a millisecond of the node's time, so its clients wait no longer between scripts.</summary>
        internal const int SlotsPerScript = 1024;

        /// <summary>
        /// Counts COUNTKEYSINSLOT over the ARGV slot ranges (start, end, start, end, ...) on the node itself and returns
        /// slot, count pairs for the slots holding keys. Read-only (no-writes) so it also runs when the node is out of memory.
        /// </summary>
        internal const string CountKeysScript =
            "#!lua flags=no-writes,allow-stale\n" +
            "local found = {}\n" +
            "for i = 1, #ARGV, 2 do\n" +
            "  for slot = tonumber(ARGV[i]), tonumber(ARGV[i + 1]) do\n" +
            "    local n = redis.call('CLUSTER', 'COUNTKEYSINSLOT', slot)\n" +
            "    if n > 0 then found[#found + 1] = slot; found[#found + 1] = n end\n" +
            "  end\n" +
            "end\n" +
            "return found";

        /// <summary>
        /// Keys per slot for the slots given, only slots holding keys listed. A few short scripts count on the node: 16384
        /// pipelined COUNTKEYSINSLOT cost the client about 100 ms of work, the scripts a tenth of it. A node that refuses
        /// scripts (an ACL without EVAL, scripting disabled) is asked slot by slot, all at once. ByScript says which
        /// way the counts came.
        /// </summary>
        internal static async Task<(IReadOnlyDictionary<int, long> Counts, bool ByScript)> CountSlotsAsync(
            INodeClient client, IEnumerable<int> slots, bool tryScripts, CancellationToken cancellationToken)
        {
            var slotList = slots.ToList();
            if (tryScripts)
            {
                try
                {
                    return (await CountByScriptsAsync(client, slotList, cancellationToken).ConfigureAwait(false), true);
                }
                catch (RedisServerErrorException)
                {
                    // Refused: counted slot by slot below.
                }
            }
            var calls = slotList.Select(s => (Slot: s, Count: client.ExecuteAsync(new RedisCommand("CLUSTER", "COUNTKEYSINSLOT", s), cancellationToken))).ToList();
            await Task.WhenAll(calls.Select(c => c.Count)).ConfigureAwait(false);
            return (calls.Where(c => c.Count.Result.AsInt64() > 0).ToDictionary(c => c.Slot, c => c.Count.Result.AsInt64()), false);
        }

        private static async Task<IReadOnlyDictionary<int, long>> CountByScriptsAsync(INodeClient client, IReadOnlyList<int> slotList, CancellationToken cancellationToken)
        {
            var replies = await Task.WhenAll(ScriptBatches(slotList).Select(ranges =>
                client.ExecuteAsync(new RedisCommand("EVAL", new object[] { CountKeysScript, 0 }.Concat(ranges.SelectMany(r => new object[] { r.Start, r.End })).ToArray()), cancellationToken)))
                .ConfigureAwait(false);
            var counts = new Dictionary<int, long>();
            foreach (var pairs in replies.Select(r => r.AsArray()))
            {
                for (int i = 0; i + 1 < pairs.Count; i += 2) counts[(int)pairs[i].AsInt64()] = pairs[i + 1].AsInt64();
            }
            return counts;
        }

        /// <summary>The slots as ranges, grouped so that no group covers more than <see cref="SlotsPerScript"/> slots.</summary>
        internal static IEnumerable<IReadOnlyList<SlotRange>> ScriptBatches(IEnumerable<int> slots)
        {
            var batch = new List<SlotRange>();
            int inBatch = 0;
            foreach (var range in SlotRange.FromSlots(slots))
            {
                for (int start = range.Start; start <= range.End;)
                {
                    int end = Math.Min(range.End, start + (SlotsPerScript - inBatch) - 1);
                    batch.Add(new SlotRange(start, end));
                    inBatch += end - start + 1;
                    start = end + 1;
                    if (inBatch == SlotsPerScript)
                    {
                        yield return batch;
                        batch = new List<SlotRange>();
                        inBatch = 0;
                    }
                }
            }
            if (batch.Count > 0) yield return batch;
        }

        /// <summary>
        /// Bounds a burst of calls by one timer (not one per call): a node that does not answer in time is reported as
        /// such, and the calls still queued end on their own, unobserved.
        /// </summary>
        private static async Task Within(Task calls, TimeSpan budget, NodeEndPoint endPoint, string what)
        {
            using (var timer = new CancellationTokenSource())
            {
                bool answered = await Task.WhenAny(calls, Task.Delay(budget, timer.Token)).ConfigureAwait(false) == calls;
                timer.Cancel();
                if (answered)
                {
                    await calls.ConfigureAwait(false);
                    return;
                }
            }
            _ = calls.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            throw new RedisClusterException(FailureKind.Timeout,
                $"{endPoint} did not answer {what} within {budget.TotalSeconds:0.#} s.", endPoint) { ErrorId = "CommandTimeout" };
        }
    }
}
