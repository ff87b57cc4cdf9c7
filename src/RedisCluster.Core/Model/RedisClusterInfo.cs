using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>One node's CLUSTER INFO, or why it could not be read: the cluster's health node by node.</summary>
    public sealed class RedisClusterInfo
    {
        private RedisClusterInfo(RedisClusterNode node, IReadOnlyDictionary<string, string> fields, string error, bool agrees)
        {
            NodeId = node.NodeId;
            EndPoint = node.EndPoint;
            Role = node.Role;
            Fields = fields ?? new Dictionary<string, string>();
            Error = error;
            AgreesOnSlots = agrees;
        }

        public NodeId NodeId { get; }
        public string EndPoint { get; }
        public NodeRole Role { get; }
        public bool IsReachable => Error == null;

        /// <summary>Why the node could not be asked; null when it answered.</summary>
        public string Error { get; }

        /// <summary>Whether this node's slot map is the same as the one the connection's node reports.</summary>
        public bool AgreesOnSlots { get; }

        /// <summary>cluster_state: "ok" or "fail"; null when unreachable.</summary>
        public string State => Get("cluster_state");
        public int SlotsAssigned => GetInt("cluster_slots_assigned");
        public int SlotsOk => GetInt("cluster_slots_ok");
        public int SlotsPFail => GetInt("cluster_slots_pfail");
        public int SlotsFail => GetInt("cluster_slots_fail");
        public int KnownNodes => GetInt("cluster_known_nodes");
        public int Size => GetInt("cluster_size");
        public long CurrentEpoch => GetInt("cluster_current_epoch");
        public long MyEpoch => GetInt("cluster_my_epoch");

        /// <summary>Every field CLUSTER INFO returned, for the ones without a property.</summary>
        public IReadOnlyDictionary<string, string> Fields { get; }

        private string Get(string name) => Fields.TryGetValue(name, out var value) ? value : null;
        private int GetInt(string name) => int.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : 0;

        public static IReadOnlyDictionary<string, string> ParseFields(string text)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var raw in text.Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                int colon = line.IndexOf(':');
                if (colon > 0) fields[line.Substring(0, colon)] = line.Substring(colon + 1);
            }
            return fields;
        }

        /// <summary>Asks every node the topology knows an address for, all at once.</summary>
        public static async Task<IReadOnlyList<RedisClusterInfo>> ReadAllAsync(RedisClusterConnection connection, ClusterTopology topology, CancellationToken cancellationToken)
        {
            string signature = topology.SlotSignature();
            var reads = topology.Nodes.Select(async node =>
            {
                var endPoint = node.ToEndPoint();
                if (endPoint == null || (node.Flags & NodeFlags.NoAddress) != 0)
                {
                    return new RedisClusterInfo(node, null, "The cluster knows no address for this node.", false);
                }
                try
                {
                    var client = await connection.GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
                    var infoTask = client.ExecuteStringAsync("CLUSTER", "INFO");
                    // The node the topology came from agrees with itself: no second CLUSTER NODES for it.
                    var nodesTask = node.IsMyself ? null : client.ExecuteStringAsync("CLUSTER", "NODES");
                    var fields = ParseFields(await infoTask.ConfigureAwait(false));
                    bool agrees = nodesTask == null || ClusterTopology.Parse(endPoint, await nodesTask.ConfigureAwait(false)).SlotSignature() == signature;
                    return new RedisClusterInfo(node, fields, null, agrees);
                }
                catch (RedisClusterException e)
                {
                    return new RedisClusterInfo(node, null, e.Message, false);
                }
            });
            return await Task.WhenAll(reads).ConfigureAwait(false);
        }
    }
}
