using System.Linq;

namespace RedisCluster
{
    /// <summary>One node's answer to a command run on many nodes: its reply, or the error that was its answer.</summary>
    public sealed class RedisClusterCommandResult
    {
        internal RedisClusterCommandResult(RedisClusterNode node, RedisCommand command, RedisReply reply, RedisClusterException error)
        {
            NodeId = node.NodeId;
            EndPoint = node.EndPoint;
            Role = node.Role;
            Command = command.Describe();
            Reply = reply == null ? null : ToValue(reply);
            Error = error?.Message;
            ErrorId = error?.ErrorId;
            Connection = node.Connection;
        }

        public string NodeId { get; }
        public string EndPoint { get; }
        public NodeRole Role { get; }

        /// <summary>The command as sent, secrets masked.</summary>
        public string Command { get; }

        /// <summary>The reply as PowerShell values: a string, a number, an array of those, or null.</summary>
        public object Reply { get; }

        public bool Succeeded => Error == null;

        /// <summary>Why this node gave no reply (an error reply, or the node could not be reached); null when it answered.</summary>
        public string Error { get; }

        public string ErrorId { get; }

        public RedisClusterConnection Connection { get; }

        private static object ToValue(RedisReply reply)
        {
            switch (reply.Kind)
            {
                case RedisReplyKind.Null: return null;
                case RedisReplyKind.Integer: return reply.Integer;
                case RedisReplyKind.Array: return reply.Items.Select(ToValue).ToArray();
                default: return reply.AsString();
            }
        }
    }
}
