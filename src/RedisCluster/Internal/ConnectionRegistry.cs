using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace RedisCluster.Internal
{
    /// <summary>
    /// The connection of the last Connect-RedisCluster, one per runspace so that parallel runspaces
    /// (ForEach-Object -Parallel, jobs) never share or overwrite each other's connection.
    /// </summary>
    internal static class ConnectionRegistry
    {
        private sealed class Slot
        {
            public RedisClusterConnection Connection;
        }

        private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new ConditionalWeakTable<Runspace, Slot>();

        public static RedisClusterConnection Current
        {
            get => Runspace.DefaultRunspace != null && Slots.TryGetValue(Runspace.DefaultRunspace, out var slot) ? slot.Connection : null;
            set => Slots.GetOrCreateValue(Runspace.DefaultRunspace).Connection = value;
        }
    }
}
