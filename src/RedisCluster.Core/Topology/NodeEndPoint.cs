using System;
using System.Globalization;
using System.Linq;

namespace RedisCluster
{
    /// <summary>A node's client address: host name or IP and port. IPv6 is written [addr]:port.</summary>
    public sealed class NodeEndPoint : IEquatable<NodeEndPoint>
    {

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

        /// <summary>The forms an endpoint may take, for error messages.</summary>
        public const string AcceptedForms = "host:port, such as 10.0.0.5:6379, redis-a.example.com:6379 or [2001:db8::5]:6379";

        /// <summary>Parses "host:port" or "[IPv6]:port", strictly: anything else is refused with the accepted forms.</summary>
        public static NodeEndPoint Parse(string text)
        {
            if (TryParse(text, out var endPoint, out var error)) return endPoint;
            throw new FormatException(error);
        }

        public static bool TryParse(string text, out NodeEndPoint endPoint, out string error)
        {
            endPoint = null;
            error = null;
            string problem = Problem(text, out string host, out int port);
            if (problem != null)
            {
                error = $"{problem} Expected {AcceptedForms}.";
                return false;
            }
            endPoint = new NodeEndPoint(host, port);
            return true;
        }

        private static string Problem(string text, out string host, out int port)
        {
            host = null;
            port = 0;
            if (string.IsNullOrWhiteSpace(text)) return "An endpoint is empty.";
            text = text.Trim();
            if (text.IndexOf("://", StringComparison.Ordinal) >= 0) return $"'{text}' is a URI; give the endpoint without a scheme.";
            if (text.Any(char.IsWhiteSpace)) return $"'{text}' holds a space; host and port are joined by ':'.";
            string portText;
            if (text.StartsWith("[", StringComparison.Ordinal))
            {
                int close = text.IndexOf(']');
                if (close < 0) return $"'{text}' has '[' without ']'.";
                host = text.Substring(1, close - 1);
                string rest = text.Substring(close + 1);
                if (rest.Length == 0) return $"'{text}' has no port.";
                if (rest[0] != ':') return $"'{text}' has text after ']' that is not :port.";
                portText = rest.Substring(1);
            }
            else
            {
                int colon = text.LastIndexOf(':');
                if (colon < 0) return $"'{text}' has no port.";
                if (text.IndexOf(':') != colon) return $"'{text}' looks like an IPv6 address: write it in brackets, [address]:port.";
                host = text.Substring(0, colon);
                portText = text.Substring(colon + 1);
            }
            if (host.Length == 0) return $"'{text}' has no host.";
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port < 1 || port > 65535)
            {
                return $"'{text}' does not end in a port between 1 and 65535.";
            }
            return null;
        }

        public override string ToString() =>
            Host.IndexOf(':') >= 0 ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

        public bool Equals(NodeEndPoint other) =>
            other != null && Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);
        public override bool Equals(object obj) => Equals(obj as NodeEndPoint);
        public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Host) * 31 + Port;
    }
}
