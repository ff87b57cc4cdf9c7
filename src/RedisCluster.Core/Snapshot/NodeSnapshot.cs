using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>One node's own view of the cluster and its own state, or why it could not be read.</summary>
    public sealed partial class NodeSnapshot
    {
        private NodeSnapshot(NodeEndPoint endPoint, RedisClusterNode listedAs)
        {
            EndPoint = endPoint;
            ListedAs = listedAs;
        }

        public NodeEndPoint EndPoint { get; }

        /// <summary>How the node that named this one lists it (null when the endpoint was given, not discovered).</summary>
        public RedisClusterNode ListedAs { get; }

        /// <summary>Why the node could not be read; null when it answered.</summary>
        public RedisClusterException Failure { get; private set; }
        public bool IsReachable => Failure == null;

        public bool ClusterEnabled { get; private set; }

        /// <summary>The node's own CLUSTER NODES; null when unreachable or not a cluster node.</summary>
        public ClusterTopology View { get; private set; }

        /// <summary>The node's own line in its view.</summary>
        public RedisClusterNode Myself => View?.Myself;

        /// <summary>The node's id, from its own view or else from the view that named it.</summary>
        public NodeId? Id => Myself?.Id ?? ListedAs?.Id;

        public IReadOnlyDictionary<string, string> ClusterInfo { get; private set; } = new Dictionary<string, string>();

        /// <summary>INFO's default sections (server, replication, keyspace, ...).</summary>
        public IReadOnlyDictionary<string, string> Info { get; private set; } = new Dictionary<string, string>();

        public ReplicationState Replication { get; private set; }

        /// <summary>cluster_state: "ok" or "fail"; null when not read.</summary>
        public string ClusterState => ClusterInfo.Get("cluster_state");

        public Version ServerVersion => Version.TryParse(Info.Get("redis_version") ?? string.Empty, out var version) ? version : null;

        /// <summary>Keys in database 0, the only one a cluster node has.</summary>
        public long KeyCount => InfoFields.ParseComposite(Info.Get("db0")).TryGetValue("keys", out var keys) && long.TryParse(keys, out long count) ? count : 0;

        public string SlotSignature => View?.SlotSignature();

        /// <summary>The node at this endpoint as it describes itself, or as it was listed when it could not be asked.</summary>
        public RedisClusterNode Node => Myself ?? ListedAs;

        public override string ToString() => EndPoint.ToString();

        /// <summary>Reads INFO, CLUSTER INFO and CLUSTER NODES from one node, pipelined, each within the time given.</summary>
        internal static async Task<NodeSnapshot> ReadAsync(RedisClusterConnection connection, NodeEndPoint endPoint, RedisClusterNode listedAs, TimeSpan callTimeout, CancellationToken cancellationToken)
        {
            var snapshot = new NodeSnapshot(endPoint, listedAs);
            try
            {
                var client = await connection.GetNodeAsync(endPoint, cancellationToken).ConfigureAwait(false);
                var limit = callTimeout < client.CommandTimeout ? callTimeout : client.CommandTimeout;
                var info = client.ExecuteAsync(new RedisCommand("INFO"), cancellationToken, limit);
                var clusterInfo = client.ExecuteAsync(new RedisCommand("CLUSTER", "INFO"), cancellationToken, limit);
                var nodes = client.ExecuteAsync(new RedisCommand("CLUSTER", "NODES"), cancellationToken, limit);
                snapshot.Info = InfoFields.Parse((await info.ConfigureAwait(false)).AsString());
                snapshot.Replication = new ReplicationState(snapshot.Info);
                snapshot.ClusterEnabled = snapshot.Info.Get("cluster_enabled") == "1";
                if (!snapshot.ClusterEnabled)
                {
                    await Task.WhenAll(Quietly(clusterInfo), Quietly(nodes)).ConfigureAwait(false);
                    return snapshot;
                }
                snapshot.ClusterInfo = InfoFields.Parse((await clusterInfo.ConfigureAwait(false)).AsString());
                var view = ClusterTopology.Parse(endPoint, (await nodes.ConfigureAwait(false)).AsString());
                foreach (var node in view.Nodes) node.Connection = connection;
                snapshot.View = view;
            }
            catch (RedisClusterException e)
            {
                snapshot.Failure = e;
            }
            catch (ClusterNodesFormatException e)
            {
                snapshot.Failure = new RedisClusterException(FailureKind.Protocol, $"{endPoint} sent a CLUSTER NODES reply this module cannot read: {e.Problem}", endPoint, e) { ErrorId = "ClusterNodesUnreadable" };
            }
            return snapshot;
        }

        private static async Task Quietly(Task task)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (RedisClusterException)
            {
                // The node answered that it is no cluster node; INFO already said so.
            }
        }
    }
}
