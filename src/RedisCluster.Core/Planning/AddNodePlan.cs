using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RedisCluster
{
    /// <summary>A node offered to join a cluster, as inspected before anything changes: where it is and what it holds.</summary>
    public sealed class JoinCandidate
    {
        /// <param name="endPoint">The endpoint as given.</param>
        /// <param name="address">The IP the endpoint's host resolves to, which CLUSTER MEET needs; null when unknown.</param>
        /// <param name="view">The node's own CLUSTER NODES; null when it could not be read.</param>
        /// <param name="failure">Why the node could not be read; null when it answered.</param>
        public JoinCandidate(NodeEndPoint endPoint, string address, ClusterTopology view = null, long keyCount = 0, Version serverVersion = null,
            bool clusterEnabled = true, RedisClusterException failure = null)
        {
            EndPoint = endPoint ?? throw new ArgumentNullException(nameof(endPoint));
            Address = address;
            View = view;
            KeyCount = keyCount;
            ServerVersion = serverVersion;
            ClusterEnabled = clusterEnabled;
            Failure = failure;
        }

        public NodeEndPoint EndPoint { get; }
        public string Address { get; }
        public ClusterTopology View { get; }
        public long KeyCount { get; }
        public Version ServerVersion { get; }
        public bool ClusterEnabled { get; }
        public RedisClusterException Failure { get; }

        public NodeId Id => View?.Myself?.Id ?? default;

        /// <summary>The cluster bus port from the node's own line (cluster-announce-bus-port when set), for CLUSTER MEET.</summary>
        public int BusPort => View?.Myself?.BusPort > 0 ? View.Myself.BusPort : EndPoint.DefaultBusPort;

        /// <summary>Nodes it knows besides itself, handshakes not counted.</summary>
        public IReadOnlyList<RedisClusterNode> KnownNodes =>
            View == null ? new RedisClusterNode[0] : View.Nodes.Where(n => !n.IsMyself && (n.Flags & NodeFlags.Handshake) == 0).ToList();

        public override string ToString() => EndPoint.ToString();
    }

    /// <summary>What Add-RedisClusterNode found before changing anything: the cluster as most of its nodes see it, and the nodes offered.</summary>
    public sealed class JoinInspection
    {
        /// <param name="cluster">The cluster's topology as the majority sees it.</param>
        /// <param name="unreachableMembers">Nodes of the cluster that could not be read: they learn of new nodes from the others later.</param>
        /// <param name="clusterProblems">Why the cluster is not ok now (nodes reporting fail, slots uncovered); empty when it is.</param>
        public JoinInspection(ClusterTopology cluster, IReadOnlyList<JoinCandidate> candidates, IEnumerable<NodeId> unreachableMembers = null, IEnumerable<string> clusterProblems = null)
        {
            Cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
            Candidates = candidates ?? throw new ArgumentNullException(nameof(candidates));
            UnreachableMembers = new HashSet<NodeId>(unreachableMembers ?? Enumerable.Empty<NodeId>());
            ClusterProblems = (clusterProblems ?? Enumerable.Empty<string>()).ToList();
        }

        public ClusterTopology Cluster { get; }
        public IReadOnlyList<JoinCandidate> Candidates { get; }
        public ISet<NodeId> UnreachableMembers { get; }
        public IReadOnlyList<string> ClusterProblems { get; }
    }

    /// <summary>One new node and the role it joins in: a master without slots, or a replica of Master.</summary>
    public sealed class JoiningNode
    {
        public JoiningNode(JoinCandidate node, RedisClusterNode master)
        {
            Node = node;
            Master = master;
        }

        public JoinCandidate Node { get; }

        /// <summary>The master it will replicate; null for a node that joins as a master.</summary>
        public RedisClusterNode Master { get; }

        public bool IsReplica => Master != null;
    }

    /// <summary>What Add-RedisClusterNode will do: which nodes join, in which role, and whom they are introduced to.</summary>
    public sealed class AddNodePlan
    {
        public AddNodePlan(ClusterTopology cluster, IReadOnlyList<JoiningNode> nodes, IReadOnlyList<RedisClusterNode> members, IReadOnlyList<string> warnings)
        {
            Cluster = cluster;
            Nodes = nodes;
            Members = members;
            Warnings = warnings;
        }

        public ClusterTopology Cluster { get; }
        public IReadOnlyList<JoiningNode> Nodes { get; }

        /// <summary>The cluster's nodes that answered: they meet the new nodes, and the join waits until each knows them.</summary>
        public IReadOnlyList<RedisClusterNode> Members { get; }

        /// <summary>Compromises the join makes, such as a replica on its master's host or a member that could not be reached.</summary>
        public IReadOnlyList<string> Warnings { get; }

        public override string ToString()
        {
            var text = new StringBuilder();
            int masters = Cluster.Masters.Count();
            text.AppendLine($"Add {Nodes.Count} node(s) to the cluster of {Cluster.Nodes.Count} nodes ({masters} masters) seen from {Cluster.Source}:");
            foreach (var node in Nodes)
            {
                text.AppendLine(node.IsReplica
                    ? $"  replica {node.Node.EndPoint,-22} of {node.Master.EndPoint} ({node.Master.NodeId.Substring(0, 8)})"
                    : $"  master  {node.Node.EndPoint,-22} without slots, until a reshard moves some to it");
            }
            foreach (var warning in Warnings) text.AppendLine("  warning: " + warning);
            return text.ToString().TrimEnd();
        }
    }
}
