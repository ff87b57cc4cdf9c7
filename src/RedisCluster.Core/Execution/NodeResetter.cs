using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>A node after Reset-RedisClusterNode, and the nodes that still list it.</summary>
    public sealed class ResetResult
    {
        internal ResetResult(RedisClusterNode node, NodeId formerId, IReadOnlyList<NodeEndPoint> stillKnownBy)
        {
            Node = node;
            FormerId = formerId;
            StillKnownBy = stillKnownBy;
        }

        /// <summary>The node as it sees itself now: alone, without slots.</summary>
        public RedisClusterNode Node { get; }

        /// <summary>The id the other nodes know it by (a hard reset gives it a new one).</summary>
        public NodeId FormerId { get; }

        /// <summary>Nodes that still list it: they keep it as a peer until each forgets it.</summary>
        public IReadOnlyList<NodeEndPoint> StillKnownBy { get; }

        /// <summary>What the operator has to do about the nodes that still list it; null when none does.</summary>
        public string Warning => StillKnownBy.Count == 0 ? null :
            $"{StillKnownBy.Count} node(s) still list {Node.EndPoint} as {FormerId}: {string.Join(", ", StillKnownBy)}. They keep it as a peer " +
            $"(failing, once it stops answering as one) until each forgets it: run CLUSTER FORGET {FormerId} on every one of them within 60 seconds of each other, " +
            "or the ones that have not yet forgotten it teach it back to the others.";
    }

    /// <summary>
    /// Resets a node so it forgets its cluster and can be used again (after a failed creation, or once taken out
    /// of a cluster): checks it, empties it when told to, sends CLUSTER RESET, and reports which other nodes
    /// still list it.
    /// </summary>
    public sealed class NodeResetter
    {
        private readonly RedisClusterConnection _connection;

        public NodeResetter(RedisClusterConnection connection) => _connection = connection;

        /// <summary>Reads the node's own state and plans, changing nothing; refusals are thrown.</summary>
        public async Task<ResetNodePlan> PlanAsync(NodeEndPoint endPoint, bool hard, bool deleteData, CancellationToken cancellationToken)
        {
            var state = await ReadAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return ResetNodePlanner.Plan(endPoint, state.View, state.KeyCount, hard, deleteData);
        }

        public async Task<ResetResult> ApplyAsync(ResetNodePlan plan, CancellationToken cancellationToken)
        {
            var client = await _connection.GetNodeAsync(plan.EndPoint, cancellationToken).ConfigureAwait(false);
            if (plan.FlushesFirst) await client.CallAsync(cancellationToken, "FLUSHALL").ConfigureAwait(false);
            await client.CallAsync(cancellationToken, "CLUSTER", "RESET", plan.Hard ? "HARD" : "SOFT").ConfigureAwait(false);
            // The node now knows only itself: the connection must not read the cluster's topology from it any more.
            _connection.Retire(plan.EndPoint);
            if (plan.Node.ToEndPoint() != null) _connection.Retire(plan.Node.ToEndPoint());

            var after = await ReadAsync(plan.EndPoint, cancellationToken).ConfigureAwait(false);
            var formerId = plan.Node.Id;
            var others = await ClusterSnapshot.ReadAsync(_connection, plan.KnownNodes.Select(n => n.ToEndPoint()).Where(e => e != null), cancellationToken).ConfigureAwait(false);
            var stillKnownBy = others.Reachable.Where(o => o.View.Find(formerId) != null).Select(o => o.EndPoint).ToList();
            return new ResetResult(after.Myself, formerId, stillKnownBy);
        }

        private async Task<NodeSnapshot> ReadAsync(NodeEndPoint endPoint, CancellationToken cancellationToken)
        {
            var state = (await ClusterSnapshot.ReadAsync(_connection, new[] { endPoint }, cancellationToken).ConfigureAwait(false)).Nodes[0];
            if (!state.IsReachable) throw state.Failure;
            if (!state.ClusterEnabled)
            {
                throw new RedisClusterException(FailureKind.InvalidState, $"{endPoint}: {NodeSetRules.ClusterDisabledReason} It has no cluster to forget.", endPoint)
                { ErrorId = "ClusterSupportDisabled" };
            }
            return state;
        }
    }
}
