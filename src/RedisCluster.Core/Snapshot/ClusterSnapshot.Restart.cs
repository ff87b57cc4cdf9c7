using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    public sealed partial class ClusterSnapshot
    {
        /// <summary>
        /// What stands between a restarted node and "back in its cluster", so that the next node of a restart sequence may
        /// go: the node answers, its slot map is the majority's, no node still flags it as failing (a replica flagged so
        /// could not take over from the next master), every node sees the cluster ok with all slots covered, and, as a
        /// replica, its link to its master is up with the first sync done. Other nodes' troubles (an unrelated node down)
        /// are not waited for unless they leave slots uncovered.
        /// </summary>
        public IEnumerable<string> RejoinProblems(NodeEndPoint restarted)
        {
            var node = Find(restarted);
            if (node == null) return new[] { $"{restarted} is not among the nodes of the cluster yet" };
            if (!node.IsReachable) return new[] { $"{restarted} cannot be read: {node.Failure.Message}" };
            var problems = Disagreements().Where(d => d.Node == node).Select(d => d.ToString()).ToList();
            int flagging = Reachable.Count(n => n.View.Find(node.Myself.Id)?.IsFailing == true);
            if (flagging > 0) problems.Add($"{flagging} node(s) still flag {restarted} as failing");
            problems.AddRange(StateProblems());
            var myself = node.Myself;
            if (myself.Role == NodeRole.Replica && myself.MasterNodeId.HasValue)
            {
                var master = node.View.Find(myself.MasterNodeId.Value);
                problems.AddRange(master == null
                    ? new[] { $"{restarted} replicates {myself.MasterNodeId.Value.Short}, which its view does not list" }
                    : ReplicaLinkProblems(new[] { (myself.Id, master) }));
            }
            return problems;
        }
    }
}
