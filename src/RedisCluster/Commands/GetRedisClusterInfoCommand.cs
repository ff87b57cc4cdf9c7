using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Get, "RedisClusterInfo", DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterInfo))]
    public sealed class GetRedisClusterInfoCommand : ClusterCmdlet
    {
        private readonly Dictionary<RedisClusterConnection, IReadOnlyList<RedisClusterInfo>> _read =
            new Dictionary<RedisClusterConnection, IReadOnlyList<RedisClusterInfo>>();

        /// <summary>Only these nodes (ids or unique prefixes); piped nodes bind theirs. All nodes by default.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(NodeIdCompleter))]
        public string[] NodeId { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            bool first = !_read.TryGetValue(connection, out var infos);
            if (first)
            {
                // Every node asked at once; one snapshot per connection however many nodes are piped in.
                infos = Await(async token => RedisClusterInfo.From(await ClusterSnapshot.ReadAsync(connection, token).ConfigureAwait(false)));
                _read[connection] = infos;
            }
            if (NodeId == null)
            {
                if (first) WriteObject(infos, enumerateCollection: true);
                return;
            }
            var topology = TopologyOf(connection);
            foreach (var node in NodeId.Select(id => FindNode(topology, id)).Where(n => n != null))
            {
                WriteObject(infos.Where(i => i.NodeId == node.NodeId), enumerateCollection: true);
            }
        }
    }
}
