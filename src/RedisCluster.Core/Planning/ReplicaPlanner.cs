using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>What Set-RedisClusterReplica will do to one node.</summary>
    public sealed class ReplicaPlan
    {
        internal ReplicaPlan(NodeEndPoint endPoint, RedisClusterNode node, RedisClusterNode master, RedisClusterNode currentMaster, IReadOnlyList<string> warnings)
        {
            EndPoint = endPoint;
            Node = node;
            Master = master;
            CurrentMaster = currentMaster;
            Warnings = warnings;
        }

        /// <summary>Where the node is reached.</summary>
        public NodeEndPoint EndPoint { get; }

        /// <summary>The node as it sees itself.</summary>
        public RedisClusterNode Node { get; }

        /// <summary>The master it is to replicate, as the cluster lists it.</summary>
        public RedisClusterNode Master { get; }

        /// <summary>The master it replicates now, as it sees it; null for a master.</summary>
        public RedisClusterNode CurrentMaster { get; }

        /// <summary>True when it replicates that master already: nothing is sent, the wait for its link still runs.</summary>
        public bool IsAlreadyDone => Node.Role == NodeRole.Replica && Node.MasterNodeId == Master.Id;

        public IReadOnlyList<string> Warnings { get; }

        public override string ToString()
        {
            string node = NodeRefusals.Name(Node), master = NodeRefusals.Name(Master);
            if (IsAlreadyDone) return $"{node} already replicates {master}: nothing to change; wait until its link is up.";
            string now = Node.Role != NodeRole.Replica ? "an empty master now"
                : $"now a replica of {(CurrentMaster != null ? NodeRefusals.Name(CurrentMaster) : Node.MasterNodeId?.Short)}";
            return $"Make {node} ({now}) a replica of {master} (CLUSTER REPLICATE), and wait until it has synced.";
        }
    }

    /// <summary>Pure checks for Set-RedisClusterReplica: what Redis would refuse obscurely, refused here in plain words.</summary>
    public static class ReplicaPlanner
    {
        /// <param name="cluster">The cluster as the cmdlet read it, where the master was found.</param>
        /// <param name="nodeView">The node's own CLUSTER NODES.</param>
        /// <param name="keyCount">Keys the node holds.</param>
        /// <param name="endPoint">Where the node is reached.</param>
        /// <param name="master">The master to replicate, from <paramref name="cluster"/>.</param>
        public static ReplicaPlan Plan(ClusterTopology cluster, ClusterTopology nodeView, long keyCount, NodeEndPoint endPoint, RedisClusterNode master)
        {
            var node = nodeView.Myself;
            if (node.Id == master.Id)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"{NodeRefusals.Name(node)} cannot replicate itself: give the id of another master.", endPoint)
                { ErrorId = "ReplicaOfItself" };
            }
            NodeRefusals.EnsureUsableMaster(master);
            var seenMaster = nodeView.Find(master.Id);
            if (seenMaster == null || seenMaster.Role != NodeRole.Master)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{NodeRefusals.Name(node)} does not know {NodeRefusals.Name(master)} as a master yet: its view of the cluster differs from the one read. " +
                    "Try again once Get-RedisClusterInfo shows every node agreeing; nothing was changed.", endPoint)
                { ErrorId = "MasterUnknownToNode" };
            }
            if (node.Role == NodeRole.Master)
            {
                if (node.SlotCount > 0) throw NodeRefusals.OwnsSlots(node, "a replica owns no slots, so they would be lost to the cluster.");
                if (node.MigratingSlots.Count + node.ImportingSlots.Count > 0) throw NodeRefusals.SlotsOpen(node);
                if (keyCount > 0)
                {
                    throw new RedisClusterException(FailureKind.InvalidState,
                        $"{NodeRefusals.Name(node)} is a master without slots that still holds {keyCount} key(s) (in slots it does not own): " +
                        "Redis turns only an empty master into a replica. Move the keys to the masters that own their slots, or delete them (FLUSHALL on that node); nothing was changed.", endPoint)
                    { ErrorId = "NodeHoldsKeys" };
                }
            }
            var currentMaster = node.Role == NodeRole.Replica && node.MasterNodeId.HasValue ? nodeView.Find(node.MasterNodeId.Value) : null;
            return new ReplicaPlan(endPoint, node, master, currentMaster, Warnings(cluster, node, master, currentMaster).ToList());
        }

        private static IEnumerable<string> Warnings(ClusterTopology cluster, RedisClusterNode node, RedisClusterNode master, RedisClusterNode currentMaster)
        {
            if (currentMaster != null && currentMaster.Id != master.Id && currentMaster.SlotCount > 0 &&
                !cluster.ReplicasOf(currentMaster.Id).Any(r => r.Id != node.Id))
            {
                yield return $"{NodeRefusals.Name(currentMaster)} keeps no replica once {NodeRefusals.Name(node)} moves: until another joins, losing it loses slots {currentMaster.Slots}.";
            }
            if (currentMaster?.Id != master.Id)
            {
                foreach (var warning in ReplicaPlacement.MigrationWarnings(cluster, master, 1, node.Id)) yield return warning;
            }
            var after = cluster.Nodes.Where(n => n.Role != NodeRole.Unknown && n.Id != node.Id).Select(ReplicaPlacement.Of)
                .Concat(new[] { new PlacedNode(node.NodeId, node.EndPoint, node.Host, false, master.NodeId) })
                .ToList();
            foreach (var warning in ReplicaPlacement.Warnings(after, new[] { node.NodeId })) yield return warning;
        }
    }
}
