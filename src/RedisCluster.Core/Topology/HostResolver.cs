using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Which host a node runs on, for placement: its resolved address, so two names for one machine count
    /// once, or the failure domain (rack, zone) the operator mapped its endpoint or host to.
    /// </summary>
    public sealed class HostResolver
    {
        private readonly Dictionary<string, string> _domains;
        private readonly ConcurrentDictionary<string, Task<string>> _addresses = new ConcurrentDictionary<string, Task<string>>(StringComparer.OrdinalIgnoreCase);

        /// <param name="domains">Endpoint ("host:port") or host to a failure domain; null when hosts are just machines.</param>
        public HostResolver(IEnumerable<KeyValuePair<string, string>> domains = null)
        {
            _domains = (domains ?? Enumerable.Empty<KeyValuePair<string, string>>())
                .ToDictionary(d => d.Key.Trim(), d => d.Value, StringComparer.OrdinalIgnoreCase);
            var blank = _domains.Where(d => string.IsNullOrWhiteSpace(d.Value)).Select(d => d.Key).ToList();
            if (blank.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"Every entry of a host map needs a failure domain; these have none: {string.Join(", ", blank)}.") { ErrorId = "InvalidHostMap" };
            }
        }

        /// <summary>The address to give CLUSTER MEET: an IP, resolved once per host name.</summary>
        public Task<string> AddressOfAsync(NodeEndPoint endPoint) => _addresses.GetOrAdd(endPoint.Host, host => ResolveAsync(endPoint));

        /// <summary>The placement host: the mapped failure domain of the endpoint or its host, else its address.</summary>
        public async Task<string> HostOfAsync(NodeEndPoint endPoint)
        {
            if (_domains.TryGetValue(endPoint.ToString(), out var domain) || _domains.TryGetValue(endPoint.Host, out domain)) return domain;
            string address = await AddressOfAsync(endPoint).ConfigureAwait(false);
            return _domains.TryGetValue(address, out domain) ? domain : address;
        }

        private static async Task<string> ResolveAsync(NodeEndPoint endPoint)
        {
            if (IPAddress.TryParse(endPoint.Host, out var literal)) return literal.ToString();
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(endPoint.Host).ConfigureAwait(false);
                var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
                return address.ToString();
            }
            catch (SocketException e)
            {
                throw new RedisClusterException(FailureKind.Unreachable, $"The host name '{endPoint.Host}' of {endPoint} did not resolve.", endPoint, e) { ErrorId = "HostNotResolved" };
            }
        }
    }
}
