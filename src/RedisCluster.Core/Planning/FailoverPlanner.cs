using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>How a replica takes over from its master (CLUSTER FAILOVER and its options).</summary>
    public enum FailoverMode
    {
        /// <summary>The master stops writes until the replica has caught up: no acknowledged write is lost. Needs the master up.</summary>
        Default,
        /// <summary>No handshake with the master (for a master that is down), still elected by a majority of masters. Can lose writes.</summary>
        Force,
        /// <summary>No handshake and no election (for a cluster without a majority of masters). Can lose writes.</summary>
        Takeover,
    }

    /// <summary>What Invoke-RedisFailover will do: which replica takes over from which master, and how.</summary>
    public sealed class FailoverPlan
    {
        internal FailoverPlan(ClusterSnapshot readFrom, RedisClusterNode replica, RedisClusterNode master, FailoverMode mode, IReadOnlyList<RedisClusterNode> otherReplicas, IReadOnlyList<string> warnings)
        {
            ReadFrom = readFrom;
            Replica = replica;
            Master = master;
            Mode = mode;
            OtherReplicas = otherReplicas;
            Warnings = warnings;
        }

        /// <summary>The read of every node the plan was made from: the wait for the new order reads the same nodes again.</summary>
        internal ClusterSnapshot ReadFrom { get; }

        /// <summary>The replica to promote.</summary>
        public RedisClusterNode Replica { get; }

        /// <summary>Its master now, which becomes its replica once back.</summary>
        public RedisClusterNode Master { get; }

        public FailoverMode Mode { get; }

        /// <summary>The shard's other replicas, which follow the new master.</summary>
        public IReadOnlyList<RedisClusterNode> OtherReplicas { get; }

        /// <summary>True for the modes that can lose acknowledged writes.</summary>
        public bool MayLoseWrites => Mode != FailoverMode.Default;

        public IReadOnlyList<string> Warnings { get; }

        /// <summary>Every node of the shard but the new master: each must end up replicating it.</summary>
        public IEnumerable<NodeId> FollowerIds => new[] { Master.Id }.Concat(OtherReplicas.Select(r => r.Id));

        public override string ToString()
        {
            string how = Mode == FailoverMode.Default ? "CLUSTER FAILOVER: the master pauses writes until the replica has caught up"
                : Mode == FailoverMode.Force ? "CLUSTER FAILOVER FORCE: no handshake with the master, elected by the masters; writes not yet replicated are lost"
                : "CLUSTER FAILOVER TAKEOVER: no handshake and no election; writes not yet replicated are lost";
            return $"Promote {NodeRefusals.Name(Replica)} to master in place of {NodeRefusals.Name(Master)} ({how}), and wait until every node agrees.";
        }
    }

    /// <summary>
    /// Pure checks and choices for a failover: which replica takes over (the one named, or a master's best replica)
    /// and what is refused before anything is sent, each with a message that says why.
    /// </summary>
    public static class FailoverPlanner
    {
        /// <summary>A master none of whose replicas can take over: New-RedisClusterNode -Restart then restarts it in place.</summary>
        public const string NoUsableReplicaErrorId = "NoUsableReplica";

        /// <summary>Fails over the replica given, judged on the cluster as the majority sees it and on each node's own INFO.</summary>
        public static FailoverPlan PlanForReplica(ClusterSnapshot snapshot, NodeId replicaId, FailoverMode mode)
        {
            var cluster = snapshot.Reference;
            var replication = ReplicationOf(snapshot);
            var replica = cluster.Find(replicaId) ?? throw NotListed(replicaId);
            if (replica.Role != NodeRole.Replica || !replica.MasterNodeId.HasValue)
            {
                string what = replica.Role == NodeRole.Master ? "a master already" : "not a replica (still in its handshake)";
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"{NodeRefusals.Name(replica)} is {what}: only a replica can be promoted. To fail over a master, give its id as -MasterId " +
                    "and its best replica is chosen; nothing was changed.", replica.ToEndPoint())
                { ErrorId = "NotAReplica" };
            }
            var master = MasterOf(cluster, replica);
            EnsureMasterAllows(master, replication, mode);
            var refusal = Refusal(replica, replication, mode);
            if (refusal != null) throw refusal;
            return Build(snapshot, replica, master, replication, mode);
        }

        /// <summary>Fails over a master to its best replica: reachable, not failing, link up and in sync, highest replication offset.</summary>
        public static FailoverPlan PlanForMaster(ClusterSnapshot snapshot, NodeId masterId, FailoverMode mode)
        {
            var cluster = snapshot.Reference;
            var replication = ReplicationOf(snapshot);
            var master = cluster.Find(masterId) ?? throw NotListed(masterId);
            if (master.Role != NodeRole.Master)
            {
                string what = master.Role == NodeRole.Replica ? $"a replica of {master.MasterNodeId?.Short}" : "not a master yet (still in its handshake)";
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-MasterId names {NodeRefusals.Name(master)}, which is {what}. Give that node as -NodeId to promote it, or the id of a master; nothing was changed.",
                    master.ToEndPoint())
                { ErrorId = "NotAMaster" };
            }
            EnsureMasterAllows(master, replication, mode);
            var replicas = cluster.ReplicasOf(master.Id).ToList();
            var refusals = replicas.Select(r => (Replica: r, Refusal: Refusal(r, replication, mode))).ToList();
            var best = Best(refusals.Where(r => r.Refusal == null).Select(r => r.Replica), replication);
            if (best == null)
            {
                string why = replicas.Count == 0 ? "it has no replica"
                    : "none of its replicas can take over: " + string.Join("; ", refusals.Select(r => r.Refusal.Message));
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{NodeRefusals.Name(master)} cannot be failed over: {why}. Add a replica (Add-RedisClusterNode -MasterId, Set-RedisClusterReplica) and let it sync; nothing was changed.",
                    master.ToEndPoint())
                { ErrorId = NoUsableReplicaErrorId };
            }
            return Build(snapshot, best, master, replication, mode);
        }

        /// <summary>The replica with its link up, in sync and with the highest offset; ties go to the lowest endpoint so the choice repeats.</summary>
        internal static RedisClusterNode Best(IEnumerable<RedisClusterNode> usable, IReadOnlyDictionary<NodeId, ReplicationState> replication) =>
            usable.OrderByDescending(r => replication[r.Id].IsInSync)
                .ThenByDescending(r => replication[r.Id].Offset)
                .ThenBy(r => r.EndPoint, StringComparer.Ordinal)
                .FirstOrDefault();

        /// <summary>Each reachable node's INFO replication by id; a node missing here could not be read.</summary>
        private static IReadOnlyDictionary<NodeId, ReplicationState> ReplicationOf(ClusterSnapshot snapshot) =>
            snapshot.Reachable.Where(n => n.Id.HasValue).GroupBy(n => n.Id.Value).ToDictionary(g => g.Key, g => g.First().Replication);

        private static RedisClusterException NotListed(NodeId id) =>
            new RedisClusterException(FailureKind.NotFound, $"No node of the cluster has the id {id}.") { ErrorId = "NodeNotFound" };

        private static RedisClusterNode MasterOf(ClusterTopology cluster, RedisClusterNode replica) =>
            cluster.Find(replica.MasterNodeId.Value) ?? throw new RedisClusterException(FailureKind.InvalidState,
                $"{NodeRefusals.Name(replica)} replicates {replica.MasterNodeId.Value.Short}, which the cluster does not list: wait until every node agrees " +
                "(Wait-RedisCluster) and try again; nothing was changed.", replica.ToEndPoint())
            { ErrorId = "MasterUnknown" };

        /// <summary>A Default failover needs its master to answer: Redis would refuse it ("Master is down or failed") anyway.</summary>
        private static void EnsureMasterAllows(RedisClusterNode master, IReadOnlyDictionary<NodeId, ReplicationState> replication, FailoverMode mode)
        {
            if (mode != FailoverMode.Default) return;
            bool unreachable = !replication.ContainsKey(master.Id);
            if (!master.IsFailing && !unreachable) return;
            throw new RedisClusterException(FailureKind.InvalidState,
                $"The master {NodeRefusals.Name(master)} is {(master.IsFailing ? "flagged as failing" : "unreachable")}: a Default failover needs it to hand over. " +
                "If it is down, use -Mode Force (a majority of masters still elects the replica; writes it had not passed on are lost); nothing was changed.",
                master.ToEndPoint())
            { ErrorId = "MasterDown" };
        }

        /// <summary>Why this replica cannot take over in this mode, or null when it can.</summary>
        private static RedisClusterException Refusal(RedisClusterNode replica, IReadOnlyDictionary<NodeId, ReplicationState> replication, FailoverMode mode)
        {
            RedisClusterException Refuse(FailureKind kind, string errorId, string why) =>
                new RedisClusterException(kind, $"{NodeRefusals.Name(replica)} {why}; nothing was changed.", replica.ToEndPoint()) { ErrorId = errorId };

            if (replica.IsFailing) return Refuse(FailureKind.InvalidState, "ReplicaFailing", "is flagged as failing: a node the cluster thinks is down cannot take over");
            if (!replication.TryGetValue(replica.Id, out var state)) return Refuse(FailureKind.Unreachable, "ReplicaUnreachable", "cannot be reached: it cannot be asked to take over");
            if (mode != FailoverMode.Default) return null;
            if (state.IsSyncing) return Refuse(FailureKind.InvalidState, "ReplicaSyncing", "is still in its first sync with its master: it does not hold the data yet");
            if (!state.IsLinkUp) return Refuse(FailureKind.InvalidState, "ReplicaLinkDown", "has its link to its master down: it cannot catch up before taking over");
            return null;
        }

        private static FailoverPlan Build(ClusterSnapshot snapshot, RedisClusterNode replica, RedisClusterNode master, IReadOnlyDictionary<NodeId, ReplicationState> replication, FailoverMode mode)
        {
            var others = snapshot.Reference.ReplicasOf(master.Id).Where(r => r.Id != replica.Id).ToList();
            var warnings = new List<string>();
            var state = replication[replica.Id];
            if (mode != FailoverMode.Default)
            {
                if (state.IsSyncing) warnings.Add($"{NodeRefusals.Name(replica)} is still in its first sync: it holds little or none of the shard's data, and all of that is lost once it takes over.");
                bool masterAnswers = replication.ContainsKey(master.Id) && !master.IsFailing;
                if (masterAnswers) warnings.Add($"The master {NodeRefusals.Name(master)} is up: a {mode} failover skips its handshake and can lose writes it acknowledged; the Default mode loses none.");
            }
            return new FailoverPlan(snapshot, replica, master, mode, others, warnings);
        }
    }
}
