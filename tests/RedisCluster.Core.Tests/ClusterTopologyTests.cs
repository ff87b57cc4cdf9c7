using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static RedisCluster.Tests.Ids;

namespace RedisCluster.Tests
{
    public class ClusterTopologyTests
    {
        private static SlotRange R(int start, int end) => new SlotRange(start, end);
        private static NodeId I(string id) => NodeId.Parse(id);
        private static IEnumerable<NodeId> IdsOf(IEnumerable<RedisClusterNode> nodes) => nodes.Select(n => n.Id).OrderBy(i => i.ToString());
        private static IEnumerable<NodeId> Sorted(params string[] ids) => ids.Select(NodeId.Parse).OrderBy(i => i.ToString());

        private const string SixNodeSignature =
            "4c75e9642687c801de6cba07abce0de0961198f9:10923-16383|" +
            "c2445dcaa549664c725246df3c816ac2c6169d16:5461-10922|" +
            "e23404f036480ae04fa18ad39d0e9a30c961de09:0-5460";

        private const string MovedSlotSignature =
            "4c75e9642687c801de6cba07abce0de0961198f9:10923-16383|" +
            "c2445dcaa549664c725246df3c816ac2c6169d16:100,5461-10922|" +
            "e23404f036480ae04fa18ad39d0e9a30c961de09:0-99,101-5460";

        private const string AfterFailoverSignature =
            "c2445dcaa549664c725246df3c816ac2c6169d16:100,5461-10922|" +
            "d02caf0e60edbfcd738be4afec1ff0c4b469171d:10923-16383|" +
            "e23404f036480ae04fa18ad39d0e9a30c961de09:0-99,101-5460";

        // ---- construction ----

        [Fact]
        public void Parse_KeepsSourceAndNodes()
        {
            var source = new NodeEndPoint("127.0.0.1", 21001);
            var topology = ClusterTopology.Parse(source, TestData.Read("six-node-21001.txt"));
            Assert.Same(source, topology.Source);
            Assert.Equal(6, topology.Nodes.Count);
        }

        [Fact]
        public void Constructor_RejectsNullNodes()
        {
            Assert.Throws<ArgumentNullException>(() => new ClusterTopology(new NodeEndPoint("h", 1), null));
        }

        [Fact]
        public void Parse_PropagatesFormatErrors()
        {
            var ex = Assert.Throws<ClusterNodesFormatException>(() =>
                ClusterTopology.Parse(new NodeEndPoint("h", 1), TestData.Read("six-node-21001.txt") + "garbage line\n"));
            Assert.Equal(7, ex.LineNumber);
        }

        [Fact]
        public void EmptyTopology_HasNothing()
        {
            var topology = new ClusterTopology(null, Array.Empty<RedisClusterNode>());
            Assert.Null(topology.Myself);
            Assert.Empty(topology.Masters);
            Assert.Null(topology.OwnerOf(0));
            Assert.Equal(0, topology.CoveredSlotCount);
            Assert.Equal(string.Empty, topology.SlotSignature());
            Assert.Empty(topology.SlotOwners());
        }

        // ---- Myself / Find ----

        [Theory]
        [InlineData("six-node-21001.txt", N1)]
        [InlineData("six-node-21002.txt", N2)]
        [InlineData("six-node-21003.txt", N3)]
        [InlineData("six-node-21004.txt", N4)]
        [InlineData("six-node-21005.txt", N5)]
        [InlineData("six-node-21006.txt", N6)]
        [InlineData("open-slot-source-21001.txt", N1)]
        [InlineData("open-slot-target-21002.txt", N2)]
        [InlineData("handshake-21003.txt", N3)]
        [InlineData("fresh-single-node.txt", Fresh)]
        [InlineData("noaddr-21010.txt", NoAddrSelf)]
        public void Myself_IsTheNodeThatAnswered(string file, string id)
        {
            var topology = TestData.Topology(file);
            Assert.Equal(I(id), topology.Myself.Id);
            Assert.True(topology.Myself.IsMyself);
        }

        [Fact]
        public void Myself_IsNullWithoutMyselfFlag()
        {
            var text = TestData.Read("six-node-21001.txt").Replace("myself,", "");
            Assert.Null(ClusterTopology.Parse(null, text).Myself);
        }

