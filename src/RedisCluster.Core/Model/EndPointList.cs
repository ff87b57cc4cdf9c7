using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace RedisCluster
{
    /// <summary>Endpoints ("ip:port"); exports to CSV as "ip:port,ip:port" rather than a type name.</summary>
    public sealed class EndPointList : ReadOnlyCollection<string>
    {
        public EndPointList(IEnumerable<string> endPoints) : base(endPoints.ToList())
        {
        }

        public override string ToString() => string.Join(",", this);
    }
}
