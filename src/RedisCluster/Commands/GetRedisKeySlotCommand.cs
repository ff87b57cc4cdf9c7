using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Get, "RedisKeySlot", DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisKeySlot))]
    public sealed class GetRedisKeySlotCommand : ClusterCmdlet
    {
        /// <summary>Key names, or objects with a Key property; other piped objects are refused rather than hashed as their display text.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [AllowEmptyString]
        [KeyNameTransformation]
        public string[] Key { get; set; }

        protected override bool RequiresConnection => false;

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var topology = connection == null ? null : TopologyOf(connection);
            foreach (string key in Key)
            {
                WriteObject(new RedisKeySlot(key, topology));
            }
        }
    }
}