        [Fact]
        public void Find_LooksUpByIdCaseInsensitively()
        {
            var topology = TestData.Topology("six-node-21003.txt");
            Assert.Equal(21005, topology.Find(NodeId.Parse(N5.ToUpperInvariant())).Port);
            Assert.Null(topology.Find(I(Fresh)));
            Assert.Null(topology.Find(default(NodeId)));
        }

        // ---- Masters / ReplicasOf ----

        [Theory]
        [InlineData("six-node-21001.txt")]
        [InlineData("six-node-21004.txt")]
        [InlineData("moved-slot-21006.txt")]
        [InlineData("open-slot-source-21001.txt")]
        [InlineData("hostname-peer-21001.txt")]
        public void Masters_AreTheThreeMasters(string file)
        {
            var topology = TestData.Topology(file);
            Assert.Equal(Sorted(N1, N2, N3), IdsOf(topology.Masters));
            Assert.All(topology.Masters, m => Assert.Equal(NodeRole.Master, m.Role));
        }

        [Fact]
        public void Masters_AfterFailover_IncludePromotedReplicaAndTheFailedMaster()
        {
            var topology = TestData.Topology("after-failover-21001.txt");
            Assert.Equal(Sorted(N1, N2, N3, N6), IdsOf(topology.Masters));
            Assert.Equal(Sorted(N1, N2, N6), IdsOf(topology.Masters.Where(m => m.SlotCount > 0)));
        }

        [Fact]
        public void Masters_SingleFreshNode_IsItself()
        {
            var topology = TestData.Topology("fresh-single-node.txt");
            Assert.Equal(Sorted(Fresh), IdsOf(topology.Masters));
        }

        [Fact]
        public void Parse_FreshNodeWithoutItsOwnIp_GetsTheHostItWasReachedOn()
        {
            var topology = ClusterTopology.Parse(new NodeEndPoint("127.0.0.7", 21000), TestData.Read("fresh-single-node.txt"));
            Assert.Equal("127.0.0.7:21000", topology.Myself.EndPoint);
            Assert.Empty(ClusterNodesParser.Parse(TestData.Read("fresh-single-node.txt"))[0].Host);
            // Dialable, but the node itself does not know the address yet: waits must not take it as settled.
            Assert.False(topology.Myself.KnowsOwnAddress);
            Assert.True(TestData.Topology("six-node-21001.txt").Myself.KnowsOwnAddress);
        }

        [Fact]
        public void Masters_IncludeNoAddrMaster()
        {
            // ":0@0 master,noaddr" still carries the master flag.
            var topology = TestData.Topology("noaddr-21010.txt");
            Assert.Equal(Sorted(NoAddrSelf, NoAddrOld), IdsOf(topology.Masters));
        }

        /// <summary>
        /// A node whose flags are only "handshake" (a temporary entry with a random id created by CLUSTER MEET, that Redis
        /// itself gives no role) has the Unknown role, so it is no master: in the real capture handshake-21003.txt,
        /// f50e6d77 (127.0.0.1:21099, nothing listens there) must not be among the masters.
        /// </summary>
        [Fact]
        public void Masters_ExcludeNodeStillInHandshake()
        {
            var topology = TestData.Topology("handshake-21003.txt");
            Assert.Equal(Sorted(N1, N2, N3), IdsOf(topology.Masters));
        }

        [Theory]
        [InlineData("six-node-21001.txt")]
        [InlineData("six-node-21002.txt")]
        [InlineData("six-node-21003.txt")]
        [InlineData("six-node-21004.txt")]
        [InlineData("six-node-21005.txt")]
        [InlineData("six-node-21006.txt")]
        public void ReplicasOf_EachMasterHasItsReplica(string file)
        {
            var topology = TestData.Topology(file);
            Assert.Equal(Sorted(N4), IdsOf(topology.ReplicasOf(I(N1))));
            Assert.Equal(Sorted(N5), IdsOf(topology.ReplicasOf(I(N2))));
            Assert.Equal(Sorted(N6), IdsOf(topology.ReplicasOf(I(N3))));
            Assert.Empty(topology.ReplicasOf(I(N4)));
            Assert.Empty(topology.ReplicasOf(I(Fresh)));
            Assert.Empty(topology.ReplicasOf(default));
        }

