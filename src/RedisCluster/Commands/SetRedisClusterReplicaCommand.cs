using System;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Set, "RedisClusterReplica", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterNode))]
    public sealed class SetRedisClusterReplicaCommand : ClusterNodeCmdlet
    {
        /// <summary>
        /// The master to replicate (an id or a unique prefix). Never bound from the pipeline: a piped replica's own
        /// MasterId is its current master.
        /// </summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(MasterIdCompleter))]
        public string MasterId { get; set; }

        /// <summary>Seconds each node has to become a usable replica (link up, first sync over).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 60;

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var topology = TopologyOf(connection);
            var node = TargetNode(topology);
            var master = node == null ? null : FindNode(topology, MasterId);
            if (master == null) return;

            var deadline = new Deadline(TimeSpan.FromSeconds(TimeoutSeconds));
            var assigner = new ReplicaAssigner(connection);
            if (!TryAwait(token => assigner.PlanAsync(topology, node, master, token), node.EndPoint, out var plan)) return;
            foreach (var warning in plan.Warnings) WriteWarning(warning);
            if (!ShouldProcess(plan.ToString(), "Set Redis cluster replica")) return;
            if (TryAwait((token, progress) => assigner.ApplyAsync(plan, deadline, progress, token), node.EndPoint, out var replica)) WriteObject(replica);
        }
    }
}
