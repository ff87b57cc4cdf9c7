using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Get, "RedisClusterInfo")]
    [OutputType(typeof(RedisClusterInfo))]
    public sealed class GetRedisClusterInfoCommand : ClusterCmdlet
    {
        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var infos = Await(async token =>
                await RedisClusterInfo.ReadAllAsync(connection, await connection.GetTopologyAsync(token), token));
            WriteObject(infos, enumerateCollection: true);
        }
    }
}
