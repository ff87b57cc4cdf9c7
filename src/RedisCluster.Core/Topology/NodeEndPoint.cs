using System;
using System.Globalization;

namespace RedisCluster
{
    /// <summary>A node's client address: host name or IP and port. IPv6 is written [addr]:port.</summary>
    public sealed class NodeEndPoint : IEquatable<NodeEndPoint>
    {
        public const int DefaultPort = 6379;

        public NodeEndPoint(string host, int port)
        {
            if (string.IsNullOrWhiteSpace(host)) throw new ArgumentException("A node address needs a host.", nameof(host));
            if (port < 1 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "A port is between 1 and 65535.");
            Host = host.Trim();
            Port = port;
        }

        public string Host { get; }
        public int Port { get; }

        /// <summary>The cluster bus port Redis uses unless told otherwise.</summary>
        public int DefaultBusPort => Port + 10000;

        /// <summary>Parses "host:port", "host" (port 6379), "[v6]:port" or a bare IPv6 address.</summary>
        public static NodeEndPoint Parse(string text)
        {
            if (TryParse(text, out var endPoint, out var error)) return endPoint;
            throw new FormatException(error);
        }

        public static bool TryParse(string text, out NodeEndPoint endPoint, out string error)
        {
            endPoint = null;
            error = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                error = "An endpoint is empty; expected host:port.";
                return false;
            }
            text = text.Trim();
            string host;
            string portText = null;
            if (text.StartsWith("[", StringComparison.Ordinal))
            {
                int close = text.IndexOf(']');
                if (close < 0)
                {
                    error = $"'{text}' has '[' without ']'.";
                    return false;
                }
                host = text.Substring(1, close - 1);
                string rest = text.Substring(close + 1);
                if (rest.Length > 0)
                {
                    if (rest[0] != ':') { error = $"'{text}' has text after ']' that is not :port."; return false; }
                    portText = rest.Substring(1);
                }
            }
            else
            {
                int colon = text.LastIndexOf(':');
                bool bareIpv6 = colon >= 0 && text.IndexOf(':') != colon;
                host = colon < 0 || bareIpv6 ? text : text.Substring(0, colon);
                portText = colon < 0 || bareIpv6 ? null : text.Substring(colon + 1);
            }
            int port = DefaultPort;
            if (portText != null &&
                (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port < 1 || port > 65535))
            {
                error = $"'{text}' does not end in a port between 1 and 65535.";
                return false;
            }
            if (host.Length == 0)
            {
                error = $"'{text}' has no host.";
                return false;
            }
            endPoint = new NodeEndPoint(host, port);
            return true;
        }

        public override string ToString() =>
            Host.IndexOf(':') >= 0 ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

        public bool Equals(NodeEndPoint other) =>
            other != null && Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);
        public override bool Equals(object obj) => Equals(obj as NodeEndPoint);
        public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Host) * 31 + Port;
    }
}
