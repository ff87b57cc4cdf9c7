using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommunications.Connect, "RedisCluster", DefaultParameterSetName = EndPointSet)]
    [OutputType(typeof(RedisClusterConnection))]
    public sealed class ConnectRedisClusterCommand : NodeAccessCmdlet
    {
        /// <summary>One or more nodes of the cluster; the first that answers is used, and every node it knows is learnt.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = EndPointSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EndPointCompleter))]
        public string[] EndPoint { get; set; }

        protected override void EndProcessing()
        {
            var connection = Open(BuildSettings(ParseEndPoints(EndPoint)));
            WriteVerboseLine($"Connected through {connection.EndPoint}; the cluster has {connection.KnownEndPoints.Count} node(s) to fall back on.");
            ConnectionRegistry.Current?.Dispose();
            ConnectionRegistry.Current = connection;
            WriteObject(connection);
        }
    }
}
