using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Where the keys are: every reachable master's key count per slot (slots without keys left out), counted on the
    /// nodes themselves. A repair decides owners from it, so a master that could not be counted is a failure, not zero.
    /// </summary>
    public sealed class SlotKeyCensus
    {
        private static readonly IReadOnlyDictionary<int, long> NoKeys = new Dictionary<int, long>();
        private readonly IReadOnlyDictionary<NodeId, IReadOnlyDictionary<int, long>> _bySlot;

        internal SlotKeyCensus(IReadOnlyDictionary<NodeId, IReadOnlyDictionary<int, long>> bySlot, IReadOnlyList<RedisClusterException> failures = null)
        {
            _bySlot = bySlot;
            Failures = failures ?? new RedisClusterException[0];
        }

        /// <summary>Masters whose keys could not be counted, with why.</summary>
        public IReadOnlyList<RedisClusterException> Failures { get; }

        /// <summary>The keys a master holds in a slot (0 for a master not counted).</summary>
        public long KeysIn(NodeId master, int slot) => KeysOf(master).TryGetValue(slot, out long count) ? count : 0;

        internal bool Counted(NodeId master) => _bySlot.ContainsKey(master);

        internal IReadOnlyDictionary<int, long> KeysOf(NodeId master) => _bySlot.TryGetValue(master, out var counts) ? counts : NoKeys;

        /// <summary>Every slot some counted master holds keys in.</summary>
        internal IEnumerable<int> SlotsWithKeys() => _bySlot.Values.SelectMany(c => c.Keys).Distinct();

        /// <summary>
        /// Counts the keys of every reachable master slot by slot, all masters at once (a few short scripts each, see
        /// ClusterHealthReadings); a master whose INFO listed no keys is not asked.
        /// </summary>
        public static async Task<SlotKeyCensus> ReadAsync(ClusterSnapshot snapshot, CancellationToken cancellationToken)
        {
            var masters = snapshot.Reachable.Where(n => n.Myself.Role == NodeRole.Master).ToList();
            var counts = await Task.WhenAll(masters.Select(async master =>
            {
                if (master.KeyCount == 0) return (Id: master.Myself.Id, Counts: NoKeys, Failure: (RedisClusterException)null);
                try
                {
                    var client = await snapshot.Connection.GetNodeAsync(master.EndPoint, cancellationToken).ConfigureAwait(false);
                    var counted = await ClusterHealthReadings.CountSlotsAsync(client, Enumerable.Range(0, HashSlot.SlotCount), true, cancellationToken).ConfigureAwait(false);
                    return (Id: master.Myself.Id, Counts: counted.Counts, Failure: (RedisClusterException)null);
                }
                catch (RedisClusterException e)
                {
                    return (Id: master.Myself.Id, Counts: (IReadOnlyDictionary<int, long>)null, Failure: e);
                }
            })).ConfigureAwait(false);
            return new SlotKeyCensus(
                counts.Where(c => c.Failure == null).ToDictionary(c => c.Id, c => c.Counts),
                counts.Where(c => c.Failure != null).Select(c => c.Failure).ToList());
        }

        /// <summary>A census from counts already known, for planning from captured states.</summary>
        public static SlotKeyCensus FromCounts(IEnumerable<KeyValuePair<string, IReadOnlyDictionary<int, long>>> countsByNodeId) =>
            new SlotKeyCensus(countsByNodeId.ToDictionary(p => NodeId.Parse(p.Key), p => p.Value));
    }
}
