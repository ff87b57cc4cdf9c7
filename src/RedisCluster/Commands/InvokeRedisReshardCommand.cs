using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    /// <summary>
    /// Moves slots, with their keys, to one master: a number of them taken from the other masters (or the -SourceNodeId
    /// ones) in proportion to what they own, or named slots from whoever owns them; -Resume finishes slots a stopped
    /// move left open. Piped nodes are targets, each in turn (their NodeId binds -TargetNodeId).
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "RedisReshard", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(SlotMigrationResult))]
    public sealed class InvokeRedisReshardCommand : SlotMoveCmdlet
    {
        private const string Caption = "Reshard Redis cluster";

        /// <summary>The master that receives the slots: an id or a unique prefix of 8 or more characters.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("NodeId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(MasterIdCompleter))]
        public string TargetNodeId { get; set; }

        /// <summary>The masters that give slots; all other masters that own slots when left out.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(MasterIdCompleter))]
        public string[] SourceNodeId { get; set; }

        /// <summary>How many slots to move (1 to what the sources own).</summary>
        [Parameter]
        public int SlotCount { get; set; }

        /// <summary>Which slots to move: numbers, ranges or a list such as 0-100,5000. Slots the target owns already are skipped.</summary>
        [Parameter]
        [SlotRangeTransformation]
        [ValidateNotNullOrEmpty]
        public SlotRange[] Slot { get; set; }

        /// <summary>Finish the slots a stopped move left open (MIGRATING/IMPORTING), then stop. Takes no target or slots.</summary>
        [Parameter]
        public SwitchParameter Resume { get; set; }

        protected override string OpenSlotAdvice => "Invoke-RedisReshard -Resume finishes them, with every key.";

        protected override void ProcessRecord()
        {
            EnsureOneWayChosen();
            var connection = ResolveConnection();
            if (Resume)
            {
                var snapshot = ReadSnapshot(connection);
                Guard(snapshot.EnsureHealthyToMoveSlots);
                MoveSlots(connection, Guard(() => ResumePlanner.Plan(snapshot)), Caption);
                return;
            }
            var cluster = ReadSnapshotReadyToMove(connection).Reference;
            ReshardPlan plan;
            try
            {
                plan = Slot != null
                    ? ReshardPlanner.Plan(cluster, TargetNodeId, SourceNodeId, new SlotRangeList(Slot))
                    : ReshardPlanner.Plan(cluster, TargetNodeId, SourceNodeId, SlotCount);
            }
            catch (RedisClusterException e)
            {
                // A refusal of this target (a replica, too many slots) is this input's error: the next piped node goes on.
                WriteError(ErrorRecords.From(e, TargetNodeId));
                return;
            }
            MoveSlots(connection, plan, Caption);
        }

        /// <summary>
        /// Exactly one of -SlotCount, -Slot and -Resume, checked here rather than by parameter sets: those already
        /// say how the cluster is reached, and a set for each pair would triple them.
        /// </summary>
        private void EnsureOneWayChosen()
        {
            bool count = MyInvocation.BoundParameters.ContainsKey(nameof(SlotCount));
            int ways = new[] { count, Slot != null, Resume.IsPresent }.Count(given => given);
            if (ways != 1)
            {
                ThrowInvalidArgument("SlotsNotChosen",
                    "Say what to move with exactly one of -SlotCount (how many), -Slot (which) or -Resume (finish open slots); nothing was changed.", null);
            }
            if (Resume && (TargetNodeId != null || SourceNodeId != null))
            {
                ThrowInvalidArgument("ResumeTakesNoNodes",
                    "-Resume finishes each open slot toward the node its markers name: give no -TargetNodeId or -SourceNodeId with it; nothing was changed.", TargetNodeId);
            }
            if (!Resume && TargetNodeId == null)
            {
                ThrowInvalidArgument("TargetNotNamed",
                    "Name the master that receives the slots with -TargetNodeId, or pipe in its node object; nothing was changed.", null);
            }
        }
    }
}
