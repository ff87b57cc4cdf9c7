using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Reset, "RedisClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterNode))]
    public sealed class ResetRedisClusterNodeCommand : ClusterNodeCmdlet
    {
        /// <summary>CLUSTER RESET HARD: also a new node id and config epoch 0.</summary>
        [Parameter]
        public SwitchParameter Hard { get; set; }

        /// <summary>Allow the reset to delete data: a master's keys (FLUSHALL first) or a replica's copy.</summary>
        [Parameter]
        public SwitchParameter DeleteData { get; set; }

        /// <summary>With -DeleteData, do not ask before deleting.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var endPoint = TargetEndPoint(connection);
            if (endPoint == null) return;

            var resetter = new NodeResetter(connection);
            if (!TryAwait(token => resetter.PlanAsync(endPoint, Hard, DeleteData, token), endPoint.ToString(), out var plan)) return;
            if (!ShouldProcess(plan.ToString(), "Reset Redis cluster node")) return;
            if (plan.DeletesData && !Force && !ShouldContinue(plan.DataLossQuestion, "Delete data")) return;
            if (!TryAwait(token => resetter.ApplyAsync(plan, token), endPoint.ToString(), out var result)) return;
            if (result.Warning != null) WriteWarning(result.Warning);
            WriteObject(result.Node);
        }
    }
}
