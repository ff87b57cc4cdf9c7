using System.Management.Automation;

namespace RedisCluster.Internal
{
    /// <summary>
    /// A cmdlet that works on an existing cluster, reached through -Connection (also from piped objects),
    /// through -EndPoint with the access parameters, or else through the last Connect-RedisCluster.
    /// </summary>
    public abstract class ClusterCmdlet : NodeAccessCmdlet
    {
        private RedisClusterConnection _ownConnection;

        /// <summary>Any node of the cluster, host:port.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string EndPoint { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public RedisClusterConnection Connection { get; set; }

        /// <summary>False for cmdlets that also work without any cluster (Get-RedisKeySlot).</summary>
        protected virtual bool RequiresConnection => true;

        /// <summary>The connection to use for the current input, or null when none is at hand and none is required.</summary>
        protected RedisClusterConnection ResolveConnection()
        {
            if (Connection != null)
            {
                if (MyInvocation.BoundParameters.ContainsKey(nameof(EndPoint)))
                {
                    ThrowInvalidArgument("EndPointAndConnection", "Give either -EndPoint or -Connection, not both.", EndPoint);
                }
                return Connection;
            }
            if (EndPoint != null)
            {
                if (_ownConnection == null)
                {
                    var settings = BuildSettings(new[] { ParseEndPoint(EndPoint) });
                    _ownConnection = Await(token => RedisClusterConnection.OpenAsync(settings, token));
                }
                return _ownConnection;
            }
            var current = ConnectionRegistry.Current;
            if (current == null && RequiresConnection)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException("No cluster to talk to: give -EndPoint (with -Credential if the nodes need a password), pipe in -Connection, or run Connect-RedisCluster first."),
                    "NoConnection", ErrorCategory.ConnectionError, null));
            }
            return current;
        }

        protected override void Dispose(bool disposing)
        {
            // Closes sockets only: objects this cmdlet wrote keep the connection and reopen it when piped on.
            _ownConnection?.Dispose();
        }
    }
}
