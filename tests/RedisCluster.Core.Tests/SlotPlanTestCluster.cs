using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RedisCluster.Tests
{
    /// <summary>
    /// CLUSTER NODES text for slot-planning tests: masters with given slots (ports 7000 up, the first answering as
    /// myself) and replicas of the first masters. Ids are "0000000N" then zeros, so "0000000N" is a unique prefix.
    /// </summary>
    internal static class SlotPlanTestCluster
    {
        public static string MasterId(int index) => (index + 1).ToString("x8") + new string('0', 32);
        public static string ReplicaId(int index) => (index + 0x100).ToString("x8") + new string('0', 32);
        public static string MasterEndPoint(int index) => $"127.0.0.1:{7000 + index}";

        /// <param name="slots">Each master's slots as CLUSTER NODES writes them ("0-99 200"), empty for none.</param>
        public static ClusterTopology Of(IReadOnlyList<string> slots, int replicas = 0)
        {
            var text = new StringBuilder();
            for (int i = 0; i < slots.Count; i++)
            {
                text.Append($"{MasterId(i)} {MasterEndPoint(i)}@{17000 + i} {(i == 0 ? "myself," : "")}master - 0 0 {i + 1} connected {slots[i]}".TrimEnd()).Append('\n');
            }
            for (int r = 0; r < replicas; r++)
            {
                text.Append($"{ReplicaId(r)} 127.0.0.1:{7100 + r}@{17100 + r} slave {MasterId(r % slots.Count)} 0 0 {r % slots.Count + 1} connected\n");
            }
            return ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 7000), text.ToString());
        }

        public static ClusterTopology Of(params string[] slots) => Of(slots, 0);

        /// <summary>The captured six-node cluster (21001-21003 masters) with a fourth, empty master 21007 added to the view.</summary>
        public static ClusterTopology SeedWithEmptyMaster() =>
            ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 21001),
                TestData.Read("six-node-21001.txt") + $"{EmptyMasterId} 127.0.0.1:21007@31007 master - 0 1795571823130 0 connected\n");

        public const string EmptyMasterId = "0a0b0c0d0e0f00000000000000000000000000f7";

        /// <summary>Slot counts per master once every move of the plan is applied, checked move by move against the owners.</summary>
        public static Dictionary<string, int> CountsAfter(ClusterTopology cluster, SlotMovePlan plan)
        {
            var owner = SlotPlanning.OwnerTable(cluster).Select(node => node?.Id).ToArray();
            foreach (var move in plan.Moves)
            {
                Xunit.Assert.Equal(owner[move.Slot], move.Source);
                owner[move.Slot] = move.Target;
            }
            return cluster.Masters.ToDictionary(m => m.NodeId, m => owner.Count(id => id == m.Id));
        }
    }
}
