using System;
using System.Collections.Generic;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Add, "RedisClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterNode))]
    public sealed class AddRedisClusterNodeCommand : ClusterCmdlet
    {
        private const string InspectPhase = "Reading the cluster and the new nodes";

        private readonly List<NodeEndPoint> _newNodes = new List<NodeEndPoint>();

        /// <summary>
        /// The empty nodes to add, host:port; piped strings or objects with an EndPoint property (New-RedisClusterNode
        /// output). Not bound by property name: EndPoint there names the new node, not the way into the cluster.
        /// </summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [EndPointTransformation]
        public string[] NewNode { get; set; }

        /// <summary>The master the new nodes replicate (an id or a unique prefix); without it they join as masters.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(MasterIdCompleter))]
        public string MasterId { get; set; }

        /// <summary>Seconds for the whole join, reading the nodes included, until the new nodes are usable.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 60;

        protected override void ProcessRecord() => _newNodes.AddRange(ParseEndPoints(NewNode));

        protected override void EndProcessing()
        {
            // Every piped input was refused (and said so): there is nothing to add.
            if (_newNodes.Count == 0) return;
            var deadline = new Deadline(TimeSpan.FromSeconds(TimeoutSeconds));
            var joiner = new NodeJoiner(ResolveConnection());
            var inspection = Await(token => deadline.RunAsync(InspectPhase, ClusterWait.TimeoutErrorId, t => joiner.InspectAsync(_newNodes, t), token));
            var plan = Guard(() => AddNodePlanner.Plan(inspection, MasterId));
            foreach (var warning in plan.Warnings) WriteWarning(warning);
            if (!ShouldProcess(plan.ToString(), "Add nodes to Redis cluster")) return;
            WriteObject(Await((token, progress) => joiner.ApplyAsync(plan, deadline, progress, token)), enumerateCollection: true);
        }
    }
}
