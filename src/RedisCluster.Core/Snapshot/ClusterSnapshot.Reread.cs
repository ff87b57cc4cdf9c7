using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    public sealed partial class ClusterSnapshot
    {
        /// <summary>
        /// Reads the nodes of this snapshot again, all at once, without first asking one node for the topology: half the
        /// round trips of <see cref="ReadAsync(RedisClusterConnection, CancellationToken)"/>, for polls during a change
        /// that adds or removes no node (a failover).
        /// </summary>
        public async Task<ClusterSnapshot> ReadAgainAsync(CancellationToken cancellationToken)
        {
            var budget = Connection.Settings.ConnectTimeout;
            var nodes = await Task.WhenAll(Nodes.Select(n => NodeSnapshot.ReadAsync(Connection, n.EndPoint, n.ListedAs, budget, cancellationToken))).ConfigureAwait(false);
            return new ClusterSnapshot(nodes, Connection) { NodesWithoutAddress = NodesWithoutAddress };
        }
    }
}
