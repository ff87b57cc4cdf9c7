using System;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    /// <summary>
    /// Takes a node out of its cluster for good: a master's slots move to the other masters with their keys, its
    /// replicas get other masters, every other node forgets it, and it is reset so it can join a cluster again. A
    /// node that does not answer is only forgotten. A node cmdlet (the node named by -NodeId or -EndPoint, or piped
    /// in) rather than a SlotMoveCmdlet: most removals move no slot, and the drain is one step of a plan whose
    /// confirmation and result cover the whole removal. The drain takes the slot movers' tuning parameters and -Replace
    /// from <see cref="SlotMigrationParameters"/> (not -Parallelism: it has one source).
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "RedisClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RemoveNodeResult))]
    public sealed class RemoveRedisClusterNodeCommand : ClusterNodeCmdlet, IDynamicParameters
    {
        private readonly SlotMigrationParameters _migration = new SlotMigrationParameters();

        /// <summary>-KeysPerBatch, -SlotsPerGroup, -MigrateTimeoutSeconds and -Replace, as the other slot movers have them.</summary>
        public object GetDynamicParameters() => _migration;

        /// <summary>Ctrl+C during the drain lets the groups of slots in flight finish, so none is left open.</summary>
        protected override TimeSpan StopGracePeriod => base.StopGracePeriod + _migration.ExtraStopGrace;

        /// <summary>Remove without asking for confirmation (unless -Confirm is given too).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>
        /// Seconds every wait may take: for the views to agree once the slots have moved, for re-pointed replicas to
        /// sync, and for every node to forget the removed one. Moving the slots themselves is not bounded by it.
        /// </summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 120;

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var node = TargetNode(TopologyOf(connection));
            if (node == null) return;

            var remover = Guard(() => new NodeRemover(connection, _migration.ToOptions()));
            string target = node.EndPoint.Length > 0 ? node.EndPoint : node.NodeId;
            if (!TryAwait(token => remover.PlanAsync(node.Id, token), target, out var plan)) return;
            foreach (var warning in plan.Warnings) WriteWarning(warning);
            if (!Confirmed(plan)) return;

            var deadline = new Deadline(TimeSpan.FromSeconds(TimeoutSeconds));
            if (TryAwait((token, progress) => remover.ApplyAsync(plan, deadline, progress, token), target, out var result)) WriteObject(result);
        }

        /// <summary>
        /// -WhatIf prints the plan; otherwise the removal is confirmed (ConfirmImpact High asks by default) unless
        /// -Force is given without -Confirm.
        /// </summary>
        private bool Confirmed(RemoveNodePlan plan)
        {
            if (Force && !IsWhatIf && !MyInvocation.BoundParameters.ContainsKey("Confirm"))
            {
                WriteVerboseLine(plan.ToString());
                return true;
            }
            // The three-text form, so -WhatIf prints the plan itself rather than "Performing the operation ... on target ...".
            return ShouldProcess(plan.ToString(), plan + Environment.NewLine + "Remove this node?", "Remove Redis cluster node");
        }
    }
}
