using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// Rules for a set of nodes given by endpoint (to build a cluster from, or to add to one), shared by every
    /// command that takes such a set, so each refuses the same input with the same words.
    /// </summary>
    public static class NodeSetRules
    {
        /// <summary>How a node that belongs to an earlier cluster becomes fit again, said wherever such a node is refused.</summary>
        public const string ReuseAdvice =
            "A node from an earlier cluster can be reused after Reset-RedisClusterNode -Hard (with -DeleteData for its keys; a master that still owns slots must first move them to other masters of its cluster).";

        /// <summary>Why a node without cluster support cannot take part, and what fixes it.</summary>
        public const string ClusterDisabledReason = "cluster support is disabled (set 'cluster-enabled yes' in its config and restart it).";

        /// <summary>Refuses an endpoint given more than once, before any node is contacted.</summary>
        public static void EnsureGivenOnce(IEnumerable<NodeEndPoint> endPoints)
        {
            var repeated = endPoints.GroupBy(e => e).Where(g => g.Count() > 1).Select(g => g.Key.ToString()).ToList();
            if (repeated.Count > 0)
            {
                throw Duplicate($"Each node may be given once; repeated: {string.Join(", ", repeated)}.");
            }
        }

        /// <summary>Refuses two endpoints that reach the same node (two names for one machine), told apart by node id.</summary>
        public static void EnsureDistinctNodes(IEnumerable<(NodeEndPoint EndPoint, NodeId Id)> nodes)
        {
            var sameNode = nodes.Where(n => !n.Id.IsEmpty).GroupBy(n => n.Id).Where(g => g.Count() > 1).ToList();
            if (sameNode.Count > 0)
            {
                throw Duplicate("These endpoints reach the same node: " + string.Join("; ", sameNode.Select(g => string.Join(" = ", g.Select(n => n.EndPoint)))) + ".");
            }
        }

        private static RedisClusterException Duplicate(string message) =>
            new RedisClusterException(FailureKind.InvalidArgument, message) { ErrorId = "DuplicateEndPoint" };
    }
}
