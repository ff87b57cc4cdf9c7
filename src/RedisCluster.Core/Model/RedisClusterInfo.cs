using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>One node's CLUSTER INFO, or why it could not be read: the cluster's health node by node.</summary>
    public sealed class RedisClusterInfo
    {
        private RedisClusterInfo(RedisClusterNode node, NodeSnapshot snapshot, string majoritySignature)
        {
            NodeId = node.NodeId;
            EndPoint = node.EndPoint;
            Role = node.Role;
            IsFailing = node.IsFailing;
            Fields = snapshot?.ClusterInfo ?? new Dictionary<string, string>();
            Error = snapshot == null ? "The cluster knows no address for this node."
                : snapshot.Failure?.Message ?? (snapshot.ClusterEnabled ? null : "Cluster support is disabled on this node.");
            AgreesOnSlots = IsReachable ? snapshot.SlotSignature == majoritySignature : (bool?)null;
            Connection = node.Connection;
        }

        /// <summary>The connection the node was read through, so the object pipes on.</summary>
        public RedisClusterConnection Connection { get; }

        public string NodeId { get; }
        public string EndPoint { get; }
        public NodeRole Role { get; }

        /// <summary>Whether the cluster flags this node fail or fail?.</summary>
        public bool IsFailing { get; }

        public bool IsReachable => Error == null;

        /// <summary>Why the node could not be asked; null when it answered.</summary>
        public string Error { get; }

        /// <summary>Whether this node's slot map is the one most nodes report; null when it could not be asked.</summary>
        public bool? AgreesOnSlots { get; }

        /// <summary>cluster_state: "ok" or "fail"; null when unreachable.</summary>
        public string State => Fields.Get("cluster_state");

        // Counters are null, not 0, for a node that could not be asked: nothing is known about it.
        public int? SlotsAssigned => GetInt("cluster_slots_assigned");
        public int? SlotsOk => GetInt("cluster_slots_ok");
        public int? SlotsPFail => GetInt("cluster_slots_pfail");
        public int? SlotsFail => GetInt("cluster_slots_fail");
        public int? KnownNodes => GetInt("cluster_known_nodes");
        public int? Size => GetInt("cluster_size");
        public long? CurrentEpoch => Fields.GetInt64("cluster_current_epoch");
        public long? MyEpoch => Fields.GetInt64("cluster_my_epoch");

        /// <summary>Every field CLUSTER INFO returned, for the ones without a property.</summary>
        public IReadOnlyDictionary<string, string> Fields { get; }

        private int? GetInt(string name) => (int?)Fields.GetInt64(name);

        /// <summary>One entry per node the cluster knows, the unreachable and the address-less included.</summary>
        public static IReadOnlyList<RedisClusterInfo> From(ClusterSnapshot snapshot)
        {
            string majority = snapshot.Reference.SlotSignature();
            var listed = snapshot.Reference.Nodes.ToList();
            // Nodes read but missing from the majority's view (met by one side only) are shown too.
            listed.AddRange(snapshot.Nodes.Where(s => s.Node != null && snapshot.Reference.Find(s.Node.Id) == null).Select(s => s.Node));
            return listed
                .Select(node =>
                {
                    var endPoint = node.ToEndPoint();
                    var nodeSnapshot = endPoint == null || (node.Flags & NodeFlags.NoAddress) != 0 ? null : snapshot.Find(endPoint);
                    return new RedisClusterInfo(node, nodeSnapshot, majority);
                })
                .ToList();
        }
    }
}
