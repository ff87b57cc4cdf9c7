using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Lowers settings that make Redis wait on purpose while work waits for nodes to settle, and puts each
    /// node's own values back afterwards, on every path out.
    /// - cluster-node-timeout: a master reports cluster_state:ok only a "rejoin delay" after it last saw itself in
    ///   a minority, and that delay is the node timeout clamped to 0.5-5 s (cluster.c, clusterUpdateState): a new
    ///   master pays it once more after it gets slots or joins. Measured here: a 3+3 creation at 5000 ms took 5.2 s
    ///   with the timeout as configured and 0.9 s with 500 ms, and the nodes stayed ok once it was restored.
    /// - repl-diskless-sync-delay: a master waits this long (5 s by default) before a replica's first sync, for
    ///   more replicas to share it. An empty master has nothing worth sharing.
    /// </summary>
    public static class NodeTimeoutOverride
    {
        /// <summary>The rejoin delay's floor in Redis: lowering the timeout below it gains nothing.</summary>
        public static readonly TimeSpan Lowered = TimeSpan.FromMilliseconds(500);

        private static readonly KeyValuePair<string, long> FastRejoin = new KeyValuePair<string, long>("cluster-node-timeout", (long)Lowered.TotalMilliseconds);
        private static readonly KeyValuePair<string, long> ImmediateSync = new KeyValuePair<string, long>("repl-diskless-sync-delay", 0);

        /// <summary>Lowers cluster-node-timeout and repl-diskless-sync-delay: for work that also waits for first syncs.</summary>
        public static Task<T> RunWithImmediateSyncAsync<T>(
            RedisClusterConnection connection, IReadOnlyCollection<NodeEndPoint> nodes,
            Func<CancellationToken, Task<T>> work, IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
            RunAsync(connection, nodes, nodes, work, progress, cancellationToken);

        /// <summary>
        /// Lowers cluster-node-timeout on the nodes that join or settle, and repl-diskless-sync-delay on the masters
        /// that are to give a replica its first sync (a live master's other settings are left alone).
        /// </summary>
        public static Task<T> RunAsync<T>(
            RedisClusterConnection connection, IReadOnlyCollection<NodeEndPoint> joining, IReadOnlyCollection<NodeEndPoint> syncSources,
            Func<CancellationToken, Task<T>> work, IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
            RunAsync(connection, joining.Select(n => (n, FastRejoin)).Concat(syncSources.Select(n => (n, ImmediateSync))).ToList(), work, progress, cancellationToken);

        private static async Task<T> RunAsync<T>(
            RedisClusterConnection connection, IReadOnlyList<(NodeEndPoint Node, KeyValuePair<string, long> Setting)> settings,
            Func<CancellationToken, Task<T>> work, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var configured = await Task.WhenAll(settings.Select(async s =>
            {
                var (node, setting) = s;
                var client = await connection.GetNodeAsync(node, cancellationToken).ConfigureAwait(false);
                var pair = (await client.CallAsync(cancellationToken, "CONFIG", "GET", setting.Key).ConfigureAwait(false)).AsArray();
                return (Node: node, Name: setting.Key, Value: pair.Count == 2 ? pair[1].AsInt64() : 0L, Lowered: setting.Value);
            })).ConfigureAwait(false);
            var lowered = configured.Where(c => c.Value > c.Lowered).ToList();
            try
            {
                await Task.WhenAll(lowered.Select(c => SetAsync(connection, c.Node, c.Name, c.Lowered, cancellationToken))).ConfigureAwait(false);
                return await work(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Put back whatever was lowered, even after a failure or Ctrl+C: a node left at 500 ms would fail
                // over at the first hiccup. What cannot be put back is said, with the value to set by hand.
                await Task.WhenAll(lowered.Select(async c =>
                {
                    try
                    {
                        await SetAsync(connection, c.Node, c.Name, c.Value, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (RedisClusterException e)
                    {
                        progress?.Report(OperationProgress.Warning(
                            $"{c.Node} keeps {c.Name} {c.Lowered}, lowered while the nodes settled: putting back its {c.Value} failed ({e.Message}). Set it with Set-RedisClusterConfig -Name {c.Name} -Value {c.Value}."));
                    }
                })).ConfigureAwait(false);
            }
        }

        private static async Task SetAsync(RedisClusterConnection connection, NodeEndPoint node, string name, long value, CancellationToken cancellationToken)
        {
            var client = await connection.GetNodeAsync(node, cancellationToken).ConfigureAwait(false);
            await client.CallAsync(cancellationToken, "CONFIG", "SET", name, value.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }
    }
}