        [Fact]
        public void ReplicasOf_AfterFailover_FailedMasterHasNone()
        {
            var topology = TestData.Topology("after-failover-21001.txt");
            Assert.Empty(topology.ReplicasOf(I(N3)));
            Assert.Empty(topology.ReplicasOf(I(N6)));
            Assert.Equal(Sorted(N4), IdsOf(topology.ReplicasOf(I(N1))));
        }

        [Fact]
        public void ReplicasOf_AcceptsUpperCaseId()
        {
            var topology = TestData.Topology("six-node-21001.txt");
            Assert.Equal(Sorted(N5), IdsOf(topology.ReplicasOf(NodeId.Parse(N2.ToUpperInvariant()))));
        }

        // ---- OwnerOf ----

        [Theory]
        [InlineData(0, N1)]
        [InlineData(5460, N1)]
        [InlineData(5461, N2)]
        [InlineData(10922, N2)]
        [InlineData(10923, N3)]
        [InlineData(16383, N3)]
        public void OwnerOf_SixNodeCluster(int slot, string owner)
        {
            foreach (var file in new[] { "six-node-21001.txt", "six-node-21004.txt", "six-node-21006.txt" })
            {
                Assert.Equal(I(owner), TestData.Topology(file).OwnerOf(slot).Id);
            }
        }

        [Fact]
        public void OwnerOf_KeysFollowTheirSlot()
        {
            var topology = TestData.Topology("six-node-21002.txt");
            Assert.Equal(I(N3), topology.OwnerOf(HashSlot.Of("foo")).Id); // 12182
            Assert.Equal(I(N1), topology.OwnerOf(HashSlot.Of("{user1000}.following")).Id); // 3443
            Assert.Equal(I(N1), topology.OwnerOf(HashSlot.Of("bar")).Id); // 5061
            Assert.Equal(I(N1), topology.OwnerOf(HashSlot.Of("")).Id); // 0
        }

        [Theory]
        [InlineData(99, N1)]
        [InlineData(100, N2)]
        [InlineData(101, N1)]
        [InlineData(5461, N2)]
        public void OwnerOf_AfterSlotMoved(int slot, string owner)
        {
            Assert.Equal(I(owner), TestData.Topology("moved-slot-21005.txt").OwnerOf(slot).Id);
        }

        [Fact]
        public void OwnerOf_OpenSlot_IsStillTheSource()
        {
            Assert.Equal(I(N1), TestData.Topology("open-slot-source-21001.txt").OwnerOf(100).Id);
            Assert.Equal(I(N1), TestData.Topology("open-slot-target-21002.txt").OwnerOf(100).Id);
        }

        [Fact]
        public void OwnerOf_FailedMasterBeforeFailover_StillOwns()
        {
            var owner = TestData.Topology("fail-21001.txt").OwnerOf(12182);
            Assert.Equal(I(N3), owner.Id);
            Assert.True(owner.IsFailing);
        }

        [Fact]
        public void OwnerOf_AfterFailover_IsThePromotedReplica()
        {
            Assert.Equal(I(N6), TestData.Topology("after-failover-21002.txt").OwnerOf(12182).Id);
        }

        [Theory]
        [InlineData(0, true)]
        [InlineData(99, true)]
        [InlineData(100, false)]
        [InlineData(199, false)]
        [InlineData(200, true)]
        [InlineData(201, false)]
        [InlineData(16382, false)]
        [InlineData(16383, true)]
        public void OwnerOf_UncoveredSlotIsNull(int slot, bool covered)
        {
            var owner = TestData.Topology("single-node-partial-slots.txt").OwnerOf(slot);
            if (covered) Assert.Equal(I(Fresh), owner.Id);
            else Assert.Null(owner);
        }

