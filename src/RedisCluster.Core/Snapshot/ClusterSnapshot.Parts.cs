using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    public sealed partial class ClusterSnapshot
    {
        /// <summary>A snapshot of node states already read: replies captured earlier, or states a unit test describes.</summary>
        internal static ClusterSnapshot FromNodes(IEnumerable<NodeSnapshot> nodes, RedisClusterConnection connection = null, IEnumerable<RedisClusterNode> nodesWithoutAddress = null) =>
            new ClusterSnapshot(nodes.ToList(), connection) { NodesWithoutAddress = (nodesWithoutAddress ?? Enumerable.Empty<RedisClusterNode>()).ToList() };
    }

    public sealed partial class NodeSnapshot
    {
        /// <summary>A node that answered with these INFO, CLUSTER INFO and CLUSTER NODES texts.</summary>
        internal static NodeSnapshot FromReplies(NodeEndPoint endPoint, string info, string clusterInfo, string clusterNodes)
        {
            var snapshot = new NodeSnapshot(endPoint, null) { Info = InfoFields.Parse(info) };
            snapshot.Replication = new ReplicationState(snapshot.Info);
            snapshot.ClusterEnabled = true;
            snapshot.ClusterInfo = InfoFields.Parse(clusterInfo);
            snapshot.View = ClusterTopology.Parse(endPoint, clusterNodes);
            return snapshot;
        }

        /// <summary>A node that did not answer, as another node listed it.</summary>
        internal static NodeSnapshot Unanswered(NodeEndPoint endPoint, RedisClusterNode listedAs, RedisClusterException failure) =>
            new NodeSnapshot(endPoint, listedAs) { Failure = failure };
    }
}
