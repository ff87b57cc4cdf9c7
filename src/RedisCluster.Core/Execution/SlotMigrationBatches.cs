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

    /// <summary>The pure parts of a slot migration: how moves are grouped, how MIGRATE is spelled, how long it may take.</summary>
    internal static class SlotMigrationBatches
    {
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

        /// <summary>True for a key that moves alone: the size check is on and the key is above it.</summary>
        public static bool IsBig(long bytes, SlotMigrationOptions options) => options.BigKeyBytes > 0 && bytes > options.BigKeyBytes;
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
