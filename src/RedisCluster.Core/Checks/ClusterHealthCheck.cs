using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>One health check: a stable name, the one severity its findings always have, and what it looks at.</summary>
    public sealed class ClusterCheck
    {
        internal ClusterCheck(string name, CheckSeverity severity, string lookFor)
        {
            Name = name;
            Severity = severity;
            LooksFor = lookFor;
        }

        public string Name { get; }
        public CheckSeverity Severity { get; }

        /// <summary>What a finding of this check means, in a sentence.</summary>
        public string LooksFor { get; }

        public override string ToString() => Name;
    }

    /// <summary>
    /// Everything <c>redis-cli --cluster check</c> checks (one slot map everywhere, every slot covered, no open slot, no
    /// slot with two owners) and what it misses: nodes down, failing or stuck in a handshake, replicas out of sync or
    /// lagging, masters without a replica, placement over hosts, settings that differ between nodes, and keys stranded
    /// in slots their node does not own. Pure: it judges a snapshot and the extra readings; nothing here talks to a node
    /// except <see cref="RunAsync"/>, which reads them.
    /// </summary>
    public static class ClusterHealthCheck
    {
        /// <summary>How far a replica's replication offset may trail its master's before it counts as lagging.</summary>
        public const long AllowedLagBytes = 1024 * 1024;

        // Severity: Error for what breaks service or data now, Warning for what weakens the cluster against the next fault.
        public static readonly ClusterCheck NodeReachable = new ClusterCheck("NodeReachable", CheckSeverity.Error,
            "A node the cluster knows did not answer within the connect timeout, answers without cluster support, or has no address.");
        public static readonly ClusterCheck NodeHandshake = new ClusterCheck("NodeHandshake", CheckSeverity.Warning,
            "Some node is still in a handshake with an address: a node being met that has not joined.");
        public static readonly ClusterCheck NodeFailing = new ClusterCheck("NodeFailing", CheckSeverity.Error,
            "Some node flags another fail or fail? (suspected).");
        public static readonly ClusterCheck ClusterState = new ClusterCheck("ClusterState", CheckSeverity.Error,
            "A node reports cluster_state:fail and refuses queries.");
        public static readonly ClusterCheck SlotMapAgreement = new ClusterCheck("SlotMapAgreement", CheckSeverity.Error,
            "A node's own view gives some slots other owners than most nodes' views do.");
        public static readonly ClusterCheck SlotCoverage = new ClusterCheck("SlotCoverage", CheckSeverity.Error,
            "Slots no master serves, in the view most nodes share.");
        public static readonly ClusterCheck MultipleOwners = new ClusterCheck("MultipleOwners", CheckSeverity.Error,
            "A slot two masters claim: each in its own view, or both inside one node's view.");
        public static readonly ClusterCheck OpenSlots = new ClusterCheck("OpenSlots", CheckSeverity.Error,
            "A node has slots marked migrating or importing: a move that did not finish.");
        public static readonly ClusterCheck StrandedKeys = new ClusterCheck("StrandedKeys", CheckSeverity.Error,
            "A master holds keys in slots it neither owns nor imports: no client can reach them.");
        public static readonly ClusterCheck ReplicaLink = new ClusterCheck("ReplicaLink", CheckSeverity.Warning,
            "A replica's link to its master is down, or its first sync is not over.");
        public static readonly ClusterCheck ReplicaLag = new ClusterCheck("ReplicaLag", CheckSeverity.Warning,
            "A replica trails its master by more than 1 MB of replication stream, or has not heard from it for longer than cluster-node-timeout plus repl-ping-replica-period.");
        public static readonly ClusterCheck MasterWithoutReplica = new ClusterCheck("MasterWithoutReplica", CheckSeverity.Warning,
            "A master serving slots has no replica that is not failing.");
        public static readonly ClusterCheck SingleHost = new ClusterCheck("SingleHost", CheckSeverity.Warning,
            "Every node runs on one host: losing it loses the cluster. Replaces the two placement checks.");
        public static readonly ClusterCheck ReplicaPlacement = new ClusterCheck("ReplicaPlacement", CheckSeverity.Warning,
            "A replica runs on its master's host.");
        public static readonly ClusterCheck MasterPlacement = new ClusterCheck("MasterPlacement", CheckSeverity.Warning,
            "The busiest host carries more than one master more than the idlest.");
        public static readonly ClusterCheck ConfigConsistency = new ClusterCheck("ConfigConsistency", CheckSeverity.Warning,
            "A node's cluster-node-timeout differs from most nodes', or cannot be read.");
        public static readonly ClusterCheck AuthConsistency = new ClusterCheck("AuthConsistency", CheckSeverity.Warning,
            "Whether requirepass or masterauth is set differs between nodes (the values are never read out).");

        /// <summary>Every check, in the order results are written.</summary>
        public static IReadOnlyList<ClusterCheck> All { get; } = new[]
        {
            NodeReachable, NodeHandshake, NodeFailing, ClusterState, SlotMapAgreement, SlotCoverage, MultipleOwners, OpenSlots,
            StrandedKeys, ReplicaLink, ReplicaLag, MasterWithoutReplica, SingleHost, ReplicaPlacement, MasterPlacement,
            ConfigConsistency, AuthConsistency,
        };

        /// <summary>Reads the cluster (every node at once) and checks it. A cluster none of whose nodes answers is a finding too.</summary>
        public static async Task<IReadOnlyList<RedisClusterCheckResult>> RunAsync(RedisClusterConnection connection, HostResolver hosts, CancellationToken cancellationToken)
        {
            ClusterSnapshot snapshot;
            try
            {
                snapshot = await ClusterSnapshot.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisClusterException e) when (IsUnreachable(e))
            {
                return Unreachable(e, connection);
            }
            var readings = await ClusterHealthReadings.ReadAsync(snapshot, hosts, cancellationToken).ConfigureAwait(false);
            return Evaluate(snapshot, readings);
        }

        /// <summary>Failures that mean "no answer" (rather than a refusal, such as a wrong password).</summary>
        public static bool IsUnreachable(RedisClusterException failure) => failure.Kind == FailureKind.Unreachable || failure.Kind == FailureKind.Timeout;

        /// <summary>The result when no node of the cluster could be reached at all: nothing else could be checked.</summary>
        public static IReadOnlyList<RedisClusterCheckResult> Unreachable(RedisClusterException failure, RedisClusterConnection connection) => new[]
        {
            new RedisClusterCheckResult(NodeReachable.Name, NodeReachable.Severity, $"No node of the cluster answered, so nothing else could be checked: {failure.Message}",
                null, failure.EndPoint?.ToString(), null, connection),
        };

        /// <summary>True when no result is a Warning or an Error.</summary>
        public static bool IsHealthy(IEnumerable<RedisClusterCheckResult> results) => results.All(r => r.Severity == CheckSeverity.Ok);

        /// <summary>
        /// One result per finding, and one Ok row per check that found nothing, in the order of <see cref="All"/>. On a
        /// single host, the placement checks give way to the one SingleHost finding.
        /// </summary>
        public static IReadOnlyList<RedisClusterCheckResult> Evaluate(ClusterSnapshot snapshot, ClusterHealthReadings readings)
        {
            var context = new Context(snapshot, readings);
            var results = new List<RedisClusterCheckResult>();
            void Report(ClusterCheck check, IEnumerable<Finding> findings, Func<string> ok)
            {
                var found = findings.ToList();
                if (found.Count == 0)
                {
                    results.Add(new RedisClusterCheckResult(check.Name, CheckSeverity.Ok, ok(), null, null, null, snapshot.Connection));
                    return;
                }
                results.AddRange(found.Select(f => new RedisClusterCheckResult(check.Name, check.Severity, f.Message, f.NodeId, f.EndPoint, f.Slots, snapshot.Connection)));
            }

            Report(NodeReachable, context.UnreachableNodes(), () => $"All {context.Members.Count()} nodes answered.");
            Report(NodeHandshake, context.Handshakes(), () => "No node is in a handshake.");
            Report(NodeFailing, context.FailingNodes(), () => "No node is flagged fail or fail?.");
            Report(ClusterState, context.StateNotOk(), () => "Every node reports cluster_state:ok.");
            Report(SlotMapAgreement, context.Disagreements(), () => "Every node agrees on which master owns each slot.");
            Report(SlotCoverage, context.UncoveredSlots(), () => $"All {HashSlot.SlotCount} slots are served.");
            Report(MultipleOwners, context.MultipleOwners(), () => "No slot is claimed by two masters.");
            Report(OpenSlots, context.OpenSlots(), () => "No slot is migrating or importing.");
            Report(StrandedKeys, context.StrandedKeys(), () => $"No master holds keys in a slot it does not own ({readings.KeyCounts.Count} masters counted).");
            Report(ReplicaLink, context.ReplicaLinks(), () => "Every replica's link is up and its first sync over.");
            Report(ReplicaLag, context.ReplicaLags(), () => "No replica lags behind its master.");
            Report(MasterWithoutReplica, context.MastersWithoutReplica(), () => "Every master serving slots has a replica.");
            var placement = context.Placement();
            if (placement.IsSingleHost)
            {
                Report(SingleHost, placement.Of(PlacementProblem.SingleHost), () => "Fewer than two nodes to place.");
            }
            else
            {
                Report(SingleHost, Enumerable.Empty<Finding>(), () => $"Nodes run on {placement.HostCount} hosts.");
                Report(ReplicaPlacement, placement.Of(PlacementProblem.ReplicaOnMasterHost), () => "No replica runs on its master's host.");
                Report(MasterPlacement, placement.Of(PlacementProblem.MastersUneven), () => $"Masters are spread evenly over hosts ({placement.MastersPerHost}).");
            }
            Report(ConfigConsistency, context.NodeTimeoutDifferences(), () => $"cluster-node-timeout is {context.CommonNodeTimeout} ms on every node read.");
            Report(AuthConsistency, context.AuthDifferences(), () => "requirepass and masterauth are set alike on every node read.");
            return results;
        }

        private readonly struct Finding
        {
            public Finding(string message, string nodeId = null, string endPoint = null, SlotRangeList slots = null)
            {
                Message = message;
                NodeId = nodeId;
                EndPoint = endPoint;
                Slots = slots;
            }

            public string Message { get; }
            public string NodeId { get; }
            public string EndPoint { get; }
            public SlotRangeList Slots { get; }
        }

        private sealed class PlacementOutcome
        {
            public bool IsSingleHost;
            public int HostCount;
            public string MastersPerHost;
            public IReadOnlyList<PlacementFinding> Findings;

            public IEnumerable<Finding> Of(PlacementProblem problem) => Findings.Where(f => f.Problem == problem).Select(f =>
                // A replica finding names the replica (the node to move); the other findings are about the cluster.
                problem == PlacementProblem.ReplicaOnMasterHost ? new Finding(f.Message, f.Nodes[0].Key, f.Nodes[0].EndPoint) : new Finding(f.Message));
        }

        /// <summary>The snapshot and readings with the lookups every check shares.</summary>
        private sealed class Context
        {
            private readonly ClusterSnapshot _snapshot;
            private readonly ClusterHealthReadings _readings;

            public Context(ClusterSnapshot snapshot, ClusterHealthReadings readings)
            {
                _snapshot = snapshot;
                _readings = readings;
            }

            private ClusterTopology Reference => _snapshot.Reference;

            private IEnumerable<NodeSnapshot> Readable => _snapshot.Reachable;

            /// <summary>
            /// The nodes read, less addresses known only from a handshake that did not answer: nothing may be listening
            /// there, and NodeHandshake reports them.
            /// </summary>
            public IEnumerable<NodeSnapshot> Members => _snapshot.Nodes.Where(n => n.IsReachable || n.ListedAs == null || (n.ListedAs.Flags & NodeFlags.Handshake) == 0);

            private static Finding About(NodeSnapshot node, string message, SlotRangeList slots = null) =>
                new Finding(message, node.Id?.ToString(), node.EndPoint.ToString(), slots);

            private static Finding About(RedisClusterNode node, string message, SlotRangeList slots = null) =>
                new Finding(message, node.NodeId, node.EndPoint.Length > 0 ? node.EndPoint : null, slots);

            /// <summary>How messages name a node: its endpoint, or its short id when it has no address.</summary>
            private string Name(NodeId? id)
            {
                if (id == null) return "(unknown)";
                var node = Reference.Find(id.Value) ?? Readable.Select(n => n.View.Find(id.Value)).FirstOrDefault(n => n != null);
                return node != null && node.EndPoint.Length > 0 ? node.EndPoint : id.Value.Short;
            }

            private static string Slots(IEnumerable<int> slots) => new SlotRangeList(SlotRange.FromSlots(slots)).ToString();

            private static string Count(long count, string one, string many) => count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? one : many);

            public IEnumerable<Finding> UnreachableNodes()
            {
                foreach (var node in Members)
                {
                    if (!node.IsReachable)
                    {
                        string role = node.ListedAs == null ? string.Empty
                            : node.ListedAs.Role == NodeRole.Master ? $" It is listed as a master with {Count(node.ListedAs.SlotCount, "slot", "slots")}."
                            : node.ListedAs.Role == NodeRole.Replica ? $" It is listed as a replica of {Name(node.ListedAs.MasterNodeId)}." : string.Empty;
                        yield return About(node, node.Failure.Message + role);
                    }
                    else if (!node.ClusterEnabled)
                    {
                        yield return About(node, $"{node.EndPoint} answers, but has cluster support disabled: it is no cluster node.");
                    }
                    else
                    {
                        // A node that answered the first reads but not the ones that followed is as good as unreachable.
                        var failure = new[] { Get(_readings.Configuration, node.EndPoint)?.Failure, Get(_readings.KeyCounts, node.EndPoint)?.Failure }
                            .FirstOrDefault(f => f != null && IsUnreachable(f));
                        if (failure != null) yield return About(node, failure.Message);
                    }
                }
                foreach (var node in _snapshot.NodesWithoutAddress)
                {
                    yield return About(node, $"{node.Id.Short} is known to the cluster without an address ({node.RawFlags}): it cannot be asked.");
                }
            }

            public IEnumerable<Finding> Handshakes()
            {
                var shaking = Readable
                    .SelectMany(viewer => viewer.View.Nodes.Where(n => (n.Flags & NodeFlags.Handshake) != 0 && n.EndPoint.Length > 0).Select(n => (n.EndPoint, Viewer: viewer.EndPoint.ToString())))
                    .GroupBy(x => x.EndPoint);
                foreach (var group in shaking)
                {
                    var known = Reference.Find(NodeEndPoint.Parse(group.Key));
                    yield return new Finding(
                        $"{group.Key} is still in a handshake with {string.Join(", ", group.Select(x => x.Viewer).Distinct())}: it has not joined the cluster (yet), or nothing that speaks the cluster bus answers there.",
                        known?.NodeId, group.Key);
                }
            }

            public IEnumerable<Finding> FailingNodes()
            {
                var flagged = Readable
                    .SelectMany(viewer => viewer.View.Nodes.Where(n => n.IsFailing).Select(n => (Node: n, Viewer: viewer.EndPoint.ToString())))
                    .GroupBy(x => x.Node.Id);
                foreach (var group in flagged)
                {
                    var node = group.First().Node;
                    var failed = group.Where(x => (x.Node.Flags & NodeFlags.Failing) != 0).Select(x => x.Viewer).ToList();
                    var suspected = group.Where(x => (x.Node.Flags & NodeFlags.Failing) == 0).Select(x => x.Viewer).ToList();
                    var listed = Reference.Find(node.Id) ?? node;
                    string role = listed.Role == NodeRole.Master
                        ? listed.SlotCount > 0 ? $"master of {Count(listed.SlotCount, "slot", "slots")}" : "master without slots"
                        : listed.Role == NodeRole.Replica ? $"replica of {Name(listed.MasterNodeId)}" : "node";
                    var parts = new List<string>();
                    if (failed.Count > 0) parts.Add($"fail by {string.Join(", ", failed)}");
                    if (suspected.Count > 0) parts.Add($"fail? (suspected) by {string.Join(", ", suspected)}");
                    yield return About(node, $"{Name(node.Id)} ({role}) is flagged {string.Join(" and ", parts)}.");
                }
            }

            public IEnumerable<Finding> StateNotOk() => Readable
                .Where(n => n.ClusterState != "ok")
                .Select(n => About(n, $"{n.EndPoint} reports cluster_state:{n.ClusterState ?? "unknown"}: it refuses queries."));

            public IEnumerable<Finding> Disagreements() => _snapshot.Disagreements()
                .Select(d => About(d.Node, $"{d.Node.EndPoint} sees other owners than most nodes for {Count(d.Slots.SlotCount, "slot", "slots")}: {d.Slots}.", d.Slots));

            public IEnumerable<Finding> UncoveredSlots()
            {
                if (!Readable.Any()) yield break;
                var owners = ClusterSnapshot.OwnerBySlot(Reference);
                var uncovered = Enumerable.Range(0, HashSlot.SlotCount).Where(s => owners[s] == null).ToList();
                if (uncovered.Count == 0) yield break;
                var slots = new SlotRangeList(SlotRange.FromSlots(uncovered));
                yield return new Finding($"{Count(uncovered.Count, "slot is", "slots are")} served by no master: {slots}.", slots: slots);
            }

            public IEnumerable<Finding> MultipleOwners()
            {
                // Inside one view: a slot listed under two masters.
                foreach (var viewer in Readable)
                {
                    var masters = viewer.View.Masters.ToList();
                    var disputed = SlotsClaimedTwice(masters.Select(m => m.Slots).ToList());
                    foreach (var group in disputed.GroupBy(d => string.Join(", ", d.Claimants.Select(i => Name(masters[i].Id)).OrderBy(n => n, StringComparer.Ordinal))))
                    {
                        var slots = new SlotRangeList(SlotRange.FromSlots(group.Select(d => d.Slot)));
                        yield return About(viewer, $"{viewer.EndPoint} lists slots {slots} under several masters: {group.Key}.", slots);
                    }
                }
                // Across views: masters whose own lines claim the same slot; gossip settles it by config epoch, but until then both serve it.
                var own = Readable.Where(n => n.Myself.Role == NodeRole.Master && n.Myself.SlotCount > 0).ToList();
                var contested = SlotsClaimedTwice(own.Select(n => n.Myself.Slots).ToList());
                for (int i = 0; i < own.Count; i++)
                {
                    var mine = contested.Where(d => d.Claimants.Contains(i)).ToList();
                    if (mine.Count == 0) continue;
                    var slots = new SlotRangeList(SlotRange.FromSlots(mine.Select(d => d.Slot)));
                    var others = mine.SelectMany(d => d.Claimants).Where(j => j != i).Distinct().Select(j => own[j].EndPoint.ToString());
                    yield return About(own[i], $"{own[i].EndPoint} claims slots {slots} as its own, and so does {string.Join(", ", others)}.", slots);
                }
            }

            /// <summary>Slots more than one of the claims holds, with the indexes of the claims; one pass over the slot numbers.</summary>
            private static List<(int Slot, List<int> Claimants)> SlotsClaimedTwice(IReadOnlyList<SlotRangeList> claims)
            {
                var first = new int[HashSlot.SlotCount];
                var twice = new Dictionary<int, List<int>>();
                for (int claim = 0; claim < claims.Count; claim++)
                {
                    foreach (var range in claims[claim])
                    {
                        for (int slot = range.Start; slot <= range.End; slot++)
                        {
                            // Slots hold claim index + 1: 0 means unclaimed.
                            if (first[slot] == 0) first[slot] = claim + 1;
                            else if (twice.TryGetValue(slot, out var claimants)) claimants.Add(claim);
                            else twice[slot] = new List<int> { first[slot] - 1, claim };
                        }
                    }
                }
                return twice.OrderBy(t => t.Key).Select(t => (t.Key, t.Value)).ToList();
            }

            public IEnumerable<Finding> OpenSlots()
            {
                foreach (var node in Readable)
                {
                    var open = node.Myself.MigratingSlots.Concat(node.Myself.ImportingSlots).ToList();
                    if (open.Count == 0) continue;
                    var moves = open.OrderBy(m => m.Slot).Select(m => m.IsImporting ? $"{m.Slot} importing from {Name(m.Peer)}" : $"{m.Slot} migrating to {Name(m.Peer)}");
                    yield return About(node, $"{node.EndPoint} has open slots: {string.Join(", ", moves)}.", new SlotRangeList(SlotRange.FromSlots(open.Select(m => m.Slot))));
                }
            }

            public IEnumerable<Finding> StrandedKeys()
            {
                foreach (var count in _readings.KeyCounts.Values.OrderBy(k => k.EndPoint.ToString(), StringComparer.Ordinal))
                {
                    var node = _snapshot.Find(count.EndPoint);
                    if (count.Failure != null)
                    {
                        // No answer is a NodeReachable finding; a refusal (NOPERM) leaves the keys uncounted, which this check must say.
                        if (!IsUnreachable(count.Failure)) yield return About(node, $"Keys on {count.EndPoint} could not be counted: {count.Failure.Message}");
                        continue;
                    }
                    if (count.StrandedKeysBySlot.Count == 0) continue;
                    long keys = count.StrandedKeysBySlot.Values.Sum();
                    var slots = new SlotRangeList(SlotRange.FromSlots(count.StrandedKeysBySlot.Keys));
                    yield return About(node,
                        $"{count.EndPoint} holds {Count(keys, "key", "keys")} in {Count(count.StrandedKeysBySlot.Count, "slot", "slots")} it does not own ({slots}): no client reaches them there.", slots);
                }
            }

            public IEnumerable<Finding> ReplicaLinks()
            {
                foreach (var node in Readable.Where(n => n.Myself.Role == NodeRole.Replica))
                {
                    string master = Name(node.Myself.MasterNodeId);
                    if (node.Replication.IsSyncing) yield return About(node, $"Replica {node.EndPoint} is still in a full sync with {master}: it is no usable copy yet.");
                    else if (!node.Replication.IsLinkUp) yield return About(node, $"Replica {node.EndPoint} has its link to {master} down: it receives no writes.");
                }
            }

            public IEnumerable<Finding> ReplicaLags()
            {
                foreach (var node in Readable.Where(n => n.Myself.Role == NodeRole.Replica && n.Replication.IsInSync))
                {
                    var master = node.Myself.MasterNodeId is NodeId id ? _snapshot.Find(id) : null;
                    string masterName = Name(node.Myself.MasterNodeId);
                    if (master != null && master.IsReachable && master.Replication != null)
                    {
                        long behind = master.Replication.Offset - node.Replication.Offset;
                        if (behind > AllowedLagBytes)
                        {
                            yield return About(node, $"Replica {node.EndPoint} is {behind.ToString("N0", CultureInfo.InvariantCulture)} bytes behind {masterName} (more than {AllowedLagBytes / 1024 / 1024} MB): a failover now would lose those writes.");
                            continue;
                        }
                    }
                    // An idle master pings its replicas only every repl-ping-replica-period, so silence counts only beyond that.
                    var settings = Get(_readings.Configuration, node.EndPoint);
                    if (settings?.NodeTimeoutMilliseconds is long timeout && node.Replication.SecondsSinceMasterContact is long silent)
                    {
                        long allowed = timeout + (settings.ReplicaPingPeriodSeconds ?? 10) * 1000;
                        if (silent * 1000 > allowed)
                        {
                            yield return About(node, $"Replica {node.EndPoint} has not heard from {masterName} for {silent} s (more than {allowed / 1000.0:0.#} s: cluster-node-timeout plus repl-ping-replica-period).");
                        }
                    }
                }
            }

            public IEnumerable<Finding> MastersWithoutReplica()
            {
                foreach (var master in Reference.Masters.Where(m => m.SlotCount > 0 && (m.Flags & NodeFlags.Handshake) == 0))
                {
                    var replicas = Reference.ReplicasOf(master.Id).ToList();
                    if (replicas.Any(r => !r.IsFailing)) continue;
                    string why = replicas.Count == 0 ? "has no replica" : $"has only failing replicas ({string.Join(", ", replicas.Select(r => r.EndPoint))})";
                    yield return About(master, $"Master {master.EndPoint} {why}: losing it loses {Count(master.SlotCount, "slot", "slots")} with their data.");
                }
            }

            /// <summary>The shared placement rules over the majority view: masters are the nodes serving slots.</summary>
            public PlacementOutcome Placement()
            {
                var nodes = PlacedNodes.From(Reference, HostOf);
                var hosts = nodes.Select(n => n.Host).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                return new PlacementOutcome
                {
                    IsSingleHost = hosts.Count <= 1,
                    HostCount = hosts.Count,
                    MastersPerHost = string.Join(", ", hosts.OrderBy(h => h, StringComparer.OrdinalIgnoreCase)
                        .Select(h => $"{h}: {nodes.Count(n => n.IsMaster && string.Equals(n.Host, h, StringComparison.OrdinalIgnoreCase))}")),
                    Findings = PlacementRules.Evaluate(nodes),
                };
            }

            private string HostOf(NodeEndPoint endPoint) => _readings.Hosts != null && _readings.Hosts.TryGetValue(endPoint, out var host) ? host : endPoint.Host;

            public long? CommonNodeTimeout => MostCommon(_readings.Configuration.Values.Where(c => c.Failure == null).Select(c => c.NodeTimeoutMilliseconds));

            public IEnumerable<Finding> NodeTimeoutDifferences()
            {
                var read = _readings.Configuration.Values.OrderBy(c => c.EndPoint.ToString(), StringComparer.Ordinal).ToList();
                foreach (var refused in read.Where(c => c.Failure != null && !IsUnreachable(c.Failure)))
                {
                    yield return About(_snapshot.Find(refused.EndPoint), $"The settings of {refused.EndPoint} could not be read: {refused.Failure.Message}");
                }
                var common = CommonNodeTimeout;
                var answered = read.Where(c => c.Failure == null).ToList();
                foreach (var odd in answered.Where(c => c.NodeTimeoutMilliseconds.HasValue && c.NodeTimeoutMilliseconds != common))
                {
                    int alike = answered.Count(c => c.NodeTimeoutMilliseconds == common);
                    yield return About(_snapshot.Find(odd.EndPoint),
                        $"{odd.EndPoint} has cluster-node-timeout {odd.NodeTimeoutMilliseconds} ms, {Count(alike, "other node has", "other nodes have")} {common} ms: nodes would judge failures and fail over on different clocks.");
                }
            }

            public IEnumerable<Finding> AuthDifferences()
            {
                var answered = _readings.Configuration.Values.Where(c => c.Failure == null).OrderBy(c => c.EndPoint.ToString(), StringComparer.Ordinal).ToList();
                foreach (var (name, isSet, consequence) in new (string, Func<NodeConfiguration, bool?>, string)[]
                {
                    ("requirepass", c => c.HasRequirePass, "clients and replicas need a password on some nodes and not on others"),
                    ("masterauth", c => c.HasMasterAuth, "a node without it cannot sync from a master that needs a password, as a replica or after a failover"),
                })
                {
                    int with = answered.Count(c => isSet(c) == true), without = answered.Count(c => isSet(c) == false);
                    if (with == 0 || without == 0) continue;
                    // The odd ones out are the fewer; on a tie, the nodes without the setting, the weaker side.
                    bool oddHaveIt = with < without;
                    foreach (var odd in answered.Where(c => isSet(c) == oddHaveIt))
                    {
                        yield return About(_snapshot.Find(odd.EndPoint),
                            $"{odd.EndPoint} {(oddHaveIt ? "has" : "has no")} {name}, {Count(oddHaveIt ? without : with, "other node", "other nodes")} {(oddHaveIt ? "have none" : "have one")}: {consequence}.");
                    }
                }
            }

            private static long? MostCommon(IEnumerable<long?> values) =>
                values.Where(v => v.HasValue).GroupBy(v => v.Value).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => (long?)g.Key).FirstOrDefault();

            private static T Get<T>(IReadOnlyDictionary<NodeEndPoint, T> readings, NodeEndPoint endPoint) where T : class =>
                readings.TryGetValue(endPoint, out var value) ? value : null;
        }
    }
}
