using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommunications.Disconnect, "RedisCluster")]
    [OutputType(typeof(void))]
    public sealed class DisconnectRedisClusterCommand : RedisClusterCmdlet
    {
        /// <summary>The connection to close; by default the one of the last Connect-RedisCluster.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public RedisClusterConnection Connection { get; set; }

        protected override void ProcessRecord()
        {
            var current = ConnectionRegistry.Current;
            var connection = Connection ?? current;
            if (connection == null)
            {
                WriteVerboseLine("No connection is open.");
                return;
            }
            connection.Dispose();
            if (ReferenceEquals(connection, current)) ConnectionRegistry.Current = null;
            WriteVerboseLine($"Disconnected from {connection}.");
        }
    }
}
