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
        private readonly Lazy<Task<Dictionary<string, string>>> _domainsByAddress;

        /// <param name="domains">Endpoint ("host:port") or host to a failure domain; null when hosts are just machines.</param>
        public HostResolver(IEnumerable<KeyValuePair<string, string>> domains = null)
        {
            var entries = (domains ?? Enumerable.Empty<KeyValuePair<string, string>>()).ToList();
            var problems = new List<string>();
            var unnamed = entries.Where(d => string.IsNullOrWhiteSpace(d.Key)).ToList();
            if (unnamed.Count > 0) problems.Add($"{unnamed.Count} entr{(unnamed.Count == 1 ? "y names" : "ies name")} no host or endpoint");
            var blank = entries.Where(d => !string.IsNullOrWhiteSpace(d.Key) && string.IsNullOrWhiteSpace(d.Value)).Select(d => d.Key.Trim()).ToList();
            if (blank.Count > 0) problems.Add($"these have no failure domain: {string.Join(", ", blank)}");
            var repeated = entries.Where(d => !string.IsNullOrWhiteSpace(d.Key)).GroupBy(d => d.Key.Trim(), StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (repeated.Count > 0) problems.Add($"these are given more than once: {string.Join(", ", repeated)}");
            if (problems.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"Every entry of a host map names a host or endpoint once and gives it a failure domain; {string.Join("; ", problems)}.") { ErrorId = "InvalidHostMap" };
            }
            _domains = entries.ToDictionary(d => d.Key.Trim(), d => d.Value.Trim(), StringComparer.OrdinalIgnoreCase);
            _domainsByAddress = new Lazy<Task<Dictionary<string, string>>>(ResolveNamedEntriesAsync);
        }

        /// <summary>The address to give CLUSTER MEET: an IP, resolved once per host name.</summary>
        public Task<string> AddressOfAsync(NodeEndPoint endPoint) => _addresses.GetOrAdd(endPoint.Host, host => ResolveAsync(endPoint));

        /// <summary>The placement host: the mapped failure domain of the endpoint or its host, else its address.</summary>
        public async Task<string> HostOfAsync(NodeEndPoint endPoint)
        {
            // The most precise entry wins: the endpoint as given or as resolved, then the host as given or as resolved.
            if (_domains.TryGetValue(endPoint.ToString(), out var domain)) return domain;
            string address = await AddressOfAsync(endPoint).ConfigureAwait(false);
            var byAddress = _domains.Count == 0 ? _domains : await _domainsByAddress.Value.ConfigureAwait(false);
            if (byAddress.TryGetValue(new NodeEndPoint(address, endPoint.Port).ToString(), out domain) || _domains.TryGetValue(endPoint.Host, out domain)) return domain;
            return byAddress.TryGetValue(address, out domain) ? domain : address;
        }

        /// <summary>
        /// The map's entries keyed by address: a cluster lists its nodes by IP, while operators name them by host. An
        /// entry whose name does not resolve cannot match any node and is left out.
        /// </summary>
        private async Task<Dictionary<string, string>> ResolveNamedEntriesAsync()
        {
            var byAddress = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in _domains)
            {
                bool isEndPoint = NodeEndPoint.TryParse(entry.Key, out var endPoint, out _);
                string host = isEndPoint ? endPoint.Host : entry.Key.Trim('[', ']');
                try
                {
                    string address = await AddressOfAsync(new NodeEndPoint(host, isEndPoint ? endPoint.Port : 1)).ConfigureAwait(false);
                    string key = isEndPoint ? new NodeEndPoint(address, endPoint.Port).ToString() : address;
                    if (!byAddress.ContainsKey(key)) byAddress[key] = entry.Value;
                }
                catch (Exception e) when (e is RedisClusterException || e is ArgumentException || e is SocketException)
                {
                    // Not a name of any node: nothing to map.
                }
            }
            return byAddress;
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
