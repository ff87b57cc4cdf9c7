using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>The cluster as one node sees it: CLUSTER NODES parsed once.</summary>
    public sealed class ClusterTopology
    {
        public ClusterTopology(NodeEndPoint source, IReadOnlyList<RedisClusterNode> nodes)
        {
            Source = source;
            Nodes = nodes ?? throw new ArgumentNullException(nameof(nodes));
        }

        /// <summary>
        /// Parses one node's CLUSTER NODES. A node that has met no other does not know its own IP and
        /// writes ":port@cport"; it gets the host it was reached on, so its EndPoint can be dialled.
        /// </summary>
        public static ClusterTopology Parse(NodeEndPoint source, string clusterNodes)
        {
            var nodes = ClusterNodesParser.Parse(clusterNodes)
                .Select(n => n.IsMyself && string.IsNullOrEmpty(n.Host) && source != null ? n.WithHost(source.Host) : n)
                .ToList();
            return new ClusterTopology(source, nodes);
        }

        /// <summary>The endpoint whose CLUSTER NODES this is.</summary>
        public NodeEndPoint Source { get; }
        public IReadOnlyList<RedisClusterNode> Nodes { get; }
        public RedisClusterNode Myself => Nodes.FirstOrDefault(n => n.IsMyself);
        /// <summary>Nodes flagged master; a node still in handshake carries no role yet and is left out.</summary>
        public IEnumerable<RedisClusterNode> Masters => Nodes.Where(n => n.Role == NodeRole.Master);
        public IEnumerable<RedisClusterNode> Replicas => Nodes.Where(n => n.Role == NodeRole.Replica);
        public IEnumerable<RedisClusterNode> ReplicasOf(NodeId masterId) => Nodes.Where(n => n.Role == NodeRole.Replica && n.MasterNodeId == masterId);
        public RedisClusterNode Find(NodeId id) => Nodes.FirstOrDefault(n => n.Id == id);
        public RedisClusterNode Find(NodeEndPoint endPoint) => Nodes.FirstOrDefault(n => endPoint.Equals(n.ToEndPoint()));

        /// <summary>
        /// The node a user means by an id or a unique prefix of at least 8 characters (what the tables show).
        /// Refuses text that is no id, a prefix that matches several nodes (naming them) and an id no node has.
        /// </summary>
        public RedisClusterNode Resolve(string idOrPrefix)
        {
            string text = (idOrPrefix ?? string.Empty).Trim();
            if (!NodeId.IsIdOrPrefix(text))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"'{text}' is not a node id: give the 40 hexadecimal characters Get-RedisClusterNode shows, or at least the first {NodeId.MinimumPrefixLength}.")
                { ErrorId = "InvalidNodeId" };
            }
            var matches = Nodes.Where(n => n.Id.StartsWith(text)).ToList();
            if (matches.Count == 1) return matches[0];
            if (matches.Count == 0)
            {
                throw new RedisClusterException(FailureKind.NotFound,
                    $"No node of the cluster has the id {text}{(text.Length < NodeId.Length ? "..." : string.Empty)} (as seen from {Source}).")
                { ErrorId = "NodeNotFound" };
            }
            throw new RedisClusterException(FailureKind.InvalidArgument,
                $"'{text}' matches {matches.Count} nodes: {string.Join(", ", matches.Select(m => $"{m.NodeId} ({m.EndPoint})"))}. Give more characters.")
            { ErrorId = "AmbiguousNodeId" };
        }

        /// <summary>The master owning a slot in this view, or null when the slot is uncovered.</summary>
        public RedisClusterNode OwnerOf(int slot) => Masters.FirstOrDefault(n => n.OwnsSlot(slot));

        /// <summary>Slot ranges with their owner, in slot order.</summary>
        public IEnumerable<(SlotRange Range, RedisClusterNode Owner)> SlotOwners() =>
            Masters.SelectMany(m => m.Slots.Select(r => (r, m))).OrderBy(x => x.r.Start);

        /// <summary>
        /// What every node must agree on: who owns which slots. Two nodes agree when their signatures are equal.
        /// </summary>
        public string SlotSignature() =>
            string.Join("|", Masters.Where(m => m.Slots.Count > 0).OrderBy(m => m.NodeId, StringComparer.Ordinal)
                .Select(m => m.NodeId + ":" + m.Slots));

        public int CoveredSlotCount => Masters.Sum(m => m.SlotCount);
    }
}
