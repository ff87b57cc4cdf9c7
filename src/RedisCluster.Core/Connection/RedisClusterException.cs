using System;

namespace RedisCluster
{
    /// <summary>What went wrong, in the terms a caller maps to an error category.</summary>
    public enum FailureKind
    {
        /// <summary>Wrong or missing credentials.</summary>
        Authentication,
        /// <summary>A node could not be reached or dropped the connection.</summary>
        Unreachable,
        /// <summary>A node did not answer in time.</summary>
        Timeout,
        /// <summary>A node answered with an error.</summary>
        ServerError,
        /// <summary>The caller asked for something that cannot be done as asked.</summary>
        InvalidArgument,
        /// <summary>The cluster or a node is not in a state that allows the operation.</summary>
        InvalidState,
    }

    /// <summary>
    /// Every failure the engine reports. Messages never carry secrets: they are built from endpoints,
    /// node ids and server replies, never from connection strings.
    /// </summary>
    public class RedisClusterException : Exception
    {
        public RedisClusterException(FailureKind kind, string message, NodeEndPoint endPoint = null, Exception inner = null)
            : base(message, inner)
        {
            Kind = kind;
            EndPoint = endPoint;
        }

        public FailureKind Kind { get; }

        /// <summary>The node the failure happened on, when it was one node.</summary>
        public NodeEndPoint EndPoint { get; }

        /// <summary>A stable identifier for the failure, used as the ErrorRecord id.</summary>
        public string ErrorId { get; set; }
    }
}
