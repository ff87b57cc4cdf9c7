namespace RedisCluster
{
    /// <summary>One node's setting before and after Set-RedisClusterConfig, or why it could not be set there.</summary>
    public sealed class RedisClusterConfigResult
    {
        internal RedisClusterConfigResult(ConfigChange change, string newValue, bool rewritten, RedisClusterException error)
        {
            NodeId = change.Node.NodeId;
            EndPoint = change.Node.EndPoint;
            Role = change.Node.Role;
            Name = change.Name;
            OldValue = change.OldValue;
            NewValue = newValue;
            Rewritten = rewritten;
            Error = error?.Message;
            ErrorId = error?.ErrorId;
            Connection = change.Node.Connection;
        }

        public string NodeId { get; }
        public string EndPoint { get; }
        public NodeRole Role { get; }
        public string Name { get; }
        public string OldValue { get; }

        /// <summary>The value as the node reports it after the change (Redis normalises: 64mb reads back as 67108864).</summary>
        public string NewValue { get; }

        /// <summary>True when CONFIG REWRITE saved the change into the node's config file.</summary>
        public bool Rewritten { get; }

        public bool Succeeded => Error == null;
        public string Error { get; }
        public string ErrorId { get; }
        public RedisClusterConnection Connection { get; }
    }
}
