using System.Linq;

namespace RedisCluster
{
    /// <summary>Refusals that several node changes share (making a replica, resetting a node), in the same words for each.</summary>
    internal static class NodeRefusals
    {
        /// <summary>"127.0.0.1:7004 (1be83e51)": how messages name a node.</summary>
        public static string Name(RedisClusterNode node) => $"{(node.EndPoint.Length > 0 ? node.EndPoint : "(no address)")} ({node.Id.Short})";

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
