using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    public sealed partial class ClusterSnapshot
    {
        /// <summary>
        /// What stands between this cluster and a finished failover, by roles: a reachable node whose view does not show
        /// the new master as a master, or does not show one of the shard's other nodes (the old master included)
        /// replicating it. Nodes that cannot be read (a dead old master) are not waited for: they learn the new order when
        /// they come back. Replication links are not looked at: a follower that cannot link (a wrong masterauth) does not
        /// undo a promotion (<see cref="FollowerLinkProblems"/>).
        /// </summary>
        /// <param name="newMaster">The promoted replica.</param>
        /// <param name="followers">The shard's other nodes: the old master and the other replicas.</param>
        public IEnumerable<string> FailoverProblems(NodeId newMaster, IReadOnlyCollection<NodeId> followers)
        {
            var promoted = Find(newMaster);
            if (promoted == null || !promoted.IsReachable)
            {
                yield return $"the promoted node {promoted?.EndPoint.ToString() ?? newMaster.Short} cannot be read";
                yield break;
            }
            var live = LiveFollowers(followers);
            foreach (var node in Reachable)
            {
                var seen = node.View.Find(newMaster);
                if (seen?.Role != NodeRole.Master)
                {
                    yield return $"{node.EndPoint} does not see {promoted.EndPoint} as a master yet";
                    continue;
                }
                int behind = live.Count(f => node.View.Find(f)?.Role != NodeRole.Replica || node.View.Find(f)?.MasterNodeId != newMaster);
                if (behind > 0) yield return $"{node.EndPoint} does not yet see {behind} of the shard's {live.Count} other node(s) replicating {promoted.EndPoint}";
            }
        }

        /// <summary>
        /// Followers of the new master that answer but, by their own INFO, do not replicate it with their link up and their
        /// first sync over: copies of the shard that are not current yet.
        /// </summary>
        public IEnumerable<string> FollowerLinkProblems(NodeId newMaster, IReadOnlyCollection<NodeId> followers)
        {
            var master = Find(newMaster)?.Myself;
            if (master == null) return new[] { $"the promoted node {newMaster.Short} cannot be read" };
            return ReplicaLinkProblems(LiveFollowers(followers).Select(f => (f, master)));
        }

        /// <summary>
        /// True when the replica asked to take over still sees itself as a replica: once Redis's manual failover window
        /// (5 s) has passed, it has given up and will not try again by itself.
        /// </summary>
        public bool IsStillReplica(NodeId replica) => Find(replica)?.Myself?.Role == NodeRole.Replica;

        private List<NodeId> LiveFollowers(IReadOnlyCollection<NodeId> followers) => followers.Where(f => Find(f)?.IsReachable == true).ToList();
    }
}
