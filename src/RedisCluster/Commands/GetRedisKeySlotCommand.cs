using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Get, "RedisKeySlot")]
    [OutputType(typeof(RedisKeySlot))]
    public sealed class GetRedisKeySlotCommand : ClusterCmdlet
    {
        private ClusterTopology _topology;
        private RedisClusterConnection _topologySource;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string[] Key { get; set; }

        protected override bool RequiresConnection => false;

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            if (connection != null && !ReferenceEquals(connection, _topologySource))
            {
                // Read the slot map once per connection, not once per key.
                _topology = Await(token => connection.GetTopologyAsync(token));
                _topologySource = connection;
            }
            foreach (string key in Key)
            {
                WriteObject(new RedisKeySlot(key, _topology));
            }
        }
    }
}
