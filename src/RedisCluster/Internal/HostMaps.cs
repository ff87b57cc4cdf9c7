using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace RedisCluster.Internal
{
    /// <summary>-HostOf as the placement cmdlets take it: endpoint or host to failure domain, keys and values as text.</summary>
    internal static class HostMaps
    {
        public static HostResolver Resolver(Hashtable hostOf) =>
            new HostResolver(hostOf?.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, string>(Text(e.Key), Text(e.Value))));

        private static string Text(object value) => (value is PSObject wrapped ? wrapped.BaseObject : value)?.ToString();
    }
}
