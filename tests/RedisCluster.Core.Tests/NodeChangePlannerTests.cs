using System;
using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>The pure planners of Add-RedisClusterNode, Set-RedisClusterReplica and Reset-RedisClusterNode, on captured views.</summary>
    public class NodeChangePlannerTests
    {
        private static readonly Version Redis7 = new Version(7, 0, 15);

        private static ClusterTopology Cluster => TestData.Topology("six-node-21001.txt");

        /// <summary>A node offered to the join, answering with the given captured view.</summary>
        private static JoinCandidate Candidate(string viewFile, int port, string address = "127.0.0.1", long keys = 0, Version version = null) =>
            new JoinCandidate(new NodeEndPoint(address, port), address, ClusterTopology.Parse(new NodeEndPoint(address, port), TestData.Read(viewFile)), keys, version ?? Redis7);

        private static JoinCandidate Fresh(int port = 21000, string address = "127.0.0.1", long keys = 0) =>
            new JoinCandidate(new NodeEndPoint(address, port), address,
                ClusterTopology.Parse(new NodeEndPoint(address, port), TestData.Read("fresh-single-node.txt").Replace("21000", port.ToString()).Replace(Ids.Fresh, port.ToString("x").PadLeft(40, 'f'))), keys, Redis7);

        private static JoinInspection Inspection(params JoinCandidate[] candidates) => new JoinInspection(Cluster, candidates);

        private static RedisClusterException Refusal(Action plan) => Assert.Throws<RedisClusterException>(plan);

        // Add-RedisClusterNode

        [Fact]
        public void Add_EmptyNode_JoinsAsMasterIntroducedToEveryMember()
        {
            var plan = AddNodePlanner.Plan(Inspection(Fresh()), null);
            var joining = Assert.Single(plan.Nodes);
            Assert.False(joining.IsReplica);
            Assert.Equal(6, plan.Members.Count);
            Assert.Empty(plan.Warnings);
            Assert.Contains("master  127.0.0.1:21000", plan.ToString());
        }

        [Fact]
        public void Add_WithMasterPrefix_JoinsAsReplicaOfThatMaster()
        {
            var plan = AddNodePlanner.Plan(Inspection(Fresh(21000, "127.0.0.2")), Ids.N2.Substring(0, 8));
            var joining = Assert.Single(plan.Nodes);
            Assert.True(joining.IsReplica);
            Assert.Equal(Ids.Id(Ids.N2), joining.Master.Id);
            Assert.Contains($"replica 127.0.0.2:21000", plan.ToString());
            Assert.Contains($"of 127.0.0.1:21002 (c2445dca)", plan.ToString());
        }

        [Fact]
        public void Add_ReplicaOnItsMastersHost_IsWarnedAbout()
        {
            // The members on 127.0.0.1 and 127.0.0.2 make two hosts; the new replica shares its master's.
            var inspection = new JoinInspection(Cluster, new[] { Fresh(21000, "127.0.0.1") });
            var plan = AddNodePlanner.Plan(inspection, Ids.N1);
            // All members and the new node are on one host: one host is no placement finding about this replica.
            Assert.Empty(plan.Warnings);
            var spread = AddNodePlanner.Plan(new JoinInspection(Cluster, new[] { Fresh(21000, "127.0.0.1"), Fresh(21007, "127.0.0.2") }), Ids.N1);
            Assert.Contains(spread.Warnings, w => w == "127.0.0.1:21000 replicates 127.0.0.1:21001 on the same host (127.0.0.1): losing that host loses both.");
            Assert.DoesNotContain(spread.Warnings, w => w.StartsWith("127.0.0.2:21007"));
        }

        [Fact]
        public void Add_NodeHoldingKeys_IsRefusedByName()
        {
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(Fresh(keys: 3)), null));
            Assert.Equal("NodeNotEmpty", e.ErrorId);
            Assert.Equal(FailureKind.InvalidState, e.Kind);
            Assert.Equal("Nodes that cannot join the cluster (nothing was changed): 127.0.0.1:21000: it holds 3 key(s); a node joins empty. " +
                "A node from an earlier cluster can be reused after Reset-RedisClusterNode -Hard (with -DeleteData for its keys; a master that still owns slots must first move them to other masters of its cluster).", e.Message);
        }

        [Fact]
        public void Add_NodeOwningSlots_IsRefused()
        {
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(Candidate("single-node-partial-slots.txt", 21000)), null));
            Assert.Equal("NodeNotEmpty", e.ErrorId);
            Assert.Contains("127.0.0.1:21000: it owns slots 0-99 200 16383: it belongs to another cluster.", e.Message.Replace(",", " "));
        }

        [Fact]
        public void Add_NodeKnowingOthers_IsRefused()
        {
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(Candidate("noaddr-21010.txt", 21010)), null));
            Assert.Equal("NodeNotEmpty", e.ErrorId);
            Assert.Contains("127.0.0.1:21010: it already knows 1 other node(s) (6bf838c9", e.Message);
        }

        [Fact]
        public void Add_NodeWithoutClusterSupport_IsRefused()
        {
            var plain = new JoinCandidate(new NodeEndPoint("127.0.0.1", 6379), "127.0.0.1", null, 0, Redis7, clusterEnabled: false);
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(plain), null));
            Assert.Equal("ClusterSupportDisabled", e.ErrorId);
            Assert.Contains("127.0.0.1:6379: cluster support is disabled", e.Message);
        }

        [Fact]
        public void Add_UnreachableNode_IsRefusedWithItsFailure()
        {
            var failure = new RedisClusterException(FailureKind.Unreachable, "127.0.0.1:21099 refused the connection.") { ErrorId = "ConnectionRefused" };
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(new JoinCandidate(new NodeEndPoint("127.0.0.1", 21099), null, failure: failure)), null));
            Assert.Equal("ConnectionRefused", e.ErrorId);
            Assert.Equal(FailureKind.Unreachable, e.Kind);
            Assert.Contains("127.0.0.1:21099 refused the connection.", e.Message);
        }

        [Fact]
        public void Add_OldServer_IsRefused()
        {
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(new JoinCandidate(new NodeEndPoint("127.0.0.1", 21000), "127.0.0.1",
                ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 21000), TestData.Read("fresh-single-node.txt")), 0, new Version(6, 2, 14))), null));
            Assert.Equal("ServerTooOld", e.ErrorId);
            Assert.Contains("127.0.0.1:21000: it runs Redis 6.2.14; nodes need 7.0 or newer.", e.Message);
        }

        [Fact]
        public void Add_MemberOfThisCluster_IsRefused()
        {
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(Candidate("six-node-21004.txt", 21004)), null));
            Assert.Equal("NodeAlreadyInCluster", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
            Assert.Contains("127.0.0.1:21004: it is already a node of this cluster (1be83e51, replica).", e.Message);
        }

        [Fact]
        public void Add_EveryUnfitNodeIsNamed_TheFirstGivesTheId()
        {
            var plain = new JoinCandidate(new NodeEndPoint("127.0.0.1", 6379), "127.0.0.1", null, 0, Redis7, clusterEnabled: false);
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(Fresh(21007), plain, Fresh(21008, keys: 2)), null));
            Assert.Equal("ClusterSupportDisabled", e.ErrorId);
            Assert.Contains("127.0.0.1:6379: cluster support is disabled", e.Message);
            Assert.Contains("127.0.0.1:21008: it holds 2 key(s)", e.Message);
            Assert.DoesNotContain("21007", e.Message);
        }

        [Fact]
        public void Add_TwoEndPointsOfOneNode_AreRefused()
        {
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(Fresh(21000), new JoinCandidate(new NodeEndPoint("localhost", 21000), "127.0.0.1", Fresh(21000).View, 0, Redis7)), null));
            Assert.Equal("DuplicateEndPoint", e.ErrorId);
            Assert.Equal("These endpoints reach the same node: 127.0.0.1:21000 = localhost:21000.", e.Message);
        }

        [Fact]
        public void Add_MasterIdOfAReplica_IsRefused()
        {
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(Fresh()), Ids.N4));
            Assert.Equal("NotAMaster", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
            Assert.Equal("-MasterId names 127.0.0.1:21004 (1be83e51), which is a replica of e23404f0: only a master can take replicas. Get-RedisClusterNode -Role Master lists them.", e.Message);
        }

        [Fact]
        public void Add_MasterIdOfNoNode_IsNotFound()
        {
            var e = Refusal(() => AddNodePlanner.Plan(Inspection(Fresh()), "0123456789abcdef"));
            Assert.Equal("NodeNotFound", e.ErrorId);
            Assert.Equal(FailureKind.NotFound, e.Kind);
        }

        [Fact]
        public void Add_MasterFlaggedFailing_IsRefused()
        {
            var cluster = TestData.Topology("pfail-21001.txt");
            var e = Refusal(() => AddNodePlanner.Plan(new JoinInspection(cluster, new[] { Fresh() }), Ids.N2));
            Assert.Equal("MasterUnavailable", e.ErrorId);
            Assert.Equal(FailureKind.InvalidState, e.Kind);
            Assert.Equal("The master 127.0.0.1:21002 (c2445dca) is flagged as failing: a replica could not sync from it; nothing was changed.", e.Message);
            var unreachable = Refusal(() => AddNodePlanner.Plan(new JoinInspection(Cluster, new[] { Fresh() }, new[] { Ids.Id(Ids.N2) }), Ids.N2));
            Assert.Equal("MasterUnavailable", unreachable.ErrorId);
            Assert.Contains("is unreachable", unreachable.Message);
        }

        [Fact]
        public void Add_ToAClusterNotOk_IsRefused()
        {
            var e = Refusal(() => AddNodePlanner.Plan(new JoinInspection(Cluster, new[] { Fresh() }, null, new[] { "127.0.0.1:21003 reports cluster_state:fail" }), null));
            Assert.Equal("ClusterNotOk", e.ErrorId);
            Assert.StartsWith("The cluster is not ok, so a new node could never report ok in it (nothing was changed): 127.0.0.1:21003 reports cluster_state:fail.", e.Message);
        }

        [Fact]
        public void Add_UnreachableMember_IsWarnedAboutAndNotWaitedFor()
        {
            var plan = AddNodePlanner.Plan(new JoinInspection(Cluster, new[] { Fresh() }, new[] { Ids.Id(Ids.N6) }), null);
            Assert.Equal(5, plan.Members.Count);
            Assert.DoesNotContain(plan.Members, m => m.Id == Ids.Id(Ids.N6));
            Assert.Contains(plan.Warnings, w => w.StartsWith("127.0.0.1:21006 could not be reached"));
        }

        // NodeSetRules

        [Fact]
        public void NodeSet_RepeatedEndPoint_IsRefusedBeforeAnyNodeIsAsked()
        {
            var e = Refusal(() => NodeSetRules.EnsureGivenOnce(new[] { new NodeEndPoint("h", 1), new NodeEndPoint("h", 2), new NodeEndPoint("h", 1) }));
            Assert.Equal("DuplicateEndPoint", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
            Assert.Equal("Each node may be given once; repeated: h:1.", e.Message);
            NodeSetRules.EnsureGivenOnce(new[] { new NodeEndPoint("h", 1), new NodeEndPoint("h", 2) });
        }

        [Fact]
        public void NodeSet_NodesWithoutIdAreNotTakenForOneNode()
        {
            NodeSetRules.EnsureDistinctNodes(new[] { (new NodeEndPoint("h", 1), default(NodeId)), (new NodeEndPoint("h", 2), default(NodeId)) });
            var e = Refusal(() => NodeSetRules.EnsureDistinctNodes(new[] { (new NodeEndPoint("a", 1), Ids.Id(Ids.N1)), (new NodeEndPoint("b", 1), Ids.Id(Ids.N1)) }));
            Assert.Equal("These endpoints reach the same node: a:1 = b:1.", e.Message);
        }

        // Set-RedisClusterReplica

        private static ReplicaPlan PlanReplica(string viewFile, int port, string masterId, long keys = 0, ClusterTopology cluster = null)
        {
            cluster = cluster ?? Cluster;
            var view = TestData.Topology(viewFile);
            return ReplicaPlanner.Plan(cluster, view, keys, new NodeEndPoint("127.0.0.1", port), cluster.Find(Ids.Id(masterId)));
        }

        [Fact]
        public void Replica_MovesToAnotherMaster_WarnsOfTheMasterLeftWithoutReplica()
        {
            var plan = PlanReplica("six-node-21004.txt", 21004, Ids.N2);
            Assert.False(plan.IsAlreadyDone);
            Assert.Equal("Make 127.0.0.1:21004 (1be83e51) (now a replica of 127.0.0.1:21001 (e23404f0)) a replica of 127.0.0.1:21002 (c2445dca) (CLUSTER REPLICATE), and wait until it has synced.", plan.ToString());
            Assert.Contains(plan.Warnings, w => w.StartsWith("127.0.0.1:21001 (e23404f0) keeps no replica once 127.0.0.1:21004 (1be83e51) moves"));
        }

        [Fact]
        public void Replica_AlreadyUnderThatMaster_ChangesNothing()
        {
            var plan = PlanReplica("six-node-21004.txt", 21004, Ids.N1);
            Assert.True(plan.IsAlreadyDone);
            Assert.Empty(plan.Warnings);
        }

        [Fact]
        public void Replica_OfAReplica_IsRefused()
        {
            var e = Refusal(() => PlanReplica("six-node-21004.txt", 21004, Ids.N5));
            Assert.Equal("NotAMaster", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
            Assert.Equal("-MasterId names 127.0.0.1:21005 (ccd8b805), which is a replica of c2445dca: only a master can take replicas. Get-RedisClusterNode -Role Master lists them.", e.Message);
        }

        [Fact]
        public void Replica_OfItself_IsRefused()
        {
            var e = Refusal(() => PlanReplica("six-node-21001.txt", 21001, Ids.N1));
            Assert.Equal("ReplicaOfItself", e.ErrorId);
            Assert.Equal("127.0.0.1:21001 (e23404f0) cannot replicate itself: give the id of another master.", e.Message);
        }

        [Fact]
        public void Replica_MasterOwningSlots_IsRefused()
        {
            var e = Refusal(() => PlanReplica("six-node-21001.txt", 21001, Ids.N2));
            Assert.Equal("MasterOwnsSlots", e.ErrorId);
            Assert.Equal(FailureKind.InvalidState, e.Kind);
            Assert.StartsWith("127.0.0.1:21001 (e23404f0) is a master that owns 5461 slot(s) (0-5460): a replica owns no slots", e.Message);
        }

        [Fact]
        public void Replica_EmptyMasterHoldingKeys_IsRefused()
        {
            var view = ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 21000), TestData.Read("fresh-single-node.txt") +
                string.Join("\n", TestData.Read("six-node-21001.txt").Split('\n').Select(l => l.Replace("myself,", string.Empty))));
            var e = Refusal(() => ReplicaPlanner.Plan(Cluster, view, 2, new NodeEndPoint("127.0.0.1", 21000), Cluster.Find(Ids.Id(Ids.N1))));
            Assert.Equal("NodeHoldsKeys", e.ErrorId);
            Assert.Contains("is a master without slots that still holds 2 key(s)", e.Message);
            // Empty, it is planned.
            Assert.False(ReplicaPlanner.Plan(Cluster, view, 0, new NodeEndPoint("127.0.0.1", 21000), Cluster.Find(Ids.Id(Ids.N1))).IsAlreadyDone);
        }

        [Fact]
        public void Replica_MasterTheNodeDoesNotKnow_IsRefused()
        {
            var view = TestData.Topology("noaddr-21010.txt");
            var e = Refusal(() => ReplicaPlanner.Plan(Cluster, view, 0, new NodeEndPoint("127.0.0.1", 21010), Cluster.Find(Ids.Id(Ids.N1))));
            Assert.Equal("MasterUnknownToNode", e.ErrorId);
        }

        [Fact]
        public void Replica_MasterWithOpenSlots_SourceIsRefusedAsOwner()
        {
            var e = Refusal(() => PlanReplica("open-slot-source-21001.txt", 21001, Ids.N2, cluster: TestData.Topology("open-slot-source-21001.txt")));
            Assert.Equal("MasterOwnsSlots", e.ErrorId);
        }

        [Fact]
        public void Replica_FailingMaster_IsRefused()
        {
            var cluster = TestData.Topology("pfail-21001.txt");
            var e = Refusal(() => ReplicaPlanner.Plan(cluster, TestData.Topology("pfail-21001.txt"), 0, new NodeEndPoint("127.0.0.1", 21005), cluster.Find(Ids.Id(Ids.N2))));
            Assert.Equal("MasterUnavailable", e.ErrorId);
        }

        // Reset-RedisClusterNode

        [Fact]
        public void Reset_MasterOwningSlots_IsRefusedEvenWithDeleteData()
        {
            var e = Refusal(() => ResetNodePlanner.Plan(new NodeEndPoint("127.0.0.1", 21001), TestData.Topology("six-node-21001.txt"), 0, true, true));
            Assert.Equal("MasterOwnsSlots", e.ErrorId);
            Assert.Equal(FailureKind.InvalidState, e.Kind);
            Assert.Contains("resetting it would take them out of the cluster.", e.Message);
        }

        [Fact]
        public void Reset_Replica_CountsAsHoldingData()
        {
            var e = Refusal(() => ResetNodePlanner.Plan(new NodeEndPoint("127.0.0.1", 21004), TestData.Topology("six-node-21004.txt"), 0, false, false));
            Assert.Equal("NodeHoldsData", e.ErrorId);
            Assert.StartsWith("127.0.0.1:21004 (1be83e51) is a replica of e23404f0: a reset turns it into an empty master, deleting its copy of the data (0 key(s)). Add -DeleteData", e.Message);

            var plan = ResetNodePlanner.Plan(new NodeEndPoint("127.0.0.1", 21004), TestData.Topology("six-node-21004.txt"), 5, false, true);
            Assert.True(plan.DeletesData);
            Assert.False(plan.FlushesFirst);
            Assert.Equal(5, plan.KnownNodes.Count);
            Assert.Equal("CLUSTER RESET SOFT", plan.Command);
        }

        [Fact]
        public void Reset_MasterWithoutSlotsHoldingKeys_FlushesOnlyWithDeleteData()
        {
            var view = TestData.Topology("noaddr-21010.txt");
            var e = Refusal(() => ResetNodePlanner.Plan(new NodeEndPoint("127.0.0.1", 21010), view, 3, true, false));
            Assert.Equal("NodeHoldsData", e.ErrorId);
            Assert.Contains("holds 3 key(s)", e.Message);
            var plan = ResetNodePlanner.Plan(new NodeEndPoint("127.0.0.1", 21010), view, 3, true, true);
            Assert.True(plan.FlushesFirst);
            Assert.Equal("CLUSTER RESET HARD", plan.Command);
            Assert.Contains("FLUSHALL", plan.ToString());
            Assert.Contains("it gets a new node id", plan.ToString());
        }

        [Fact]
        public void Reset_EmptyLoneMaster_NeedsNoConsent()
        {
            var plan = ResetNodePlanner.Plan(new NodeEndPoint("127.0.0.1", 21000), TestData.Topology("fresh-single-node.txt"), 0, false, false);
            Assert.False(plan.DeletesData);
            Assert.Empty(plan.KnownNodes);
        }

        [Fact]
        public void Reset_MasterWithOpenSlotButNoSlots_IsRefused()
        {
            var text = "ea0d75741749bfb035c1a2a5be6e71f1e3a2b98f 127.0.0.1:21000@31000 myself,master - 0 0 0 connected [100-<-e23404f036480ae04fa18ad39d0e9a30c961de09]\n";
            var e = Refusal(() => ResetNodePlanner.Plan(new NodeEndPoint("127.0.0.1", 21000), ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 21000), text), 0, false, true));
            Assert.Equal("SlotMoveInProgress", e.ErrorId);
        }
    }
}
