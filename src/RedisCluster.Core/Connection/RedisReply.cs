using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RedisCluster
{
    public enum RedisReplyKind
    {
        Null,
        SimpleString,
        BulkString,
        Integer,
        Array,
    }

    /// <summary>
    /// A node's reply in the module's own terms, so nothing outside the engine depends on the client
    /// library's types. Error replies are never values: they arrive as <see cref="RedisServerErrorException"/>.
    /// </summary>
    public sealed class RedisReply
    {
        public static readonly RedisReply Null = new RedisReply(RedisReplyKind.Null, null, 0, null);

        private readonly byte[] _bytes;

        private RedisReply(RedisReplyKind kind, byte[] bytes, long integer, IReadOnlyList<RedisReply> items)
        {
            Kind = kind;
            _bytes = bytes;
            Integer = integer;
            Items = items ?? new RedisReply[0];
        }

        public static RedisReply SimpleString(string text) => new RedisReply(RedisReplyKind.SimpleString, Encoding.UTF8.GetBytes(text ?? string.Empty), 0, null);
        public static RedisReply Bulk(byte[] bytes) => bytes == null ? Null : new RedisReply(RedisReplyKind.BulkString, bytes, 0, null);
        public static RedisReply FromInteger(long value) => new RedisReply(RedisReplyKind.Integer, null, value, null);
        public static RedisReply FromArray(IEnumerable<RedisReply> items) => new RedisReply(RedisReplyKind.Array, null, 0, items.ToList());

        public RedisReplyKind Kind { get; }
        public long Integer { get; }
        public IReadOnlyList<RedisReply> Items { get; }
        public bool IsNull => Kind == RedisReplyKind.Null;

        /// <summary>The raw bytes of a string reply (DUMP payloads are binary).</summary>
        public byte[] Bytes => _bytes;

        /// <summary>A string reply as UTF-8 text, an integer as its digits; null for a null reply.</summary>
        public string AsString()
        {
            switch (Kind)
            {
                case RedisReplyKind.Null: return null;
                case RedisReplyKind.Integer: return Integer.ToString(CultureInfo.InvariantCulture);
                case RedisReplyKind.Array: throw Unexpected("a string");
                default: return Encoding.UTF8.GetString(_bytes);
            }
        }

        public long AsInt64()
        {
            if (Kind == RedisReplyKind.Integer) return Integer;
            if ((Kind == RedisReplyKind.BulkString || Kind == RedisReplyKind.SimpleString) &&
                long.TryParse(AsString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                return value;
            }
            throw Unexpected("an integer");
        }

        public IReadOnlyList<RedisReply> AsArray()
        {
            if (Kind == RedisReplyKind.Array) return Items;
            if (Kind == RedisReplyKind.Null) return new RedisReply[0];
            throw Unexpected("an array");
        }

        private Exception Unexpected(string expected) =>
            new RedisClusterException(FailureKind.Protocol, $"A node answered with {Describe()} where {expected} was expected.") { ErrorId = "UnexpectedReply" };

        private string Describe() => Kind == RedisReplyKind.Array ? $"an array of {Items.Count}" : $"a {Kind} reply";

        public override string ToString() => Kind == RedisReplyKind.Array ? "[" + string.Join(", ", Items) + "]" : AsString() ?? "(nil)";
    }
}
