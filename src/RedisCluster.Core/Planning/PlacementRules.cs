using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// One node as placement sees it: the host (or failure domain) it runs on and whom it replicates. Key names
    /// the node (its id, or its endpoint for a plan made before nodes are read); MasterKey its master's Key.
    /// </summary>
    public sealed class PlacedNode
    {
        public PlacedNode(string key, string endPoint, string host, bool isMaster, string masterKey)
        {
            Key = key;
            EndPoint = endPoint;
            Host = host;
            IsMaster = isMaster;
            MasterKey = masterKey;
        }

        public string Key { get; }
        public string EndPoint { get; }

        /// <summary>A resolved address, or a failure domain (rack, zone) the operator named.</summary>
        public string Host { get; }

        public bool IsMaster { get; }
        public string MasterKey { get; }
    }

    public enum PlacementProblem
    {
        /// <summary>A replica runs on its master's host: losing the host loses both.</summary>
        ReplicaOnMasterHost,
        /// <summary>The busiest host carries more than one master more than the idlest.</summary>
        MastersUneven,
        /// <summary>Every node runs on one host: placement cannot protect anything.</summary>
        SingleHost,
    }

    public sealed class PlacementFinding
    {
        internal PlacementFinding(PlacementProblem problem, string message, IReadOnlyList<PlacedNode> nodes)
        {
            Problem = problem;
            Message = message;
            Nodes = nodes;
        }

        public PlacementProblem Problem { get; }
        public string Message { get; }

        /// <summary>The nodes the finding is about (the replica, or the masters of the busiest host).</summary>
        public IReadOnlyList<PlacedNode> Nodes { get; }

        public override string ToString() => Message;
    }

    /// <summary>
    /// The placement rules, in one place for every planner and check: New-RedisCluster's planner minimises
    /// <see cref="ReplicaCost"/>, Test-RedisCluster reports <see cref="Evaluate"/>'s findings, and the placement
    /// optimizer aims for a cluster Evaluate finds nothing in, so the three never disagree.
    /// </summary>
    public static class PlacementRules
    {
        /// <summary>What a replica on its master's host costs: it must outweigh any number of the lesser faults.</summary>
        public const int ReplicaOnMasterHostCost = 10000;

        /// <summary>What two replicas of one master on one host cost: a host loss takes two copies.</summary>
        public const int SiblingsOnOneHostCost = 1;

        /// <summary>The most masters the busiest host may carry beyond the idlest.</summary>
        public const int AllowedMasterSpread = 1;

        /// <summary>The cost of replica placement: pairs of (replica host, master host, master).</summary>
        public static int ReplicaCost<TMaster>(IEnumerable<(string ReplicaHost, string MasterHost, TMaster Master)> replicas)
        {
            var list = replicas.ToList();
            int cost = list.Count(r => r.ReplicaHost == r.MasterHost) * ReplicaOnMasterHostCost;
            foreach (var siblings in list.GroupBy(r => r.Master))
            {
                cost += siblings.GroupBy(r => r.ReplicaHost).Sum(h => h.Count() * (h.Count() - 1) / 2) * SiblingsOnOneHostCost;
            }
            return cost;
        }

        /// <summary>
        /// What is wrong with a placement. A cluster on one host gets the single SingleHost finding instead of
        /// one finding per node: no placement on one host could be better.
        /// </summary>
        public static IReadOnlyList<PlacementFinding> Evaluate(IReadOnlyList<PlacedNode> nodes)
        {
            var findings = new List<PlacementFinding>();
            var hosts = nodes.Select(n => n.Host).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (hosts.Count <= 1)
            {
                if (nodes.Count > 1)
                {
                    findings.Add(new PlacementFinding(PlacementProblem.SingleHost,
                        $"All {nodes.Count} nodes run on one host ({hosts.FirstOrDefault()}): losing it loses the cluster, whatever the placement.", nodes));
                }
                return findings;
            }
            var byKey = nodes.ToDictionary(n => n.Key);
            foreach (var replica in nodes.Where(n => !n.IsMaster && n.MasterKey != null))
            {
                if (byKey.TryGetValue(replica.MasterKey, out var master) && string.Equals(master.Host, replica.Host, StringComparison.OrdinalIgnoreCase))
                {
                    findings.Add(new PlacementFinding(PlacementProblem.ReplicaOnMasterHost,
                        $"{replica.EndPoint} replicates {master.EndPoint} on the same host ({replica.Host}): losing that host loses both.", new[] { replica, master }));
                }
            }
            var mastersPerHost = hosts.ToDictionary(h => h, h => nodes.Where(n => n.IsMaster && string.Equals(n.Host, h, StringComparison.OrdinalIgnoreCase)).ToList(), StringComparer.OrdinalIgnoreCase);
            int most = mastersPerHost.Values.Max(m => m.Count), fewest = mastersPerHost.Values.Min(m => m.Count);
            if (most - fewest > AllowedMasterSpread)
            {
                var busiest = mastersPerHost.Where(h => h.Value.Count == most).ToList();
                var idlest = mastersPerHost.Where(h => h.Value.Count == fewest).Select(h => h.Key).ToList();
                findings.Add(new PlacementFinding(PlacementProblem.MastersUneven,
                    $"Masters are spread unevenly: {string.Join(", ", busiest.Select(h => $"{h.Key} carries {most}"))}, {string.Join(", ", idlest)} {(fewest == 0 ? "none" : $"only {fewest}")}; losing a busy host takes several shards' masters at once.",
                    busiest.SelectMany(h => h.Value).ToList()));
            }
            return findings;
        }
    }
}
