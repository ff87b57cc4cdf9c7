using System.Management.Automation;

namespace RedisCluster.Internal
{
    /// <summary>One place that decides which ErrorCategory an engine failure belongs to.</summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord From(RedisClusterException e, object target = null) =>
            new ErrorRecord(e, e.ErrorId ?? e.Kind.ToString(), CategoryOf(e.Kind), target ?? e.EndPoint?.ToString());

        public static ErrorCategory CategoryOf(FailureKind kind)
        {
            switch (kind)
            {
                case FailureKind.Authentication: return ErrorCategory.SecurityError;
                case FailureKind.Unreachable: return ErrorCategory.ConnectionError;
                case FailureKind.Timeout: return ErrorCategory.OperationTimeout;
                case FailureKind.InvalidArgument: return ErrorCategory.InvalidArgument;
                case FailureKind.InvalidState: return ErrorCategory.ResourceUnavailable;
                default: return ErrorCategory.InvalidOperation;
            }
        }
    }
}
