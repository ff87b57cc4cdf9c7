using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RedisCluster
{
    /// <summary>How a node that needs a restart is restarted, by what it is in its cluster.</summary>
    public enum NodeRestartKind
    {
        /// <summary>In no cluster (it knows no other node): restarted, nothing to wait for but its answer.</summary>
        Alone,
        /// <summary>A replica: restarted; its master serves the shard meanwhile.</summary>
        Replica,
        /// <summary>A master whose slots a replica can take: the replica is promoted first (a Default failover), then the node restarts as its replica.</summary>
        HandOver,
        /// <summary>A master no replica can take over from (or one owning no slots): restarted as it is.</summary>
        InPlace,
    }

    /// <summary>One node's restart as planned from a read of its cluster just before it.</summary>
    public sealed class NodeRestartStep
    {
        internal NodeRestartStep(NodeEndPoint endPoint, NodeRestartKind kind, FailoverPlan handOver = null, string warning = null)
        {
            EndPoint = endPoint;
            Kind = kind;
            HandOver = handOver;
            Warning = warning;
        }

        public NodeEndPoint EndPoint { get; }
        public NodeRestartKind Kind { get; }

        /// <summary>With <see cref="NodeRestartKind.HandOver"/>, the failover to its best replica, as Invoke-RedisFailover -MasterId plans it.</summary>
        public FailoverPlan HandOver { get; }

        /// <summary>What the restart costs the cluster (a master's slots unavailable while it restarts in place); null when nothing.</summary>
        public string Warning { get; }

        /// <summary>The progress line of the failover, for a hand-over: "handing 127.0.0.1:7001's slots to ... (2 of 6)".</summary>
        public string DescribeHandOver(int number, int count) =>
            $"handing {EndPoint}'s slots to its replica {HandOver.Replica.EndPoint} (CLUSTER FAILOVER) before its restart ({Of(number, count)})";

        /// <summary>The progress line of the restart itself: "restarting 127.0.0.1:7004 (replica, 1 of 6)".</summary>
        public string DescribeRestart(int number, int count)
        {
            string what = Kind == NodeRestartKind.Alone ? "in no cluster"
                : Kind == NodeRestartKind.Replica ? "replica"
                : Kind == NodeRestartKind.HandOver ? $"now a replica of {HandOver.Replica.EndPoint}"
                : "master, in place";
            return $"restarting {EndPoint} ({what}, {Of(number, count)})";
        }

        private static string Of(int number, int count) =>
            $"{number.ToString(CultureInfo.InvariantCulture)} of {count.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// Pure choices for New-RedisClusterNode -Restart: the order of the nodes (so that a shard never loses two nodes at
    /// once and a master goes only after its replicas are back), and for each, just before its turn, how it goes: a
    /// master that owns slots and has a replica able to take over hands its role to that replica first, with the same
    /// plan Invoke-RedisFailover makes, so its slots stay served throughout.
    /// </summary>
    public static class NodeRestartPlanner
    {
        /// <summary>What -WhatIf says about the restarts; the roles are known only once the nodes are reached.</summary>
        public static readonly IReadOnlyList<string> Steps = new[]
        {
            "then restart the nodes whose changed settings need it, one at a time, each back in its cluster and in sync before the next:",
            "  nodes in no cluster and replicas first",
            "  a master owning slots: CLUSTER FAILOVER to its best replica in sync (as Invoke-RedisFailover -MasterId), then restart it as a replica (it stays one)",
            "  a master without such a replica: restart in place (a warning: its slots are unavailable until it is back)",
        };

        /// <summary>
        /// The order of the restarts, from what each node was before any of them (null: it could not be asked): nodes in no
        /// cluster, then replicas, then masters, then the nodes that could not be asked; otherwise as given.
        /// </summary>
        public static IReadOnlyList<T> Order<T>(IEnumerable<T> nodes, Func<T, NodeRestartKind?> kind) =>
            nodes.Select((node, index) => (node, index, rank: Rank(kind(node)))).OrderBy(n => n.rank).ThenBy(n => n.index).Select(n => n.node).ToList();

        private static int Rank(NodeRestartKind? kind) =>
            kind == NodeRestartKind.Alone ? 0 : kind == NodeRestartKind.Replica ? 1 : kind.HasValue ? 2 : 3;

        /// <summary>What a node is in the view given (its own or another member's), for the order; a master counts as <see cref="NodeRestartKind.InPlace"/> until its turn.</summary>
        public static NodeRestartKind Classify(ClusterTopology view, NodeEndPoint endPoint)
        {
            if (view.Nodes.Count <= 1) return NodeRestartKind.Alone;
            return view.Find(endPoint)?.Role == NodeRole.Replica ? NodeRestartKind.Replica : NodeRestartKind.InPlace;
        }

        /// <summary>
        /// The restart of a node in no cluster: there is nothing to read first (a node that never met another does not
        /// even know its own address, so no read of "its cluster" finds it by endpoint) and nothing to wait for but its answer.
        /// </summary>
        public static NodeRestartStep Alone(NodeEndPoint endPoint) => new NodeRestartStep(endPoint, NodeRestartKind.Alone);

        /// <summary>
        /// How the node goes, judged on a read of its cluster made just before its turn: a master owning slots hands them
        /// to its best replica (reachable, not failing, link up, first sync over, highest offset) when it has one, and is
        /// otherwise restarted in place with a warning. Refusals other than "no usable replica" (the master itself
        /// unreachable or flagged failing) are thrown: restarting such a node is no plan.
        /// </summary>
        public static NodeRestartStep Plan(ClusterSnapshot snapshot, NodeEndPoint endPoint)
        {
            var node = snapshot.Find(endPoint);
            if (node == null || !node.IsReachable)
            {
                throw node?.Failure ?? new RedisClusterException(FailureKind.NotFound,
                    $"{endPoint} is not among the nodes of its cluster as read just now; it was not restarted.", endPoint) { ErrorId = "NodeNotFound" };
            }
            if (node.View.Nodes.Count <= 1) return new NodeRestartStep(endPoint, NodeRestartKind.Alone);
            var myself = snapshot.Reference.Find(node.Myself.Id) ?? node.Myself;
            if (myself.Role == NodeRole.Replica) return new NodeRestartStep(endPoint, NodeRestartKind.Replica);
            if (myself.SlotCount == 0) return new NodeRestartStep(endPoint, NodeRestartKind.InPlace);
            try
            {
                return new NodeRestartStep(endPoint, NodeRestartKind.HandOver, FailoverPlanner.PlanForMaster(snapshot, myself.Id, FailoverMode.Default));
            }
            catch (RedisClusterException e) when (e.ErrorId == FailoverPlanner.NoUsableReplicaErrorId)
            {
                string why = snapshot.Reference.ReplicasOf(myself.Id).Any()
                    ? "none of its replicas can take over (each must answer, not be flagged failing, and have its link up and its first sync done)"
                    : "it has no replica";
                return new NodeRestartStep(endPoint, NodeRestartKind.InPlace, warning:
                    $"The master {NodeRefusals.Name(myself)} owns {myself.SlotCount.ToString(CultureInfo.InvariantCulture)} slots and {why}: it is restarted in place, " +
                    "and its slots are unavailable to clients until it is back and the cluster sees it ok.");
            }
        }
    }
}
