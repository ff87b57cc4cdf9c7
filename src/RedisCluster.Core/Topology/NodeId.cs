using System;
using System.Linq;

namespace RedisCluster
{
    /// <summary>A cluster node's 40-character hexadecimal id, compared case-insensitively.</summary>
    public readonly struct NodeId : IEquatable<NodeId>
    {
        public const int Length = 40;
        private readonly string _value;

        private NodeId(string value) => _value = value;

        public static NodeId Parse(string text)
        {
            if (TryParse(text, out var id)) return id;
            throw new FormatException($"'{text}' is not a node id (40 hexadecimal characters).");
        }

        public static bool TryParse(string text, out NodeId id)
        {
            id = default;
            if (text == null || text.Length != Length) return false;
            if (!text.All(IsHex)) return false;
            id = new NodeId(text.ToLowerInvariant());
            return true;
        }

        /// <summary>The fewest characters of an id a user may type: the tables show 8.</summary>
        public const int MinimumPrefixLength = 8;

        /// <summary>True for 8 to 40 hexadecimal characters: a whole id or a prefix of one.</summary>
        public static bool IsIdOrPrefix(string text) =>
            text != null && text.Length >= MinimumPrefixLength && text.Length <= Length && text.All(IsHex);

        public bool StartsWith(string prefix) => _value != null && _value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

        private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        public bool IsEmpty => _value == null;

        /// <summary>The first eight characters, enough to tell nodes apart in messages.</summary>
        public string Short => _value == null ? string.Empty : _value.Substring(0, 8);

        public override string ToString() => _value ?? string.Empty;
        public bool Equals(NodeId other) => string.Equals(_value, other._value, StringComparison.Ordinal);
        public override bool Equals(object obj) => obj is NodeId other && Equals(other);
        public override int GetHashCode() => _value == null ? 0 : StringComparer.Ordinal.GetHashCode(_value);
        public static bool operator ==(NodeId a, NodeId b) => a.Equals(b);
        public static bool operator !=(NodeId a, NodeId b) => !a.Equals(b);
    }
}
