using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.New, "RedisCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(RedisClusterNode))]
    public sealed class NewRedisClusterCommand : NodeAccessCmdlet
    {
        private readonly List<NodeEndPoint> _endPoints = new List<NodeEndPoint>();

        /// <summary>The empty nodes to build the cluster from, host:port; New-RedisClusterNode output pipes in.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] EndPoint { get; set; }

        [Parameter]
        [ValidateRange(0, 16)]
        public int ReplicasPerMaster { get; set; }

        /// <summary>Seconds to wait for the nodes to agree and report cluster_state ok.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 60;

        protected override void ProcessRecord() => _endPoints.AddRange(EndPoint.Select(ParseEndPoint));

        protected override void EndProcessing()
        {
            // Counted before any node is contacted.
            Guard(() => CreateClusterPlanner.EnsureEnoughNodes(_endPoints.Count, ReplicasPerMaster));
            using (var connection = Await(token => RedisClusterConnection.OpenAsync(BuildSettings(_endPoints), token)))
            {
                var creator = new ClusterCreator(connection);
                var candidates = Await(token => creator.InspectAsync(_endPoints, token));
                var plan = Guard(() => CreateClusterPlanner.Plan(candidates, ReplicasPerMaster));
                foreach (var warning in plan.Warnings) WriteWarning(warning);
                if (!ShouldProcess(plan.ToString(), "Create Redis cluster"))
                {
                    return;
                }
                var topology = AwaitWithProgress((token, progress) =>
                    creator.ApplyAsync(plan, TimeSpan.FromSeconds(TimeoutSeconds), progress, token));
                // The nodes carry this connection; its sockets close here and reopen when the nodes are piped on.
                WriteObject(topology.Nodes, enumerateCollection: true);
            }
        }
    }
}
