using System;
using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    /// <summary>
    /// Heals slot problems: open slots (every shape redis-cli's fix handles, and a source or target master killed
    /// mid-slot), uncovered slots, slots claimed by two masters and keys stranded on a master that does not own their
    /// slot. Plans from every node's own view and a per-slot key count, prints the plan with -WhatIf, repairs without
    /// losing a key, and waits until every node shows the result.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Repair, "RedisCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(SlotRepairResult))]
    public sealed class RepairRedisClusterCommand : SlotMoveCmdlet
    {
        private const string Caption = "Repair Redis cluster";

        /// <summary>Seconds to wait, after the repair, for every node to show it (one slot map, no markers, cluster_state ok).</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        [Alias("TimeoutSeconds")]
        public int Timeout { get; set; } = 60;

        protected override string OpenSlotAdvice => "Run Repair-RedisCluster again to finish them, with every key.";

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var snapshot = ReadSnapshot(connection);
            var census = Await(token => SlotKeyCensus.ReadAsync(snapshot, token));
            var plan = Guard(() => RepairPlanner.Plan(snapshot, census));
            if (plan.IsEmpty)
            {
                WriteNothingToDo(plan.ToString(), "NothingToRepair");
                return;
            }
            string text = plan.ToString();
            if (!ShouldProcess(text, text + Environment.NewLine + "Repair these slots?", Caption)) return;

            var repairer = Guard(() => new ClusterRepairer(connection, MigrationOptions));
            var results = Await((token, progress) => repairer.RepairAsync(plan, snapshot, progress, token));
            foreach (var result in results)
            {
                WriteObject(result);
                if (result.Outcome == SlotRepairOutcome.KeyConflict)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(result.Message), "SlotKeyConflict", ErrorCategory.ResourceExists, result));
                }
                else if (result.Outcome == SlotRepairOutcome.Failed)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(result.Message), "SlotRepairStopped", ErrorCategory.OperationStopped, result));
                }
            }
            if (results.All(r => r.Outcome == SlotRepairOutcome.Repaired))
            {
                Await((token, progress) => ClusterRepairer.WaitUntilRepairedAsync(connection, TimeSpan.FromSeconds(Timeout), progress, token));
            }
        }
    }
}
