using System.Linq;

namespace RedisCluster
{
    /// <summary>Refusals that several node changes share (adding a replica, making one, resetting a node), in the same words for each.</summary>
    internal static class NodeRefusals
    {
        /// <summary>"127.0.0.1:7004 (1be83e51)": how messages name a node.</summary>
        public static string Name(RedisClusterNode node) => $"{(node.EndPoint.Length > 0 ? node.EndPoint : "(no address)")} ({node.Id.Short})";

        /// <summary>
        /// Refuses a master a node is to replicate when it cannot give a replica its data: it is no master (a replica,
        /// or a node still in its handshake), or it is flagged as failing or cannot be reached.
        /// </summary>
        public static void EnsureUsableMaster(RedisClusterNode master, bool unreachable = false)
        {
            if (master.Role != NodeRole.Master)
            {
                string what = master.Role == NodeRole.Replica ? $"a replica of {master.MasterNodeId?.Short}" : "not a master yet (still in its handshake)";
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-MasterId names {Name(master)}, which is {what}: only a master can take replicas. Get-RedisClusterNode -Role Master lists them.",
                    master.ToEndPoint())
                { ErrorId = "NotAMaster" };
            }
            if (master.IsFailing || unreachable)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"The master {Name(master)} is {(master.IsFailing ? "flagged as failing" : "unreachable")}: a replica could not sync from it; nothing was changed.",
                    master.ToEndPoint())
                { ErrorId = "MasterUnavailable" };
            }
        }

        public static RedisClusterException OwnsSlots(RedisClusterNode node, string consequence) =>
            new RedisClusterException(FailureKind.InvalidState,
                $"{Name(node)} is a master that owns {node.SlotCount} slot(s) ({node.Slots}): {consequence} Move its slots to other masters first; nothing was changed.",
                node.ToEndPoint())
            { ErrorId = "MasterOwnsSlots" };

        /// <summary>A node in the middle of a slot move: changing it now would strand the move (and maybe keys) on the other side.</summary>
        public static RedisClusterException SlotsOpen(RedisClusterNode node) =>
            new RedisClusterException(FailureKind.InvalidState,
                $"{Name(node)} has slots in the middle of a move ({string.Join(",", node.MigratingSlots.Concat(node.ImportingSlots))}): finish or undo the move first; nothing was changed.",
                node.ToEndPoint())
            { ErrorId = "SlotMoveInProgress" };
    }
}
