using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// Pure planning for Add-RedisClusterNode: checks every offered node and the master asked for, and decides
    /// who joins as what. Every refusal happens here, before anything changes, and names each unfit node.
    /// </summary>
    public static class AddNodePlanner
    {
        /// <param name="masterIdOrPrefix">The master the nodes are to replicate (an id or a unique prefix); null to join them as masters.</param>
        public static AddNodePlan Plan(JoinInspection inspection, string masterIdOrPrefix)
        {
            var cluster = inspection.Cluster;
            var master = masterIdOrPrefix == null ? null : ChooseMaster(inspection, masterIdOrPrefix);
            NodeSetRules.EnsureDistinctNodes(inspection.Candidates.Select(c => (c.EndPoint, c.Id)));

            var problems = inspection.Candidates.SelectMany(c => Problems(c, cluster)).ToList();
            if (problems.Count > 0)
            {
                var first = problems[0];
                bool reusable = problems.Any(p => p.ErrorId == NodeNotEmpty);
                throw new RedisClusterException(first.Kind,
                    "Nodes that cannot join the cluster (nothing was changed): " + string.Join(" ", problems.Select(p => p.Text)) + (reusable ? " " + NodeSetRules.ReuseAdvice : string.Empty),
                    first.EndPoint)
                { ErrorId = first.ErrorId };
            }
            if (inspection.ClusterProblems.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"The cluster is not ok, so a new node could never report ok in it (nothing was changed): {string.Join("; ", inspection.ClusterProblems)}. " +
                    "Add nodes once Get-RedisClusterInfo shows every node ok.")
                { ErrorId = "ClusterNotOk" };
            }

            var joining = inspection.Candidates.Select(c => new JoiningNode(c, master)).ToList();
            var members = cluster.Nodes
                .Where(n => n.ToEndPoint() != null && (n.Flags & (NodeFlags.Handshake | NodeFlags.NoAddress)) == 0 && !inspection.UnreachableMembers.Contains(n.Id))
                .ToList();
            var warnings = cluster.Nodes.Where(n => inspection.UnreachableMembers.Contains(n.Id))
                .Select(n => $"{(n.EndPoint.Length > 0 ? n.EndPoint : n.Id.Short)} could not be reached: it learns of the new node(s) from the others once it is back.")
                .Concat(PlacementWarnings(cluster, joining))
                .Concat(master == null ? Enumerable.Empty<string>() : ReplicaPlacement.MigrationWarnings(cluster, master, joining.Count, null))
                .ToList();
            return new AddNodePlan(cluster, joining, members, warnings);
        }

        private const string NodeNotEmpty = "NodeNotEmpty";

        private sealed class Problem
        {
            public Problem(NodeEndPoint endPoint, string errorId, FailureKind kind, string text)
            {
                EndPoint = endPoint;
                ErrorId = errorId;
                Kind = kind;
                Text = text;
            }

            public NodeEndPoint EndPoint { get; }
            public string ErrorId { get; }
            public FailureKind Kind { get; }
            public string Text { get; }
        }

        /// <summary>The master by id or unique prefix, refused unless it is a master that answers and is not flagged failing.</summary>
        private static RedisClusterNode ChooseMaster(JoinInspection inspection, string idOrPrefix)
        {
            var master = inspection.Cluster.Resolve(idOrPrefix);
            NodeRefusals.EnsureUsableMaster(master, inspection.UnreachableMembers.Contains(master.Id));
            return master;
        }

        private static IEnumerable<Problem> Problems(JoinCandidate node, ClusterTopology cluster)
        {
            var endPoint = node.EndPoint;
            if (node.Failure != null)
            {
                yield return new Problem(endPoint, node.Failure.ErrorId ?? node.Failure.Kind.ToString(), node.Failure.Kind, node.Failure.Message);
                yield break;
            }
            if (!node.ClusterEnabled)
            {
                yield return new Problem(endPoint, "ClusterSupportDisabled", FailureKind.InvalidState, $"{endPoint}: {NodeSetRules.ClusterDisabledReason}");
                yield break;
            }
            if (ServerRequirements.IsTooOld(node.ServerVersion))
            {
                yield return new Problem(endPoint, "ServerTooOld", FailureKind.InvalidState,
                    $"{endPoint}: it runs Redis {node.ServerVersion}; nodes need {ServerRequirements.MinimumVersion} or newer.");
                yield break;
            }
            var member = cluster.Find(node.Id) ?? (node.Address == null ? null : cluster.Find(new NodeEndPoint(node.Address, endPoint.Port)));
            if (member != null)
            {
                yield return new Problem(endPoint, "NodeAlreadyInCluster", FailureKind.InvalidArgument,
                    $"{endPoint}: it is already a node of this cluster ({member.NodeId.Substring(0, 8)}, {member.Role.ToString().ToLowerInvariant()}).");
                yield break;
            }
            var known = node.KnownNodes;
            if (known.Count > 0)
            {
                yield return new Problem(endPoint, NodeNotEmpty, FailureKind.InvalidState,
                    $"{endPoint}: it already knows {known.Count} other node(s) ({string.Join(", ", known.Select(n => n.EndPoint.Length > 0 ? n.EndPoint : n.Id.Short))}): it belongs to another cluster.");
            }
            var slots = node.View.Myself?.Slots ?? SlotRangeList.Empty;
            if (slots.Count > 0)
            {
                yield return new Problem(endPoint, NodeNotEmpty, FailureKind.InvalidState, $"{endPoint}: it owns slots {slots}: it belongs to another cluster.");
            }
            if (node.KeyCount > 0)
            {
                yield return new Problem(endPoint, NodeNotEmpty, FailureKind.InvalidState, $"{endPoint}: it holds {node.KeyCount} key(s); a node joins empty.");
            }
        }

        /// <summary>New replicas placed on their master's host, by the shared placement rules.</summary>
        private static IEnumerable<string> PlacementWarnings(ClusterTopology cluster, IReadOnlyList<JoiningNode> joining)
        {
            var replicas = joining.Where(j => j.IsReplica).ToList();
            if (replicas.Count == 0) return Enumerable.Empty<string>();
            var after = cluster.Nodes.Where(n => n.Role != NodeRole.Unknown).Select(ReplicaPlacement.Of)
                .Concat(replicas.Select(r => new PlacedNode(r.Node.EndPoint.ToString(), r.Node.EndPoint.ToString(), r.Node.Address, false, r.Master.NodeId)))
                .ToList();
            return ReplicaPlacement.Warnings(after, replicas.Select(r => r.Node.EndPoint.ToString()).ToList());
        }
    }
}
