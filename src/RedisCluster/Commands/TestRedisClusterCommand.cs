using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsDiagnostic.Test, "RedisCluster", DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterCheckResult), typeof(bool))]
    public sealed class TestRedisClusterCommand : ClusterCmdlet
    {
        private readonly HashSet<RedisClusterConnection> _tested = new HashSet<RedisClusterConnection>();
        private HostResolver _hosts;
        private RedisClusterConnection _ownConnection;

        /// <summary>Write one bool per cluster instead of the results: true only when no check found a Warning or an Error.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary>Endpoint ("host:port") or host to failure domain (rack, zone): placement counts domains instead of hosts.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable HostOf { get; set; }

        protected override void BeginProcessing() => _hosts = Guard(() => HostMaps.Resolver(HostOf));

        protected override void ProcessRecord()
        {
            IReadOnlyList<RedisClusterCheckResult> results;
            if (ParameterSetName == EndPointSet)
            {
                // A node given that does not answer is a finding like any other, so a scheduled check reports it rather than failing.
                var settings = BuildSettings(new[] { ParseEndPoint(EndPoint) });
                results = Await(async token =>
                {
                    try
                    {
                        _ownConnection = _ownConnection ?? await RedisClusterConnection.OpenAsync(settings, EngineBridge.Connector, token, readTopology: false).ConfigureAwait(false);
                    }
                    catch (RedisClusterException e) when (ClusterHealthCheck.IsUnreachable(e))
                    {
                        return ClusterHealthCheck.Unreachable(e, null);
                    }
                    return await ClusterHealthCheck.RunAsync(_ownConnection, _hosts, token).ConfigureAwait(false);
                });
            }
            else
            {
                var connection = ResolveConnection();
                // Piped nodes of one cluster are one cluster: it is checked once.
                if (!_tested.Add(connection)) return;
                results = Await(token => ClusterHealthCheck.RunAsync(connection, _hosts, token));
            }
            if (Quiet) WriteObject(ClusterHealthCheck.IsHealthy(results));
            else WriteObject(results, enumerateCollection: true);
        }

        protected override void Dispose(bool disposing)
        {
            // Closes sockets only: the results keep the connection and reopen it when piped on.
            _ownConnection?.Dispose();
            base.Dispose(disposing);
        }
    }
}
