using System.Management.Automation;

namespace RedisCluster.Internal
{
    /// <summary>
    /// A cmdlet that works on an existing cluster, reached in one of three parameter sets:
    /// CurrentConnection (nothing given: the last Connect-RedisCluster), Connection (-Connection, also bound
    /// from the Connection property of piped objects) or EndPoint (-EndPoint with -Credential and the TLS and
    /// timeout parameters). Derived classes declare -EndPoint: as the way in (<see cref="ClusterCmdlet"/>), or,
    /// for cmdlets that act on one node, as that node, in every parameter set and bound from piped nodes.
    /// </summary>
    public abstract class ClusterAccessCmdlet : NodeAccessCmdlet
    {
        protected const string CurrentConnectionSet = "CurrentConnection";
        protected const string ConnectionSet = "Connection";

        private RedisClusterConnection _ownConnection;

        /// <summary>A connection from Connect-RedisCluster; piped objects bind theirs (null when they were made without one).</summary>
        [Parameter(ParameterSetName = ConnectionSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        public RedisClusterConnection Connection { get; set; }

        /// <summary>The endpoint given for this input, if any.</summary>
        protected abstract string EndPointText { get; }

        /// <summary>False for cmdlets that also work without any cluster (Get-RedisKeySlot).</summary>
        protected virtual bool RequiresConnection => true;

        /// <summary>The connection to use for the current input, or null when none is at hand and none is required.</summary>
        protected RedisClusterConnection ResolveConnection()
        {
            // An object piped in without a connection (Get-RedisKeySlot output made offline) falls back like no object.
            if (ParameterSetName == ConnectionSet && Connection != null) return Connection;
            if (ParameterSetName == EndPointSet) return OwnConnection(BuildSettings(new[] { ParseEndPoint(EndPointText) }));
            var current = ConnectionRegistry.Current;
            if (current != null) return current;
            // A node named with no connection remembered: reach it without a password or TLS.
            if (EndPointText != null) return OwnConnection(new ConnectionSettings(new[] { ParseEndPoint(EndPointText) }));
            if (RequiresConnection)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException("No cluster to talk to: give -EndPoint (with -Credential if the nodes need a password), pipe in objects that carry a connection, or run Connect-RedisCluster first."),
                    "NoConnection", ErrorCategory.ConnectionError, null));
            }
            return null;
        }

        private readonly System.Collections.Generic.Dictionary<RedisClusterConnection, ClusterTopology> _topologies =
            new System.Collections.Generic.Dictionary<RedisClusterConnection, ClusterTopology>();

        /// <summary>The topology through a connection, read once per invocation however many objects are piped in.</summary>
        protected ClusterTopology TopologyOf(RedisClusterConnection connection)
        {
            if (!_topologies.TryGetValue(connection, out var topology))
            {
                topology = Await(token => connection.GetTopologyAsync(token));
                _topologies[connection] = topology;
            }
            return topology;
        }

        /// <summary>
        /// The node an id or unique prefix names. An id no node has is a non-terminating ObjectNotFound error for
        /// that input (null comes back); text that is no id, or a prefix matching several nodes, ends the cmdlet.
        /// </summary>
        protected RedisClusterNode FindNode(ClusterTopology topology, string idOrPrefix)
        {
            try
            {
                return topology.Resolve(idOrPrefix);
            }
            catch (RedisClusterException e) when (e.Kind == FailureKind.NotFound)
            {
                WriteError(ErrorRecords.From(e, idOrPrefix));
                return null;
            }
            catch (RedisClusterException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, idOrPrefix));
                return null;
            }
        }

        /// <summary>
        /// One connection of the cmdlet's own per invocation, through the first endpoint given. It does not read
        /// the topology when it opens: the cmdlet reads it next anyway, learning the nodes then.
        /// </summary>
        private RedisClusterConnection OwnConnection(ConnectionSettings settings) => _ownConnection ?? (_ownConnection = Open(settings, readTopology: false));

        protected override void Dispose(bool disposing)
        {
            // Closes sockets only: objects this cmdlet wrote keep the connection and reopen it when piped on.
            _ownConnection?.Dispose();
        }
    }

    /// <summary>A cmdlet for the cluster as a whole: -EndPoint is any node to reach it through.</summary>
    public abstract class ClusterCmdlet : ClusterAccessCmdlet
    {
        /// <summary>Any node of the cluster, host:port.</summary>
        [Parameter(ParameterSetName = EndPointSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EndPointCompleter))]
        public string EndPoint { get; set; }

        protected override string EndPointText => EndPoint;
    }

    /// <summary>
    /// A cmdlet that acts on nodes one at a time: -EndPoint names the node in every parameter set, and binds with
    /// the node's NodeId and Connection from piped node objects. Without a connection at hand, the node itself is
    /// the way into the cluster (in the EndPoint set with the access parameters, else without a password).
    /// </summary>
    public abstract class ClusterNodeCmdlet : ClusterAccessCmdlet
    {
        /// <summary>The node to act on, host:port.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EndPointCompleter))]
        public string EndPoint { get; set; }

        /// <summary>The node to act on by id (or a unique prefix of 8 or more characters), when no -EndPoint names it.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(NodeIdCompleter))]
        public string NodeId { get; set; }

        protected override string EndPointText => EndPoint;

        /// <summary>
        /// The node this input names, as the cluster lists it: by -NodeId, else by -EndPoint. A node the cluster does
        /// not know is a non-terminating ObjectNotFound error (null comes back) and the next input goes on.
        /// </summary>
        protected RedisClusterNode TargetNode(ClusterTopology topology)
        {
            if (NodeId != null) return FindNode(topology, NodeId);
            var endPoint = NamedEndPoint();
            // The cluster lists nodes by IP: a host name given is compared by the address it resolves to.
            var node = topology.Find(endPoint) ??
                topology.Find(new NodeEndPoint(Await(token => new HostResolver().AddressOfAsync(endPoint)), endPoint.Port));
            if (node == null)
            {
                WriteError(ErrorRecords.From(new RedisClusterException(FailureKind.NotFound,
                    $"{endPoint} is not a node of the cluster (as seen from {topology.Source}).", endPoint) { ErrorId = "NodeNotFound" }, EndPoint));
            }
            return node;
        }

        /// <summary>
        /// Where to reach the node this input names, for cmdlets that also act on nodes the cluster does not list
        /// (one left from a failed creation): -NodeId is looked up in the cluster, -EndPoint is taken as given.
        /// Null after a non-terminating error for this input.
        /// </summary>
        protected NodeEndPoint TargetEndPoint(RedisClusterConnection connection)
        {
            if (NodeId == null) return NamedEndPoint();
            var node = FindNode(TopologyOf(connection), NodeId);
            if (node != null && node.ToEndPoint() == null)
            {
                WriteError(ErrorRecords.From(new RedisClusterException(FailureKind.InvalidState,
                    $"The cluster knows no address for {node.NodeId}: it cannot be reached.") { ErrorId = "NodeWithoutAddress" }, NodeId));
                return null;
            }
            return node?.ToEndPoint();
        }

        private NodeEndPoint NamedEndPoint()
        {
            if (EndPoint == null)
            {
                ThrowInvalidArgument("NodeNotNamed", "Name the node to act on with -EndPoint or -NodeId, or pipe in node objects.", null);
            }
            return ParseEndPoint(EndPoint);
        }
    }
}