        [Fact]
        public void OwnerOf_IgnoresReplicas()
        {
            // A hand-made view in which a replica line carries slots (Redis never does this) must not make it an owner.
            string text =
                "e23404f036480ae04fa18ad39d0e9a30c961de09 127.0.0.1:21001@31001 myself,master - 0 0 1 connected 0-99\n" +
                "1be83e51bdbca9a98f6de0dc4f4fc2ee8506733b 127.0.0.1:21004@31004 slave e23404f036480ae04fa18ad39d0e9a30c961de09 0 0 1 connected 100-199\n";
            var topology = ClusterTopology.Parse(null, text);
            Assert.Null(topology.OwnerOf(150));
            Assert.Equal(100, topology.CoveredSlotCount);
        }

        [Fact]
        public void OwnerOf_EveryCoveredSlotHasExactlyOneOwner()
        {
            var topology = TestData.Topology("moved-slot-21001.txt");
            for (int slot = 0; slot <= HashSlot.MaxSlot; slot++)
            {
                var owner = topology.OwnerOf(slot);
                Assert.NotNull(owner);
                Assert.Single(topology.Masters, m => m.OwnsSlot(slot));
            }
        }

        // ---- SlotOwners ----

        [Fact]
        public void SlotOwners_AreInSlotOrder()
        {
            var owners = TestData.Topology("moved-slot-21003.txt").SlotOwners().ToList();
            Assert.Equal(new[] { R(0, 99), R(100, 100), R(101, 5460), R(5461, 10922), R(10923, 16383) }, owners.Select(o => o.Range));
            Assert.Equal(new[] { N1, N2, N1, N2, N3 }.Select(NodeId.Parse), owners.Select(o => o.Owner.Id));
        }

        // ---- SlotSignature ----

        [Fact]
        public void SlotSignature_SixNodeCluster_IsExact()
        {
            Assert.Equal(SixNodeSignature, TestData.Topology("six-node-21001.txt").SlotSignature());
        }

        [Theory]
        [InlineData("six-node-21001.txt")]
        [InlineData("six-node-21002.txt")]
        [InlineData("six-node-21003.txt")]
        [InlineData("six-node-21004.txt")]
        [InlineData("six-node-21005.txt")]
        [InlineData("six-node-21006.txt")]
        [InlineData("open-slot-source-21001.txt")] // open slots do not change ownership
        [InlineData("open-slot-target-21002.txt")]
        [InlineData("open-slot-bystander-21003.txt")]
        public void SlotSignature_EveryViewOfTheFreshClusterAgrees(string file)
        {
            Assert.Equal(SixNodeSignature, TestData.Topology(file).SlotSignature());
        }

        [Theory]
        [InlineData("moved-slot-21001.txt")]
        [InlineData("moved-slot-21002.txt")]
        [InlineData("moved-slot-21003.txt")]
        [InlineData("moved-slot-21004.txt")]
        [InlineData("moved-slot-21005.txt")]
        [InlineData("moved-slot-21006.txt")]
        [InlineData("hostname-self-21002.txt")] // a hostname is not ownership
        [InlineData("hostname-peer-21001.txt")]
        [InlineData("handshake-21003.txt")] // a handshake node owns nothing
        public void SlotSignature_EveryViewAfterTheMoveAgrees(string file)
        {
            Assert.Equal(MovedSlotSignature, TestData.Topology(file).SlotSignature());
        }

        [Theory]
        [InlineData("after-failover-21001.txt")]
        [InlineData("after-failover-21002.txt")]
        [InlineData("after-failover-21004.txt")]
        [InlineData("after-failover-21005.txt")]
        [InlineData("after-failover-21006.txt")]
        [InlineData("pfail-21001.txt")] // fail? does not change ownership
        [InlineData("pfail-21004.txt")]
        [InlineData("nofailover-self-21004.txt")]
        [InlineData("nofailover-peer-21001.txt")]
        public void SlotSignature_EveryViewAfterFailoverAgrees(string file)
        {
            Assert.Equal(AfterFailoverSignature, TestData.Topology(file).SlotSignature());
        }

        [Fact]
        public void SlotSignature_DiffersWhenOwnershipDiffers()
        {
            string before = TestData.Topology("six-node-21001.txt").SlotSignature();
            string moved = TestData.Topology("moved-slot-21001.txt").SlotSignature();
            string failedOver = TestData.Topology("after-failover-21001.txt").SlotSignature();
            string failedNotYetOver = TestData.Topology("fail-21001.txt").SlotSignature();
            Assert.NotEqual(before, moved);
            Assert.NotEqual(moved, failedOver);
            Assert.NotEqual(failedNotYetOver, failedOver);
            Assert.Equal(moved, failedNotYetOver);
        }

