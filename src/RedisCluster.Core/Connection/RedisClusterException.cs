using System;

namespace RedisCluster
{
    /// <summary>What went wrong, in the terms a caller maps to an error category.</summary>
    public enum FailureKind
    {
        /// <summary>Wrong or missing credentials, or a user without the permission a command needs.</summary>
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
        /// <summary>The TLS handshake failed: certificate, CA or protocol.</summary>
        Tls,
        /// <summary>Something named (a node id, a file) does not exist.</summary>
        NotFound,
        /// <summary>A peer answered in a way that is not the Redis protocol, or text that cannot be read.</summary>
        Protocol,
        /// <summary>The account used may not do what is needed (such as a non-root SSH login).</summary>
        PermissionDenied,
    }

    /// <summary>
    /// Every failure the engine reports. Messages never carry secrets: they are built from endpoints,
    /// node ids and error codes, never from connection strings, server logs or config lines.
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

    /// <summary>
    /// The code that starts a Redis error reply. Executors decide on the code, never on the message text,
    /// which changes between server versions.
    /// </summary>
    public enum ServerErrorCode
    {
        /// <summary>A code this module does not know; the reply's first word is in <see cref="RedisServerErrorException.CodeText"/>.</summary>
        Other,
        Err,
        Moved,
        Ask,
        TryAgain,
        BusyKey,
        ClusterDown,
        IoErr,
        Loading,
        ReadOnly,
        NoAuth,
        WrongPass,
        NoPerm,
        CrossSlot,
        MasterDown,
        Busy,
        NoScript,
        WrongType,
    }

    /// <summary>An error reply from a node, classified by its code.</summary>
    public sealed class RedisServerErrorException : RedisClusterException
    {
        public RedisServerErrorException(NodeEndPoint endPoint, string commandName, string reply)
            : base(KindOf(Classify(reply)), $"{endPoint} answered {commandName} with {FirstLine(reply)}", endPoint)
        {
            Code = Classify(reply);
            CodeText = FirstWord(reply);
            Reply = FirstLine(reply);
            CommandName = commandName;
            ErrorId = "Server" + (Code == ServerErrorCode.Other ? "Error" : Code.ToString());
        }

        public ServerErrorCode Code { get; }

        /// <summary>The reply's first word as the server wrote it, such as "MOVED" or "ERR".</summary>
        public string CodeText { get; }

        /// <summary>The error reply's first line.</summary>
        public string Reply { get; }

        /// <summary>The command (and subcommand) that was refused, without arguments.</summary>
        public string CommandName { get; }

        public static ServerErrorCode Classify(string reply)
        {
            switch (FirstWord(reply))
            {
                case "ERR": return ServerErrorCode.Err;
                case "MOVED": return ServerErrorCode.Moved;
                case "ASK": return ServerErrorCode.Ask;
                case "TRYAGAIN": return ServerErrorCode.TryAgain;
                case "BUSYKEY": return ServerErrorCode.BusyKey;
                case "CLUSTERDOWN": return ServerErrorCode.ClusterDown;
                case "IOERR": return ServerErrorCode.IoErr;
                case "LOADING": return ServerErrorCode.Loading;
                case "READONLY": return ServerErrorCode.ReadOnly;
                case "NOAUTH": return ServerErrorCode.NoAuth;
                case "WRONGPASS": return ServerErrorCode.WrongPass;
                case "NOPERM": return ServerErrorCode.NoPerm;
                case "CROSSSLOT": return ServerErrorCode.CrossSlot;
                case "MASTERDOWN": return ServerErrorCode.MasterDown;
                case "BUSY": return ServerErrorCode.Busy;
                case "NOSCRIPT": return ServerErrorCode.NoScript;
                case "WRONGTYPE": return ServerErrorCode.WrongType;
                default: return ServerErrorCode.Other;
            }
        }

        private static FailureKind KindOf(ServerErrorCode code) =>
            code == ServerErrorCode.NoAuth || code == ServerErrorCode.WrongPass || code == ServerErrorCode.NoPerm
                ? FailureKind.Authentication
                : FailureKind.ServerError;

        private static string FirstWord(string reply)
        {
            reply = reply ?? string.Empty;
            int space = reply.IndexOf(' ');
            return space < 0 ? reply.Trim() : reply.Substring(0, space);
        }

        private static string FirstLine(string reply)
        {
            reply = reply ?? string.Empty;
            int end = reply.IndexOfAny(new[] { '\r', '\n' });
            string line = end < 0 ? reply : reply.Substring(0, end);
            // An error reply is one line of a few words; anything longer is cut rather than echoed whole.
            return line.Length > 200 ? line.Substring(0, 200) + "..." : line;
        }
    }
}
