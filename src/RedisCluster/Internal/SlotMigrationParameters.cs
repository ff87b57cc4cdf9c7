using System;
using System.Management.Automation;

namespace RedisCluster.Internal
{
    /// <summary>
    /// The parameters that tune how slots move, declared once for every cmdlet that moves them: those of
    /// <see cref="SlotMoveCmdlet"/> (Invoke-RedisReshard, Invoke-RedisRebalance, Repair-RedisCluster) and
    /// Remove-RedisClusterNode, whose drain moves a master's slots. Their bases differ (a way into the cluster, or the
    /// node to act on), so the parameters cannot come from one base class: each cmdlet returns an instance from
    /// <see cref="IDynamicParameters.GetDynamicParameters"/>, always the same set, which PowerShell binds, completes,
    /// validates and lists (Get-Command -Syntax) like parameters declared on the cmdlet itself.
    /// </summary>
    public sealed class SlotMigrationParameters
    {
        /// <summary>The engine's measured defaults, shown as the parameters' defaults.</summary>
        private static readonly SlotMigrationOptions Defaults = new SlotMigrationOptions();

        /// <summary>How many keys one GETKEYSINSLOT lists and one MIGRATE sends.</summary>
        [Parameter]
        [ValidateRange(1, 100000)]
        public int KeysPerBatch { get; set; } = Defaults.KeysPerBatch;

        /// <summary>
        /// Slots of one source opened, emptied and closed together. Larger groups share more bookkeeping (fewer
        /// nodes.conf saves) but leave more slots to finish after a Ctrl+C or a crash.
        /// </summary>
        [Parameter]
        [ValidateRange(1, HashSlot.SlotCount)]
        public int SlotsPerGroup { get; set; } = Defaults.SlotsPerGroup;

        /// <summary>
        /// Seconds MIGRATE may wait on the link between source and target for ordinary keys (redis-cli's 60). A key
        /// larger than 8 MB moves alone and gets more, in proportion to its size.
        /// </summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        [Alias("MigrateTimeout")]
        public int MigrateTimeoutSeconds { get; set; } = (int)Defaults.MigrateTimeout.TotalSeconds;

        /// <summary>
        /// A key found on both nodes with different values takes the source's value (the target's copy is lost).
        /// Without it such a key leaves its slot open and is reported; equal copies are always replaced.
        /// </summary>
        [Parameter]
        public SwitchParameter Replace { get; set; }

        /// <summary>
        /// How much longer than other work Ctrl+C waits for a move's clean-up: the groups of slots in flight finish so
        /// none is left open, and each of their MIGRATEs may take up to the MIGRATE timeout.
        /// </summary>
        internal TimeSpan ExtraStopGrace => TimeSpan.FromSeconds(MigrateTimeoutSeconds);

        /// <summary>The options these parameters make; <paramref name="parallelism"/> is the cmdlet's own (0: one worker per source).</summary>
        internal SlotMigrationOptions ToOptions(int parallelism = 0) => new SlotMigrationOptions
        {
            KeysPerBatch = KeysPerBatch,
            SlotsPerGroup = SlotsPerGroup,
            Parallelism = parallelism,
            MigrateTimeout = TimeSpan.FromSeconds(MigrateTimeoutSeconds),
            Replace = Replace,
        };
    }
}
