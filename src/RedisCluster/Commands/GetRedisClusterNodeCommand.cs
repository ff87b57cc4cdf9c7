using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Get, "RedisClusterNode", DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterNode))]
    public sealed class GetRedisClusterNodeCommand : ClusterCmdlet
    {
        /// <summary>Only nodes of this role; "slave" is taken as Redis writes it.</summary>
        [Parameter]
        [NodeRoleTransformation]
        public NodeRole Role { get; set; }

        /// <summary>Node ids (or unique prefixes of at least 8 characters) to return; piped nodes bind theirs.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(NodeIdCompleter))]
        public string[] NodeId { get; set; }

        protected override void ProcessRecord()
        {
            var topology = TopologyOf(ResolveConnection());
            bool byRole = MyInvocation.BoundParameters.ContainsKey(nameof(Role));
            var nodes = NodeId == null
                ? topology.Nodes
                : NodeId.Select(id => FindNode(topology, id)).Where(n => n != null).ToList();
            WriteObject(nodes.Where(n => !byRole || n.Role == Role), enumerateCollection: true);
        }
    }
}
