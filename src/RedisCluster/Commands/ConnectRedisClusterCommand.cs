using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommunications.Connect, "RedisCluster")]
    [OutputType(typeof(RedisClusterConnection))]
    public sealed class ConnectRedisClusterCommand : NodeAccessCmdlet
    {
        /// <summary>One or more nodes of the cluster; the first that answers is used.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] EndPoint { get; set; }

        protected override void EndProcessing()
        {
            var settings = BuildSettings(EndPoint.Select(ParseEndPoint));
            var connection = Await(token => RedisClusterConnection.OpenAsync(settings, token));
            WriteVerbose($"Connected to {connection}.");
            ConnectionRegistry.Current?.Dispose();
            ConnectionRegistry.Current = connection;
            WriteObject(connection);
        }
    }
}
