using System;
using System.Collections.Generic;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.New, "RedisCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = EndPointSet)]
    [OutputType(typeof(RedisClusterNode))]
    public sealed class NewRedisClusterCommand : NodeAccessCmdlet
    {
        private const string ConnectPhase = "Connecting to the nodes and checking them";

        private readonly List<NodeEndPoint> _endPoints = new List<NodeEndPoint>();

        /// <summary>The empty nodes to build the cluster from, host:port; New-RedisClusterNode output pipes in.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = EndPointSet)]
        [ValidateNotNullOrEmpty]
        public string[] EndPoint { get; set; }

        [Parameter]
        [ValidateRange(0, 16)]
        public int ReplicasPerMaster { get; set; }

        /// <summary>Seconds for the whole creation, connecting included, until the nodes agree and report ok.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 60;

        protected override void ProcessRecord() => _endPoints.AddRange(ParseEndPoints(EndPoint));

        protected override void EndProcessing()
        {
            var deadline = new Deadline(TimeSpan.FromSeconds(TimeoutSeconds));
            // Counted before any node is contacted.
            Guard(() => CreateClusterPlanner.EnsureEnoughNodes(_endPoints.Count, ReplicasPerMaster));
            var settings = BuildSettings(_endPoints);
            using (var connection = Await(token => deadline.RunAsync(ConnectPhase, ClusterWait.TimeoutErrorId,
                t => RedisClusterConnection.OpenAsync(settings, EngineBridge.Connector, t, readTopology: false), token)))
            {
                var creator = new ClusterCreator(connection);
                var candidates = Await(token => deadline.RunAsync(ConnectPhase, ClusterWait.TimeoutErrorId, t => creator.InspectAsync(_endPoints, t), token));
                var plan = Guard(() => CreateClusterPlanner.Plan(candidates, ReplicasPerMaster));
                foreach (var warning in plan.Warnings) WriteWarning(warning);
                if (plan.Resumes) WriteVerboseLine("Some nodes already carry part of this cluster (an earlier run stopped): finishing it.");
                if (!ShouldProcess(plan.ToString(), plan.Resumes ? "Finish creating Redis cluster" : "Create Redis cluster"))
                {
                    return;
                }
                var topology = Await((token, progress) => creator.ApplyAsync(plan, deadline, progress, token));
                // The nodes carry this connection; its sockets close here and reopen when the nodes are piped on.
                WriteObject(topology.Nodes, enumerateCollection: true);
            }
        }
    }
}
