using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Get, "RedisClusterNode")]
    [OutputType(typeof(RedisClusterNode))]
    public sealed class GetRedisClusterNodeCommand : ClusterCmdlet
    {
        [Parameter]
        [ValidateSet(nameof(NodeRole.Master), nameof(NodeRole.Replica))]
        public string Role { get; set; }

        /// <summary>Node ids to return; others are left out.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] NodeId { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var wanted = NodeId?.Select(ParseNodeId).ToList();
            var role = Role == null ? (NodeRole?)null : ParseRole(Role);
            var topology = Await(token => connection.GetTopologyAsync(token));
            foreach (var node in topology.Nodes)
            {
                if (role.HasValue && node.Role != role.Value) continue;
                if (wanted != null && !wanted.Contains(node.NodeId)) continue;
                WriteObject(node);
            }
        }

        private static NodeRole ParseRole(string role) => (NodeRole)System.Enum.Parse(typeof(NodeRole), role, ignoreCase: true);
    }
}
