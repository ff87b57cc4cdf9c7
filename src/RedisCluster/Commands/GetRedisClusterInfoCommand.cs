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
        private readonly Dictionary<RedisClusterConnection, ClusterSnapshot> _snapshots = new Dictionary<RedisClusterConnection, ClusterSnapshot>();

        /// <summary>Only these nodes (ids or unique prefixes); piped nodes bind theirs. All nodes by default.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(NodeIdCompleter))]
        public string[] NodeId { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            bool first = !_snapshots.TryGetValue(connection, out var snapshot);
            if (first)
            {
                // Every node asked at once; one snapshot per connection however many nodes are piped in.
                snapshot = Await(token => ClusterSnapshot.ReadAsync(connection, token));
                _snapshots[connection] = snapshot;
            }
            var infos = RedisClusterInfo.From(snapshot);
            if (NodeId == null)
            {
                if (first) WriteObject(infos, enumerateCollection: true);
                return;
            }
            // Ids are matched against the view the report itself comes from, not a second read.
            foreach (var node in NodeId.Select(id => FindNode(snapshot.Reference, id)).Where(n => n != null))
            {
                WriteObject(infos.Where(i => i.NodeId == node.NodeId), enumerateCollection: true);
            }
        }
    }
}
