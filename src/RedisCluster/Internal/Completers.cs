using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;

namespace RedisCluster.Internal
{
    /// <summary>
    /// Tab completion of node ids and endpoints from the cluster at hand (-Connection if typed, else the last
    /// Connect-RedisCluster). The topology is cached for a few seconds per connection, and a read never takes
    /// longer than the connection's connect timeout: a dead cluster costs one short wait, then no completions.
    /// </summary>
    public abstract class TopologyCompleter : IArgumentCompleter
    {
        private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(10);
        private static readonly ConditionalWeakTable<RedisClusterConnection, CachedTopology> Cache = new ConditionalWeakTable<RedisClusterConnection, CachedTopology>();

        private sealed class CachedTopology
        {
            public ClusterTopology Topology;
            public Stopwatch Age;
        }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var connection = ConnectionFrom(fakeBoundParameters) ?? ConnectionRegistry.Current;
            var topology = connection == null ? null : Read(connection);
            if (topology == null) return Enumerable.Empty<CompletionResult>();
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return Candidates(topology)
                .Where(n => Complete(n).StartsWith(word, StringComparison.OrdinalIgnoreCase) || n.EndPoint.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .OrderBy(n => n.Role).ThenBy(n => n.EndPoint, StringComparer.Ordinal)
                .Select(n => new CompletionResult(Complete(n), $"{Complete(n)} ({Describe(n)})", CompletionResultType.ParameterValue, Describe(n)));
        }

        /// <summary>The nodes worth offering for this parameter.</summary>
        protected virtual IEnumerable<RedisClusterNode> Candidates(ClusterTopology topology) => topology.Nodes.Where(n => n.Role != NodeRole.Unknown);

        /// <summary>The text a completion inserts.</summary>
        protected virtual string Complete(RedisClusterNode node) => node.NodeId;

        private static string Describe(RedisClusterNode node) =>
            $"{node.EndPoint} {node.Role.ToString().ToLowerInvariant()}{(node.Role == NodeRole.Master ? $", {node.SlotCount} slots" : string.Empty)}{(node.IsFailing ? ", failing" : string.Empty)}";

        private static RedisClusterConnection ConnectionFrom(IDictionary fakeBoundParameters)
        {
            if (fakeBoundParameters == null || !fakeBoundParameters.Contains("Connection")) return null;
            var value = fakeBoundParameters["Connection"];
            return (value as PSObject)?.BaseObject as RedisClusterConnection ?? value as RedisClusterConnection;
        }

        private static ClusterTopology Read(RedisClusterConnection connection)
        {
            var cached = Cache.GetOrCreateValue(connection);
            lock (cached)
            {
                if (cached.Topology != null && cached.Age.Elapsed < CacheLifetime) return cached.Topology;
                using (var limit = new CancellationTokenSource(connection.Settings.ConnectTimeout))
                {
                    try
                    {
                        var read = connection.GetTopologyAsync(limit.Token);
                        if (!read.Wait(connection.Settings.ConnectTimeout)) return null;
                        cached.Topology = read.Result;
                        cached.Age = Stopwatch.StartNew();
                        return cached.Topology;
                    }
                    catch (AggregateException)
                    {
                        // No completions from a cluster that cannot be read; the prompt stays usable.
                        return null;
                    }
                }
            }
        }
    }

    /// <summary>Completes -NodeId (and -SourceNodeId) with the ids of the cluster's nodes.</summary>
    public sealed class NodeIdCompleter : TopologyCompleter
    {
    }

    /// <summary>Completes -MasterId and -TargetNodeId with the ids of masters only.</summary>
    public sealed class MasterIdCompleter : TopologyCompleter
    {
        protected override IEnumerable<RedisClusterNode> Candidates(ClusterTopology topology) => topology.Masters;
    }

    /// <summary>Completes -EndPoint with the endpoints of the cluster's nodes.</summary>
    public sealed class EndPointCompleter : TopologyCompleter
    {
        protected override IEnumerable<RedisClusterNode> Candidates(ClusterTopology topology) => base.Candidates(topology).Where(n => n.EndPoint.Length > 0);

        protected override string Complete(RedisClusterNode node) => node.EndPoint;
    }
}
