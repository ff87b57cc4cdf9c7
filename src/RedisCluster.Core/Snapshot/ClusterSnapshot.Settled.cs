using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    public sealed partial class ClusterSnapshot
    {
        /// <summary>
        /// Everything between this cluster and "settled", the state Wait-RedisCluster waits for: every node
        /// reachable, every node knowing every other (no handshake), one slot map, cluster_state ok and all slots
        /// covered, no node flagged failing, and every replica's link up with its first sync done.
        /// </summary>
        public IEnumerable<string> SettledProblems()
        {
            var members = Reference.Nodes.Where(n => n.ToEndPoint() != null && (n.Flags & NodeFlags.Handshake) == 0)
                .Select(n => (n.Id, n.ToEndPoint())).ToList();
            return UnreachableProblems()
                .Concat(MeetProblems(members))
                .Concat(AgreementProblems())
                .Concat(StateProblems())
                .Concat(FailureProblems())
                .Concat(ReplicaSyncProblems());
        }
    }
}
