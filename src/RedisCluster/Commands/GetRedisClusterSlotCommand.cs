using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Get, "RedisClusterSlot")]
    [OutputType(typeof(RedisClusterSlotRange))]
    public sealed class GetRedisClusterSlotCommand : ClusterCmdlet
    {
        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var topology = Await(token => connection.GetTopologyAsync(token));
            WriteObject(RedisClusterSlotRange.From(topology), enumerateCollection: true);
        }
    }
}
