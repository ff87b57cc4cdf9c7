using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace RedisCluster.Internal
{
    /// <summary>
    /// The base of the cmdlets that move slots across the cluster (Invoke-RedisReshard, Invoke-RedisRebalance,
    /// Repair-RedisCluster). It gives them -Parallelism, the tuning parameters of <see cref="SlotMigrationParameters"/>
    /// (which Remove-RedisClusterNode's drain shares) and one way to move slots:
    /// <list type="number">
    /// <item><see cref="ReadSnapshotReadyToMove"/>: read every node and refuse (SlotsOpen / ClusterNotReady) before anything changes;</item>
    /// <item>plan from <see cref="ClusterSnapshot.Reference"/> with a pure planner;</item>
    /// <item><see cref="MoveSlots(RedisClusterConnection, SlotMovePlan, string)"/>: -WhatIf/-Confirm print the plan's
    /// text, then <see cref="SlotMigrator"/> runs with Write-Progress, and the <see cref="SlotMigrationResult"/> is written.</item>
    /// </list>
    /// Slots left open by a key conflict become one non-terminating error each (ErrorId SlotKeyConflict) naming the keys,
    /// written after the result: the move went on around them, but a script must see that it is not complete.
    /// </summary>
    public abstract class SlotMoveCmdlet : ClusterCmdlet, IDynamicParameters
    {
        /// <summary>Source masters that give slots at the same time; 0 (the default) means all of them.</summary>
        [Parameter]
        [ValidateRange(0, 1024)]
        public int Parallelism { get; set; } = new SlotMigrationOptions().Parallelism;

        /// <summary>-KeysPerBatch, -SlotsPerGroup, -MigrateTimeoutSeconds and -Replace, shared with Remove-RedisClusterNode.</summary>
        private readonly SlotMigrationParameters _migration = new SlotMigrationParameters();

        public object GetDynamicParameters() => _migration;

        /// <summary>
        /// The sentence that tells how this cmdlet finishes slots left open ("Run Invoke-RedisReshard -Resume ...").
        /// It ends a SlotsOpen refusal and the error of a move that stopped part way.
        /// </summary>
        protected abstract string OpenSlotAdvice { get; }

        /// <summary>Ctrl+C lets the groups of slots in flight finish, so none is left open.</summary>
        protected override TimeSpan StopGracePeriod => base.StopGracePeriod + _migration.ExtraStopGrace;

        /// <summary>The options the tuning parameters make.</summary>
        protected SlotMigrationOptions MigrationOptions => _migration.ToOptions(Parallelism);

        /// <summary>Every node read at once (INFO, CLUSTER INFO, CLUSTER NODES), with no judgement: for -Resume and repairs.</summary>
        protected ClusterSnapshot ReadSnapshot(RedisClusterConnection connection) =>
            Await(token => ClusterSnapshot.ReadAsync(connection, token));

        /// <summary>
        /// Every node read at once; the cmdlet ends (SlotsOpen, naming <see cref="OpenSlotAdvice"/>, or ClusterNotReady)
        /// when slots cannot be moved safely. Nothing has been changed then.
        /// </summary>
        protected ClusterSnapshot ReadSnapshotReadyToMove(RedisClusterConnection connection)
        {
            var snapshot = ReadSnapshot(connection);
            Guard(() => snapshot.EnsureReadyToMoveSlots(OpenSlotAdvice));
            return snapshot;
        }

        /// <summary>
        /// Applies a plan: -WhatIf prints the plan's text and changes nothing, -Confirm asks with it; then the slots
        /// move with Write-Progress and the result is written (with an error per slot left open). An empty plan moves
        /// nothing and writes no object: its text (why nothing moves) goes to the information stream, tagged NothingToMove
        /// (<see cref="RedisClusterCmdlet.WriteNothingToDo"/>).
        /// Null when nothing ran (empty plan, -WhatIf, or declined).
        /// </summary>
        protected SlotMigrationResult MoveSlots(RedisClusterConnection connection, SlotMovePlan plan, string caption)
        {
            if (plan.IsEmpty)
            {
                WriteNothingToDo(plan.ToString(), "NothingToMove");
                return null;
            }
            return MoveSlots(connection, plan.Moves, plan.ToString(), caption);
        }

        /// <summary>
        /// The same for moves that come from no planner (the open slots a -Resume finishes): <paramref name="description"/>
        /// is what -WhatIf prints.
        /// </summary>
        protected SlotMigrationResult MoveSlots(RedisClusterConnection connection, IReadOnlyList<SlotMove> moves, string description, string caption)
        {
            // The three-text form, so -WhatIf prints the plan itself rather than "Performing the operation ... on target ...".
            if (!ShouldProcess(description, description + Environment.NewLine + "Move these slots?", caption)) return null;
            var migrator = Guard(() => new SlotMigrator(connection, MigrationOptions));
            var result = Await(async (token, progress) =>
            {
                try
                {
                    var moved = await migrator.MoveAsync(moves, progress, token).ConfigureAwait(false);
                    string unsettled = await SlotMoveSettling.WaitForAgreementAsync(connection, progress, token).ConfigureAwait(false);
                    if (unsettled.Length > 0) progress.Report(OperationProgress.Warning($"The slots moved, but not every node shows it yet: {unsettled}"));
                    return moved;
                }
                catch (RedisClusterException e) when (e.ErrorId == "SlotMigrationStopped")
                {
                    // The engine names no cmdlet; the operator needs the command that finishes any slots it left open.
                    throw new RedisClusterException(e.Kind, $"{e.Message} If slots were left open: {OpenSlotAdvice}", e.EndPoint, e.InnerException ?? e) { ErrorId = e.ErrorId };
                }
            });
            WriteObject(result);
            ReportIssues(result);
            return result;
        }

        /// <summary>
        /// A slot left open by a key conflict is an error (the move is not complete, and -ErrorAction Stop should stop a
        /// script there); a slot whose source no longer owned it is a warning (someone else moved it; nothing is open);
        /// slots already on the target are only verbose. NotStarted slots come with Ctrl+C, which ends the pipeline.
        /// </summary>
        private void ReportIssues(SlotMigrationResult result)
        {
            foreach (var issue in result.Issues)
            {
                switch (issue.Outcome)
                {
                    case SlotMigrationOutcome.KeyConflict:
                        WriteError(new ErrorRecord(new InvalidOperationException(DescribeConflict(issue)),
                            "SlotKeyConflict", ErrorCategory.ResourceExists, issue));
                        break;
                    case SlotMigrationOutcome.SourceNotOwner:
                        WriteWarning($"Slot {issue.Slot} was not moved: {issue.Message}");
                        break;
                    default:
                        WriteVerboseLine($"Slot {issue.Slot} was not moved: {issue.Message}");
                        break;
                }
            }
        }

        private const int KeysNamed = 10;

        private string DescribeConflict(SlotMigrationIssue issue)
        {
            var keys = issue.KeyList(KeysNamed) + (issue.Keys.Count > KeysNamed ? " (the error's TargetObject lists them all)" : string.Empty);
            return $"Slot {issue.Slot} is left open (MIGRATING on {issue.SourceId.Substring(0, 8)}, IMPORTING on {issue.TargetId.Substring(0, 8)}): " +
                $"key(s) {keys} exist on both nodes with different values, so neither copy was overwritten. {OpenSlotAdvice} " +
                "Add -Replace to keep the source's values, or delete the copy you do not want first.";
        }
    }
}
