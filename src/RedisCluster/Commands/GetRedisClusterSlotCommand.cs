using System.Collections.Generic;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Get, "RedisClusterSlot", DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterSlotRange))]
    public sealed class GetRedisClusterSlotCommand : ClusterCmdlet
    {
        private readonly HashSet<RedisClusterConnection> _reported = new HashSet<RedisClusterConnection>();

        /// <summary>Only these slots: numbers, ranges or a list such as 0-100,5000. All 16384 by default.</summary>
        [Parameter(Position = 0)]
        [SlotRangeTransformation]
        [ValidateNotNullOrEmpty]
        public SlotRange[] Slot { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            // Piped nodes of one cluster describe one slot map: write it once.
            if (!_reported.Add(connection)) return;
            WriteObject(RedisClusterSlotRange.From(TopologyOf(connection), Slot), enumerateCollection: true);
        }
    }
}
