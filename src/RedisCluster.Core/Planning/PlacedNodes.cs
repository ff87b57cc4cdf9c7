using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// A cluster's nodes as the placement rules see them, built one way for Test-RedisCluster and the placement
    /// optimizer so the two judge the same cluster the same: masters are the nodes serving slots, nodes still in a
    /// handshake or without an address are left out.
    /// </summary>
    public static class PlacedNodes
    {
        /// <param name="cluster">The cluster as the majority sees it.</param>
        /// <param name="hostOf">The placement host of an endpoint (a resolved address or a mapped failure domain).</param>
        public static IReadOnlyList<PlacedNode> From(ClusterTopology cluster, Func<NodeEndPoint, string> hostOf) =>
            cluster.Nodes
                .Where(n => n.Role != NodeRole.Unknown && (n.Flags & (NodeFlags.Handshake | NodeFlags.NoAddress)) == 0 && n.ToEndPoint() != null)
                .Select(n => new PlacedNode(n.NodeId, n.EndPoint, hostOf(n.ToEndPoint()), n.Role == NodeRole.Master && n.SlotCount > 0, n.MasterId))
                .ToList();
    }
}
