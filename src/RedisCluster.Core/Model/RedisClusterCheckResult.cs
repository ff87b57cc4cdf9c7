namespace RedisCluster
{
    /// <summary>How bad a check's finding is; each check always reports at the one severity it was given.</summary>
    public enum CheckSeverity
    {
        /// <summary>The check ran and found nothing.</summary>
        Ok,
        /// <summary>Something that weakens the cluster: it serves, but a further fault would hurt more than it should.</summary>
        Warning,
        /// <summary>Something that breaks service or risks data now.</summary>
        Error,
    }

    /// <summary>
    /// One finding of Test-RedisCluster, or the one Ok row of a check that found nothing. Findings about a node name
    /// it (NodeId, EndPoint), so they pipe on to cmdlets that act on nodes; findings about slots carry them.
    /// </summary>
    public sealed class RedisClusterCheckResult
    {
        internal RedisClusterCheckResult(string check, CheckSeverity severity, string message, string nodeId, string endPoint, SlotRangeList slots, RedisClusterConnection connection)
        {
            Check = check;
            Severity = severity;
            Message = message;
            NodeId = nodeId;
            EndPoint = endPoint;
            Slots = slots;
            Connection = connection;
        }

        /// <summary>The check's stable name, such as SlotCoverage or ReplicaPlacement.</summary>
        public string Check { get; }

        public CheckSeverity Severity { get; }

        public string Message { get; }

        /// <summary>The node the finding is about; null for a finding about the cluster as a whole and for Ok rows.</summary>
        public string NodeId { get; }

        /// <summary>"ip:port" of that node; null when the finding names no node.</summary>
        public string EndPoint { get; }

        /// <summary>The slots a slot finding is about (uncovered, open, disputed, holding stranded keys); null otherwise.</summary>
        public SlotRangeList Slots { get; }

        /// <summary>The connection the cluster was read through, so results pipe on without credentials.</summary>
        public RedisClusterConnection Connection { get; }

        public override string ToString() => $"{Severity} {Check}: {Message}";
    }
}
