using System;

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
            foreach (char c in text)
            {
                bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                if (!hex) return false;
            }
            id = new NodeId(text.ToLowerInvariant());
            return true;
        }

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
