using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>A group of slots one source hands to one target together: opened, emptied and closed as one burst.</summary>
    internal sealed class SlotGroup
    {
        public SlotGroup(NodeId source, NodeId target, IReadOnlyList<int> slots)
        {
            Source = source;
            Target = target;
            Slots = slots;
        }

        public NodeId Source { get; }
        public NodeId Target { get; }
        public IReadOnlyList<int> Slots { get; }
    }

    /// <summary>One slot's keys as the listing script gave them: those that go in the slot's MIGRATE, and the big ones that move alone.</summary>
    internal sealed class SlotListing
    {
        public SlotListing(int slot, int count, IReadOnlyList<byte[]> ordinaryKeys, IReadOnlyList<(byte[] Key, long Bytes)> bigKeys)
        {
            Slot = slot;
            Count = count;
            OrdinaryKeys = ordinaryKeys;
            BigKeys = bigKeys;
        }

        public int Slot { get; }

        /// <summary>How many keys were listed: as many as asked for means the slot may hold more.</summary>
        public int Count { get; }

        public IReadOnlyList<byte[]> OrdinaryKeys { get; }
        public IReadOnlyList<(byte[] Key, long Bytes)> BigKeys { get; }
    }

    /// <summary>The pure parts of a slot migration: how moves are grouped, how MIGRATE is spelled, how long it may take.</summary>
    internal static class SlotMigrationBatches
    {
        /// <summary>What a client running MIGRATEs may wait beyond MIGRATE's own timeout: the commands queued before it on the socket.</summary>
        public static readonly TimeSpan ClientMargin = TimeSpan.FromSeconds(30);

        /// <summary>
        /// DUMP of the key in ARGV[1] as a script with no declared key, so that on a MIGRATING or IMPORTING node a key
        /// that is not there comes back as false rather than as an ASK reply to the client.
        /// </summary>
        public const string DumpScript =
            "local payload = redis.pcall('DUMP', ARGV[1])\n" +
            "if type(payload) == 'string' then return payload end\n" +
            "return false";

        /// <summary>
        /// Refuses a plan that moves a slot twice: the second move would start from an owner the first one changed.
        /// </summary>
        public static void EnsureEachSlotOnce(IReadOnlyList<SlotMove> moves)
        {
            var twice = moves.GroupBy(m => m.Slot).Where(g => g.Count() > 1).Select(g => g.Key).OrderBy(s => s).ToList();
            if (twice.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"A slot migration plan moves slot(s) {new SlotRangeList(SlotRange.FromSlots(twice))} more than once.") { ErrorId = "SlotMovedTwice" };
            }
        }

        /// <summary>
        /// The moves of each source, in groups of at most <paramref name="slotsPerGroup"/> slots with one target
        /// each, lowest slots first. One worker runs a source's groups one after another.
        /// </summary>
        public static IReadOnlyList<IReadOnlyList<SlotGroup>> GroupBySource(IEnumerable<SlotMove> moves, int slotsPerGroup)
        {
            if (slotsPerGroup < 1) throw new ArgumentOutOfRangeException(nameof(slotsPerGroup));
            return moves
                .GroupBy(m => m.Source)
                .OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
                .Select(bySource => (IReadOnlyList<SlotGroup>)bySource
                    .GroupBy(m => m.Target)
                    .OrderBy(g => g.Min(m => m.Slot))
                    .SelectMany(byTarget => Chunk(byTarget.Select(m => m.Slot).OrderBy(s => s).ToList(), slotsPerGroup)
                        .Select(slots => new SlotGroup(bySource.Key, byTarget.Key, slots)))
                    .ToList())
                .ToList();
        }

        private static IEnumerable<IReadOnlyList<int>> Chunk(IReadOnlyList<int> slots, int size)
        {
            for (int i = 0; i < slots.Count; i += size) yield return slots.Skip(i).Take(size).ToList();
        }

        /// <summary>
        /// MIGRATE host port "" 0 timeout [REPLACE] [AUTH pw | AUTH2 user pw] KEYS k1 k2 ...: the multi-key form,
        /// keys as raw bytes so binary keys move unchanged. The password is an argument only: RedisCommand.Describe
        /// masks it in debug text, and no message is built from these arguments.
        /// </summary>
        public static RedisCommand Migrate(NodeEndPoint target, TimeSpan timeout, bool replace, MigrateAuthentication authentication, IEnumerable<byte[]> keys)
        {
            var arguments = new List<object> { target.Host, target.Port, string.Empty, 0, TimeoutMilliseconds(timeout) };
            if (replace) arguments.Add("REPLACE");
            if (authentication != null) arguments.AddRange(authentication.Arguments);
            arguments.Add("KEYS");
            int before = arguments.Count;
            arguments.AddRange(keys);
            if (arguments.Count == before) throw new ArgumentException("MIGRATE needs at least one key.", nameof(keys));
            return new RedisCommand("MIGRATE", arguments.ToArray());
        }

        public static long TimeoutMilliseconds(TimeSpan timeout) => Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds));

        /// <summary>A big key's MIGRATE timeout: the ordinary one plus the time its bytes take at the slowest rate allowed.</summary>
        public static TimeSpan TimeoutForSize(long bytes, SlotMigrationOptions options) =>
            options.MigrateTimeout + TimeSpan.FromSeconds(Math.Max(0, bytes) / (double)options.BigKeyBytesPerSecond);

        /// <summary>
        /// The command timeout of the client a big key's MIGRATE runs on, rounded up to whole minutes: the connection
        /// keeps one client per timeout, so sizes that differ a little share one.
        /// </summary>
        public static TimeSpan ClientTimeoutFor(TimeSpan needed) => TimeSpan.FromMinutes(Math.Ceiling(needed.TotalMinutes));

        /// <summary>
        /// True when MIGRATE failed because the target has one of the keys. The source wraps the target's reply in
        /// its own ("ERR Target instance replied with error: BUSYKEY ..."), so the code alone does not say it: this
        /// is the one place that reads the text, as redis-cli does.
        /// </summary>
        public static bool IsBusyKey(RedisServerErrorException error) =>
            error.Code == ServerErrorCode.BusyKey ||
            (error.Code == ServerErrorCode.Err && (error.Reply ?? string.Empty).IndexOf(" BUSYKEY ", StringComparison.Ordinal) >= 0);

        /// <summary>
        /// Slots one listing script lists and sizes in one call: enough to spread the fixed cost of a script call (about
        /// 25 us on the source, measured with INFO commandstats) over many slots, few enough that the source is not held
        /// for long (16 full slots of 1,000 keys take it about 30 ms, less than a MIGRATE of as many keys).
        /// </summary>
        public const int SlotsPerListingScript = 16;

        /// <summary>The slots of a listing in the groups one listing script takes, in order.</summary>
        public static IEnumerable<IReadOnlyList<int>> ListingScriptChunks(IReadOnlyList<int> slots) => Chunk(slots, SlotsPerListingScript);

        /// <summary>
        /// The listing script's replies (one per chunk, each a [keys, big keys and sizes] pair per slot) as one key
        /// listing and one big-key list per slot, in the order the slots were asked.
        /// </summary>
        public static (IReadOnlyList<RedisReply> Keys, IReadOnlyList<RedisReply> BigKeys) SplitScriptListings(IReadOnlyList<RedisReply> replies, int slotCount)
        {
            var keys = new List<RedisReply>(slotCount);
            var bigs = new List<RedisReply>(slotCount);
            foreach (var reply in replies)
            {
                foreach (var slot in reply.AsArray())
                {
                    var pair = slot.AsArray();
                    if (pair.Count != 2) throw UnexpectedListing();
                    keys.Add(pair[0]);
                    bigs.Add(pair[1]);
                }
            }
            if (keys.Count != slotCount) throw UnexpectedListing();
            return (keys, bigs);
        }

        private static RedisClusterException UnexpectedListing() =>
            new RedisClusterException(FailureKind.Protocol, "A node answered the key listing script with something else than one listing per slot.") { ErrorId = "UnexpectedReply" };

        /// <summary>
        /// Each slot's listing from its key list and, when sizes were asked, a flat list of the names and sizes of the
        /// keys above the big-key size (null: none asked). A big key is matched by name; one the key list lacks is left
        /// for the next round. The key bytes are the replies' own: nothing is copied per key.
        /// </summary>
        public static IReadOnlyList<SlotListing> ReadListings(IReadOnlyList<int> slots, IReadOnlyList<RedisReply> keyReplies, IReadOnlyList<RedisReply> bigKeyReplies)
        {
            if (keyReplies.Count != slots.Count || (bigKeyReplies != null && bigKeyReplies.Count != slots.Count))
            {
                throw new ArgumentException("One key listing per slot is needed.", nameof(keyReplies));
            }
            var listings = new SlotListing[slots.Count];
            for (int i = 0; i < slots.Count; i++)
            {
                var keys = keyReplies[i].AsArray();
                var bigs = bigKeyReplies?[i] == null ? (IReadOnlyList<RedisReply>)new RedisReply[0] : bigKeyReplies[i].AsArray();
                if (bigs.Count == 0)
                {
                    var all = new byte[keys.Count][];
                    for (int k = 0; k < all.Length; k++) all[k] = keys[k].Bytes;
                    listings[i] = new SlotListing(slots[i], keys.Count, all, new (byte[], long)[0]);
                    continue;
                }
                var big = new List<(byte[] Key, long Bytes)>();
                var ordinary = new List<byte[]>(keys.Count);
                foreach (var key in keys)
                {
                    long size = -1;
                    for (int b = 0; b + 1 < bigs.Count; b += 2)
                    {
                        if (bigs[b].Bytes.SequenceEqual(key.Bytes)) size = bigs[b + 1].AsInt64();
                    }
                    if (size >= 0) big.Add((key.Bytes, size));
                    else ordinary.Add(key.Bytes);
                }
                listings[i] = new SlotListing(slots[i], keys.Count, ordinary, big);
            }
            return listings;
        }

        /// <summary>
        /// True for a MIGRATE failure worth another try: an I/O error or timeout between source and target (IOERR),
        /// a key of the batch gone meanwhile (TRYAGAIN: a multi-key command on a MIGRATING slot with a key missing),
        /// the target asking to try again, or no answer in time. MIGRATE deletes a key on the source only once the
        /// target has it, so listing the slot again and moving what is left loses nothing.
        /// </summary>
        public static bool IsTransient(RedisClusterException error)
        {
            if (error is RedisServerErrorException reply)
            {
                if (reply.Code == ServerErrorCode.IoErr || reply.Code == ServerErrorCode.TryAgain) return true;
                return reply.Code == ServerErrorCode.Err && (reply.Reply ?? string.Empty).IndexOf("Target instance replied with error: TRYAGAIN", StringComparison.Ordinal) >= 0;
            }
            return error.Kind == FailureKind.Timeout;
        }

        /// <summary>
        /// Time left at the pace so far, in slots (each slot costs bookkeeping round trips whatever its keys); -1 until
        /// a slot is done, as Write-Progress takes it.
        /// </summary>
        public static int SecondsRemaining(double secondsSoFar, int slotsDone, int slotsPlanned)
        {
            if (slotsDone <= 0 || slotsPlanned <= 0) return -1;
            return (int)Math.Ceiling(secondsSoFar * Math.Max(0, slotsPlanned - slotsDone) / slotsDone);
        }

        /// <summary>The pause before the round that retries: 100 ms, then 200, 400... at most 2 s.</summary>
        public static TimeSpan RetryDelay(int failures) => TimeSpan.FromMilliseconds(Math.Min(2000, 100 * (1 << Math.Min(10, Math.Max(0, failures - 1)))));

        /// <summary>
        /// The server-side slot migrations a node offers, read from its COMMAND INFO reply for the subcommands
        /// asked in <see cref="ServerSideCommands"/> order: an entry that is not null names a command it knows.
        /// </summary>
        public static IReadOnlyList<SlotMigrationMethod> ServerSideMethods(RedisReply commandInfo)
        {
            var entries = commandInfo.Kind == RedisReplyKind.Array ? commandInfo.Items : new RedisReply[0];
            var found = new List<SlotMigrationMethod>();
            for (int i = 0; i < entries.Count && i < ServerSideCommands.Count; i++)
            {
                if (!entries[i].IsNull) found.Add(ServerSideCommands[i].Method);
            }
            return found;
        }

        /// <summary>
        /// The commands of the servers that move whole slots themselves: Valkey 9's CLUSTER MIGRATESLOTS and Redis
        /// 8.4's CLUSTER MIGRATION, as COMMAND INFO names them.
        /// </summary>
        public static readonly IReadOnlyList<(string Name, SlotMigrationMethod Method)> ServerSideCommands = new[]
        {
            ("CLUSTER|MIGRATESLOTS", SlotMigrationMethod.ClusterMigrateSlots),
            ("CLUSTER|MIGRATION", SlotMigrationMethod.ClusterMigration),
        };
    }

    /// <summary>The AUTH or AUTH2 part of MIGRATE: the target is reached with the connection's own credential.</summary>
    internal sealed class MigrateAuthentication
    {
        private MigrateAuthentication(object[] arguments) => Arguments = arguments;

        public IReadOnlyList<object> Arguments { get; }

        /// <summary>AUTH pw for requirepass, AUTH2 user pw for an ACL user, nothing without a password.</summary>
        public static MigrateAuthentication From(ConnectionSettings settings)
        {
            if (!settings.HasPassword) return null;
            string password = settings.Credential.Password;
            return settings.IsAclUser
                ? new MigrateAuthentication(new object[] { "AUTH2", settings.UserName, password })
                : new MigrateAuthentication(new object[] { "AUTH", password });
        }

        public override string ToString() => Arguments.Count == 3 ? "AUTH2" : "AUTH";
    }
}
