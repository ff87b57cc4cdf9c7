using System;
using System.IO;
using System.Management.Automation;

namespace RedisCluster.Internal
{
    /// <summary>One place that turns any failure a cmdlet can meet into an ErrorRecord with a fitting category.</summary>
    internal static class ErrorRecords
    {
        /// <summary>Failures that become ErrorRecords; pipeline stops and PowerShell's own errors pass through untouched.</summary>
        public static bool IsModuleFailure(Exception e) =>
            !(e is PipelineStoppedException) && !(e is OperationCanceledException) && !(e is RuntimeException) && !(e is PSInvalidOperationException);

        public static ErrorRecord From(Exception exception, object target)
        {
            if (exception is AggregateException aggregate && aggregate.InnerExceptions.Count == 1) exception = aggregate.InnerException;
            switch (exception)
            {
                case RedisClusterException e:
                    return new ErrorRecord(e, e.ErrorId ?? e.Kind.ToString(), CategoryOf(e.Kind), target ?? e.EndPoint?.ToString());
                case ClusterNodesFormatException e:
                    return new ErrorRecord(e, "ClusterNodesUnreadable", ErrorCategory.InvalidData, target);
                case UnauthorizedAccessException e:
                    return new ErrorRecord(e, "AccessDenied", ErrorCategory.PermissionDenied, target);
                case FileNotFoundException e:
                    return new ErrorRecord(e, "FileNotFound", ErrorCategory.ObjectNotFound, target ?? e.FileName);
                case DirectoryNotFoundException e:
                    return new ErrorRecord(e, "DirectoryNotFound", ErrorCategory.ObjectNotFound, target);
                case IOException e:
                    return new ErrorRecord(e, "FileSystemError", ErrorCategory.WriteError, target);
                case FormatException e:
                    return new ErrorRecord(e, "UnreadableData", ErrorCategory.InvalidData, target);
                case InvalidCastException e:
                    return new ErrorRecord(e, "UnexpectedReply", ErrorCategory.InvalidResult, target);
                case ArgumentException e:
                    return new ErrorRecord(e, "InvalidArgument", ErrorCategory.InvalidArgument, target);
                case TimeoutException e:
                    return new ErrorRecord(e, "Timeout", ErrorCategory.OperationTimeout, target);
                default:
                    return new ErrorRecord(exception, "UnexpectedError", ErrorCategory.NotSpecified, target);
            }
        }

        public static ErrorCategory CategoryOf(FailureKind kind)
        {
            switch (kind)
            {
                case FailureKind.Authentication: return ErrorCategory.SecurityError;
                case FailureKind.Tls: return ErrorCategory.SecurityError;
                case FailureKind.Unreachable: return ErrorCategory.ConnectionError;
                case FailureKind.Timeout: return ErrorCategory.OperationTimeout;
                case FailureKind.InvalidArgument: return ErrorCategory.InvalidArgument;
                case FailureKind.NotFound: return ErrorCategory.ObjectNotFound;
                case FailureKind.Protocol: return ErrorCategory.ProtocolError;
                case FailureKind.InvalidState: return ErrorCategory.InvalidOperation;
                case FailureKind.PermissionDenied: return ErrorCategory.PermissionDenied;
                default: return ErrorCategory.InvalidOperation;
            }
        }
    }
}
