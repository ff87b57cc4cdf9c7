using System;

namespace RedisCluster
{
    /// <summary>The tunables of a slot migration. The defaults are the ones measured fastest on a two-core machine.</summary>
    public sealed class SlotMigrationOptions
    {
        /// <summary>Keys listed by one GETKEYSINSLOT and sent by one MIGRATE.</summary>
        public int KeysPerBatch { get; set; } = 1000;

        /// <summary>
        /// Slots of one source opened, emptied and closed together: their SETSLOTs go in one pipelined burst per
        /// node (one nodes.conf save for the burst) and their MIGRATEs are pipelined. A Ctrl+C finishes the group
        /// in flight, so a larger group also means a longer wait after one, and more slots open if the process dies.
        /// 256 measured twice as fast as 64 moving 4096 slots of 250,000 keys (bench/Reshard.ps1): at about 60 keys a
        /// slot, a group is some 15,000 keys, under a second of work.
        /// </summary>
        public int SlotsPerGroup { get; set; } = 256;

        /// <summary>Sources that move slots at the same time; 0 means one worker for every source.</summary>
        public int Parallelism { get; set; }

        /// <summary>MIGRATE's own timeout (an idle timeout on the source's link to the target) for ordinary keys.</summary>
        public TimeSpan MigrateTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// A key whose MEMORY USAGE is above this many bytes moves alone, with a timeout scaled to its size; 0 turns
        /// the check (one MEMORY USAGE per key, pipelined) off.
        /// </summary>
        public long BigKeyBytes { get; set; } = 8L * 1024 * 1024;

        /// <summary>The slowest transfer a big key's timeout allows for: its timeout is MigrateTimeout plus its size at this rate.</summary>
        public long BigKeyBytesPerSecond { get; set; } = 1024L * 1024;

        /// <summary>
        /// How many times one slot's MIGRATE is tried again after a transient failure (IOERR, TRYAGAIN, no answer in
        /// time) before the move stops; the slot is listed again for each try, so only keys still on the source go.
        /// </summary>
        public int MigrateRetries { get; set; } = 3;

        /// <summary>
        /// When a key exists on both sides with different values, the source's copy replaces the target's. Without
        /// it, such a key stops its slot, which stays open and is reported.
        /// </summary>
        public bool Replace { get; set; }

        internal void Validate()
        {
            if (KeysPerBatch < 1) throw Invalid(nameof(KeysPerBatch), "at least 1");
            if (SlotsPerGroup < 1) throw Invalid(nameof(SlotsPerGroup), "at least 1");
            if (Parallelism < 0) throw Invalid(nameof(Parallelism), "0 (one per source) or more");
            if (MigrateTimeout < TimeSpan.FromMilliseconds(1)) throw Invalid(nameof(MigrateTimeout), "at least 1 ms");
            if (BigKeyBytes < 0) throw Invalid(nameof(BigKeyBytes), "0 (no check) or more");
            if (MigrateRetries < 0) throw Invalid(nameof(MigrateRetries), "0 (no retry) or more");
            if (BigKeyBytesPerSecond < 1) throw Invalid(nameof(BigKeyBytesPerSecond), "at least 1");
        }

        private static RedisClusterException Invalid(string name, string allowed) =>
            new RedisClusterException(FailureKind.InvalidArgument, $"The slot migration option {name} must be {allowed}.") { ErrorId = "InvalidMigrationOption" };
    }
}
