using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    public sealed partial class ClusterSnapshot
    {
        /// <summary>Views (other than the node's own) that still list the node: a removal waits until there are none.</summary>
        public IEnumerable<string> NodeListedProblems(NodeId node) =>
            Reachable.Where(s => s.Id != node && s.View.Find(node) != null)
                .Select(s => $"{s.EndPoint} still lists {node.Short}");

        /// <summary>Views in which the node still owns slots: a drained node is forgotten only once every view has it empty.</summary>
        public IEnumerable<string> NodeOwnsSlotsProblems(NodeId node) =>
            Reachable.Where(s => s.View.Find(node)?.SlotCount > 0)
                .Select(s => $"{s.EndPoint} still sees {node.Short} owning {s.View.Find(node).SlotCount} slot(s)");

        /// <summary>Nodes that replicate the node in their own view: CLUSTER FORGET of it fails on them ("Can't forget my master").</summary>
        public IEnumerable<NodeSnapshot> ReplicasFollowing(NodeId master) =>
            Reachable.Where(s => s.Myself != null && s.Myself.Id != master && s.Myself.Role == NodeRole.Replica && s.Myself.MasterNodeId == master);
    }
}
