using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>Which nodes a cluster-wide command goes to.</summary>
    public enum NodeRoleSelection
    {
        All,
        Master,
        Replica,
    }

    public static class NodeRoleSelectionExtensions
    {
        /// <summary>The nodes of a view the selection names, those the cluster knows an address for.</summary>
        public static IReadOnlyList<RedisClusterNode> Select(this NodeRoleSelection selection, ClusterTopology topology) =>
            topology.Nodes
                .Where(n => n.ToEndPoint() != null && (n.Flags & (NodeFlags.Handshake | NodeFlags.NoAddress)) == 0)
                .Where(n => selection == NodeRoleSelection.All ||
                            (selection == NodeRoleSelection.Master && n.Role == NodeRole.Master) ||
                            (selection == NodeRoleSelection.Replica && n.Role == NodeRole.Replica))
                .ToList();
    }
}