        [Fact]
        public void SlotSignature_IgnoresLineOrderAndVolatileFields()
        {
            var lines = TestData.Read("six-node-21001.txt").Split('\n').Where(l => l.Length > 0).Reverse();
            string shuffled = string.Join("\n", lines.Select(l =>
            {
                var f = l.Split(' ');
                f[4] = "123"; // ping-sent
                f[5] = "456"; // pong-recv
                f[7] = "disconnected";
                return string.Join(" ", f);
            }));
            Assert.Equal(SixNodeSignature, ClusterTopology.Parse(null, shuffled).SlotSignature());
        }

        [Fact]
        public void SlotSignature_OfNodesWithoutSlots_IsEmpty()
        {
            Assert.Equal(string.Empty, TestData.Topology("fresh-single-node.txt").SlotSignature());
            Assert.Equal(string.Empty, TestData.Topology("noaddr-21010.txt").SlotSignature());
        }

        [Fact]
        public void SlotSignature_PartialSingleNode()
        {
            Assert.Equal(Fresh + ":0-99,200,16383", TestData.Topology("single-node-partial-slots.txt").SlotSignature());
        }

        // ---- CoveredSlotCount ----

        [Theory]
        [InlineData("six-node-21001.txt", 16384)]
        [InlineData("six-node-21005.txt", 16384)]
        [InlineData("open-slot-source-21001.txt", 16384)]
        [InlineData("moved-slot-21002.txt", 16384)]
        [InlineData("fail-21001.txt", 16384)]
        [InlineData("after-failover-21006.txt", 16384)]
        [InlineData("pfail-21001.txt", 16384)]
        [InlineData("handshake-21003.txt", 16384)]
        [InlineData("fresh-single-node.txt", 0)]
        [InlineData("noaddr-21010.txt", 0)]
        [InlineData("single-node-partial-slots.txt", 102)]
        public void CoveredSlotCount(string file, int expected)
        {
            Assert.Equal(expected, TestData.Topology(file).CoveredSlotCount);
        }

        [Fact]
        public void Resolve_TakesAWholeIdOrAUniquePrefix()
        {
            var topology = TestData.Topology("six-node-21001.txt");
            Assert.Equal(N1, topology.Resolve(N1).NodeId);
            Assert.Equal(N1, topology.Resolve(N1.ToUpperInvariant()).NodeId);
            Assert.Equal(N1, topology.Resolve(N1.Substring(0, 8)).NodeId);
        }

        [Theory]
        [InlineData("abc")]
        [InlineData("1234567")]
        [InlineData("zzzzzzzzzz")]
        [InlineData("")]
        public void Resolve_RefusesTextThatIsNoId(string text)
        {
            var e = Assert.Throws<RedisClusterException>(() => TestData.Topology("six-node-21001.txt").Resolve(text));
            Assert.Equal("InvalidNodeId", e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        }

        [Fact]
        public void Resolve_SaysWhichNodesAnAmbiguousPrefixMatches()
        {
            string a = "aaaaaaaa" + new string('1', 32), b = "aaaaaaaa" + new string('2', 32);
            var topology = ClusterTopology.Parse(null, $"{a} 10.0.0.1:6379@16379 myself,master - 0 0 1 connected\n{b} 10.0.0.2:6379@16379 master - 0 0 2 connected\n");
            var e = Assert.Throws<RedisClusterException>(() => topology.Resolve("aaaaaaaa"));
            Assert.Equal("AmbiguousNodeId", e.ErrorId);
            Assert.Contains($"{a} (10.0.0.1:6379)", e.Message);
            Assert.Contains($"{b} (10.0.0.2:6379)", e.Message);
            Assert.Equal(b, topology.Resolve("aaaaaaaa2").NodeId);
            var missing = Assert.Throws<RedisClusterException>(() => topology.Resolve("bbbbbbbb"));
            Assert.Equal("NodeNotFound", missing.ErrorId);
            Assert.Equal(FailureKind.NotFound, missing.Kind);
        }
    }
}
