using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Xunit;
using static RedisCluster.Tests.Ids;

namespace RedisCluster.Tests
{
    public class ClusterNodesParserTests
    {
        private static SlotRange R(int start, int end) => new SlotRange(start, end);

        private static RedisClusterNode Node(IReadOnlyList<RedisClusterNode> nodes, string id) =>
            nodes.Single(n => n.Id == NodeId.Parse(id));

        private static void AssertNode(
            RedisClusterNode node, string id, string host, int port, int busPort, NodeFlags flags, string masterId,
            long configEpoch, NodeLinkState link, params SlotRange[] slots)
        {
            Assert.Equal(NodeId.Parse(id), node.Id);
            Assert.Equal(host, node.Host);
            Assert.Equal(port, node.Port);
            Assert.Equal(busPort, node.BusPort);
            Assert.Equal(flags, node.Flags);
            if (masterId == null) Assert.Null(node.MasterId);
            else Assert.Equal(NodeId.Parse(masterId), node.MasterNodeId);
            Assert.Equal(configEpoch, node.ConfigEpoch);
            Assert.Equal(link, node.LinkState);
            Assert.Equal(slots, node.Slots);
        }

        // =====================================================================================
        // Real captures from redis-server 7.0.15 (see Data/cluster-nodes/README.md)
        // =====================================================================================

        public static IEnumerable<object[]> Captures => TestData.AllCaptureData();

        [Theory]
        [MemberData(nameof(Captures))]
        public void EveryCapture_ParsesOneNodePerLine_WithExactlyOneMyself(string file)
        {
            string text = TestData.Read(file);
            var nodes = ClusterNodesParser.Parse(text);
            Assert.Equal(text.Split('\n').Count(l => l.Trim().Length > 0), nodes.Count);
            Assert.Single(nodes, n => n.IsMyself);
            Assert.Equal(nodes.Count, nodes.Select(n => n.Id).Distinct().Count());
            foreach (var node in nodes)
            {
                // Every line of Redis' reply is either a master or a replica or a node whose role is still unknown.
                Assert.False((node.Flags & NodeFlags.Master) != 0 && (node.Flags & NodeFlags.Replica) != 0);
                Assert.Equal(node.Role == NodeRole.Replica, node.MasterId != null);
                Assert.Equal(node.Slots.Sum(r => r.Count), node.SlotCount);
                Assert.Empty(node.Slots.Where((r, i) => i > 0 && r.Start <= node.Slots[i - 1].End));
                Assert.Null(node.Connection);
            }
        }

        [Theory]
        [MemberData(nameof(Captures))]
        public void EveryCapture_LinesParseOneByOne_LikeTheWholeText(string file)
        {
            var lines = TestData.Read(file).Split('\n').Where(l => l.Length > 0).ToArray();
            var whole = ClusterNodesParser.Parse(TestData.Read(file));
            for (int i = 0; i < lines.Length; i++)
            {
                var single = ClusterNodesParser.ParseLine(lines[i], i + 1);
                Assert.Equal(whole[i].Id, single.Id);
                Assert.Equal(whole[i].Flags, single.Flags);
                Assert.Equal(whole[i].Slots, single.Slots);
            }
        }

        [Fact]
        public void FreshSingleNode_IsMyselfMasterWithoutSlotsOrIp()
        {
            // ea0d...b98f :21000@31000 myself,master - 0 0 0 connected
            var node = Assert.Single(TestData.Parse("fresh-single-node.txt"));
            AssertNode(node, Fresh, "", 21000, 31000, NodeFlags.Myself | NodeFlags.Master, null, 0, NodeLinkState.Connected);
            Assert.Null(node.Hostname);
            Assert.Equal(0, node.PingSent);
            Assert.Equal(0, node.PongReceived);
            Assert.True(node.IsMyself);
            Assert.False(node.IsFailing);
            Assert.Equal(NodeRole.Master, node.Role);
            Assert.Equal(0, node.SlotCount);
            Assert.Empty(node.MigratingSlots);
            Assert.Empty(node.ImportingSlots);
            // No IP yet: Redis only learns its own address from a peer.
            Assert.Equal(string.Empty, node.EndPoint);
            Assert.Null(node.ToEndPoint());
        }

        [Fact]
        public void SingleNodeWithPartialSlots_ReadsRangesAndSingleSlots()
        {
            var node = Assert.Single(TestData.Parse("single-node-partial-slots.txt"));
            AssertNode(node, Fresh, "", 21000, 31000, NodeFlags.Myself | NodeFlags.Master, null, 0, NodeLinkState.Connected,
                R(0, 99), R(200, 200), R(16383, 16383));
            Assert.Equal(102, node.SlotCount);
            Assert.True(node.OwnsSlot(0));
            Assert.True(node.OwnsSlot(99));
            Assert.False(node.OwnsSlot(100));
            Assert.True(node.OwnsSlot(200));
            Assert.False(node.OwnsSlot(16382));
            Assert.True(node.OwnsSlot(16383));
        }

        [Fact]
        public void SixNodeCluster_ViewOfFirstMaster_EveryFieldOfEveryLine()
        {
            var nodes = TestData.Parse("six-node-21001.txt");
            Assert.Equal(6, nodes.Count);
            var c = NodeLinkState.Connected;

            // Line order is Redis' dict order; check it too, it is what the file says.
            Assert.Equal(new[] { N4, N6, N2, N3, N1, N5 }.Select(NodeId.Parse), nodes.Select(n => n.Id));

            // 1be8... 127.0.0.1:21004@31004 slave e234... 0 1795571823130 1 connected
            AssertNode(nodes[0], N4, "127.0.0.1", 21004, 31004, NodeFlags.Replica, N1, 1, c);
            Assert.Equal(0, nodes[0].PingSent);
            Assert.Equal(1795571823130, nodes[0].PongReceived);
            AssertNode(nodes[1], N6, "127.0.0.1", 21006, 31006, NodeFlags.Replica, N3, 3, c);
            // c244... 127.0.0.1:21002@31002 master - 0 1795571823028 2 connected 5461-10922
            AssertNode(nodes[2], N2, "127.0.0.1", 21002, 31002, NodeFlags.Master, null, 2, c, R(5461, 10922));
            Assert.Equal(1795571823028, nodes[2].PongReceived);
            AssertNode(nodes[3], N3, "127.0.0.1", 21003, 31003, NodeFlags.Master, null, 3, c, R(10923, 16383));
            Assert.Equal(1795571823028, nodes[3].PongReceived);
            // e234... 127.0.0.1:21001@31001 myself,master - 0 1795571822000 1 connected 0-5460
            AssertNode(nodes[4], N1, "127.0.0.1", 21001, 31001, NodeFlags.Myself | NodeFlags.Master, null, 1, c, R(0, 5460));
            Assert.Equal(1795571822000, nodes[4].PongReceived);
            Assert.Equal(1795571823131, nodes[5].PongReceived);
            AssertNode(nodes[5], N5, "127.0.0.1", 21005, 31005, NodeFlags.Replica, N2, 2, c);

            foreach (var n in nodes)
            {
                Assert.Null(n.Hostname);
                Assert.Empty(n.MigratingSlots);
                Assert.Empty(n.ImportingSlots);
                Assert.Equal(n.Port + 10000, n.BusPort);
                Assert.Equal("127.0.0.1:" + n.Port, n.EndPoint);
                Assert.Equal(new NodeEndPoint("127.0.0.1", n.Port), n.ToEndPoint());
                Assert.False(n.IsFailing);
            }
            Assert.Equal(NodeRole.Replica, nodes[0].Role);
            Assert.Equal(NodeRole.Master, nodes[2].Role);
            Assert.Equal("1be83e51 127.0.0.1:21004 Replica", nodes[0].ToString());
            Assert.Equal("e23404f0 127.0.0.1:21001 Master", nodes[4].ToString());
        }

        [Theory]
        [InlineData("six-node-21001.txt", N1)]
        [InlineData("six-node-21002.txt", N2)]
        [InlineData("six-node-21003.txt", N3)]
        [InlineData("six-node-21004.txt", N4)]
        [InlineData("six-node-21005.txt", N5)]
        [InlineData("six-node-21006.txt", N6)]
        public void SixNodeCluster_EveryViewAgreesOnRolesSlotsAndEpochs(string file, string myself)
        {
            var nodes = TestData.Parse(file);
            Assert.Equal(6, nodes.Count);
            var c = NodeLinkState.Connected;
            NodeFlags F(string id, NodeFlags f) => id == myself ? f | NodeFlags.Myself : f;
            AssertNode(Node(nodes, N1), N1, "127.0.0.1", 21001, 31001, F(N1, NodeFlags.Master), null, 1, c, R(0, 5460));
            AssertNode(Node(nodes, N2), N2, "127.0.0.1", 21002, 31002, F(N2, NodeFlags.Master), null, 2, c, R(5461, 10922));
            AssertNode(Node(nodes, N3), N3, "127.0.0.1", 21003, 31003, F(N3, NodeFlags.Master), null, 3, c, R(10923, 16383));
            AssertNode(Node(nodes, N4), N4, "127.0.0.1", 21004, 31004, F(N4, NodeFlags.Replica), N1, 1, c);
            AssertNode(Node(nodes, N5), N5, "127.0.0.1", 21005, 31005, F(N5, NodeFlags.Replica), N2, 2, c);
            AssertNode(Node(nodes, N6), N6, "127.0.0.1", 21006, 31006, F(N6, NodeFlags.Replica), N3, 3, c);
            // The node that answers has no pending ping to itself and reports its pong time in whole seconds.
            var self = nodes.Single(n => n.IsMyself);
            Assert.Equal(0, self.PingSent);
            Assert.Equal(0, self.PongReceived % 1000);
        }

        [Fact]
        public void OpenSlot_SourceView_ShowsMigratingToTarget()
        {
            // e234... myself,master - 0 1795571823000 1 connected 0-5460 [100->-c2445dcaa549664c725246df3c816ac2c6169d16]
            var nodes = TestData.Parse("open-slot-source-21001.txt");
            var source = Node(nodes, N1);
            AssertNode(source, N1, "127.0.0.1", 21001, 31001, NodeFlags.Myself | NodeFlags.Master, null, 1,
                NodeLinkState.Connected, R(0, 5460));
            var migration = Assert.Single(source.MigratingSlots);
            Assert.Equal(100, migration.Slot);
            Assert.Equal(NodeId.Parse(N2), migration.Peer);
            Assert.Equal("100->-c2445dca", migration.ToString());
            Assert.Empty(source.ImportingSlots);
            // the slot is still owned by the source while it migrates
            Assert.True(source.OwnsSlot(100));
            Assert.All(nodes.Where(n => !n.IsMyself), n => { Assert.Empty(n.MigratingSlots); Assert.Empty(n.ImportingSlots); });
        }

        [Fact]
        public void OpenSlot_TargetView_ShowsImportingFromSource()
        {
            // c244... myself,master - 0 1795571824000 2 connected 5461-10922 [100-<-e23404f036480ae04fa18ad39d0e9a30c961de09]
            var nodes = TestData.Parse("open-slot-target-21002.txt");
            var target = Node(nodes, N2);
            AssertNode(target, N2, "127.0.0.1", 21002, 31002, NodeFlags.Myself | NodeFlags.Master, null, 2,
                NodeLinkState.Connected, R(5461, 10922));
            var import = Assert.Single(target.ImportingSlots);
            Assert.Equal(100, import.Slot);
            Assert.Equal(NodeId.Parse(N1), import.Peer);
            Assert.Empty(target.MigratingSlots);
            Assert.False(target.OwnsSlot(100));
            Assert.All(nodes.Where(n => !n.IsMyself), n => { Assert.Empty(n.MigratingSlots); Assert.Empty(n.ImportingSlots); });
        }

        [Fact]
        public void OpenSlot_BystanderView_ShowsNoOpenSlots()
        {
            var nodes = TestData.Parse("open-slot-bystander-21003.txt");
            Assert.All(nodes, n => { Assert.Empty(n.MigratingSlots); Assert.Empty(n.ImportingSlots); });
            Assert.Equal(new[] { R(0, 5460) }, Node(nodes, N1).Slots);
        }

        [Theory]
        [InlineData("moved-slot-21001.txt")]
        [InlineData("moved-slot-21002.txt")]
        [InlineData("moved-slot-21003.txt")]
        [InlineData("moved-slot-21004.txt")]
        [InlineData("moved-slot-21005.txt")]
        [InlineData("moved-slot-21006.txt")]
        public void MovedSlot_SplitsRangesAndBumpsTheEpoch(string file)
        {
            // c244... 127.0.0.1:21002@31002 master - 0 1795571831086 7 connected 100 5461-10922
            // e234... 127.0.0.1:21001@31001 myself,master - 0 1795571830000 1 connected 0-99 101-5460
            var nodes = TestData.Parse(file);
            var n1 = Node(nodes, N1);
            var n2 = Node(nodes, N2);
            Assert.Equal(new[] { R(0, 99), R(101, 5460) }, n1.Slots);
            Assert.Equal(new[] { R(100, 100), R(5461, 10922) }, n2.Slots);
            Assert.Equal(5460, n1.SlotCount);
            Assert.Equal(5463, n2.SlotCount);
            Assert.Equal(1, n1.ConfigEpoch);
            Assert.Equal(7, n2.ConfigEpoch);
            // the replica of 21002 reports its master's epoch
            Assert.Equal(7, Node(nodes, N5).ConfigEpoch);
        }

        [Fact]
        public void Hostname_SelfView_ReadsHostnameAfterAddress()
        {
            // c244... 127.0.0.1:21002@31002,redis-b.example.test myself,master - 0 1795571838000 7 connected 100 5461-10922
            var nodes = TestData.Parse("hostname-self-21002.txt");
            var n2 = Node(nodes, N2);
            AssertNode(n2, N2, "127.0.0.1", 21002, 31002, NodeFlags.Myself | NodeFlags.Master, null, 7,
                NodeLinkState.Connected, R(100, 100), R(5461, 10922));
            Assert.Equal("redis-b.example.test", n2.Hostname);
            Assert.Equal("127.0.0.1:21002", n2.EndPoint);
            Assert.All(nodes.Where(n => n != n2), n => Assert.Null(n.Hostname));
        }

        [Fact]
        public void Hostname_PeerView_ReadsGossipedHostname()
        {
            var nodes = TestData.Parse("hostname-peer-21001.txt");
            var n2 = Node(nodes, N2);
            AssertNode(n2, N2, "127.0.0.1", 21002, 31002, NodeFlags.Master, null, 7, NodeLinkState.Connected,
                R(100, 100), R(5461, 10922));
            Assert.Equal("redis-b.example.test", n2.Hostname);
            Assert.Equal(1795571838119, n2.PongReceived);
            Assert.Equal(new NodeEndPoint("127.0.0.1", 21002), n2.ToEndPoint());
        }

        [Fact]
        public void Handshake_NodeHasRandomIdNoRoleAndIsDisconnected()
        {
            // f50e... 127.0.0.1:21099@31099 handshake - 0 0 0 disconnected
            var nodes = TestData.Parse("handshake-21003.txt");
            Assert.Equal(7, nodes.Count);
            var hs = Node(nodes, Handshake);
            AssertNode(hs, Handshake, "127.0.0.1", 21099, 31099, NodeFlags.Handshake, null, 0, NodeLinkState.Disconnected);
            Assert.Equal(0, hs.PingSent);
            Assert.Equal(0, hs.PongReceived);
            Assert.Null(hs.Hostname);
            Assert.False(hs.IsFailing);
            Assert.Equal(new NodeEndPoint("127.0.0.1", 21099), hs.ToEndPoint());
            Assert.Equal("redis-b.example.test", Node(nodes, N2).Hostname);
        }

        [Fact]
        public void Fail_KilledMasterIsFlaggedFailAndDisconnected_StillOwningItsSlots()
        {
            // 4c75... 127.0.0.1:21003@31003 master,fail - 1795571850077 1795571849000 3 disconnected 10923-16383
            var nodes = TestData.Parse("fail-21001.txt");
            var n3 = Node(nodes, N3);
            AssertNode(n3, N3, "127.0.0.1", 21003, 31003, NodeFlags.Master | NodeFlags.Failing, null, 3,
                NodeLinkState.Disconnected, R(10923, 16383));
            Assert.Equal(1795571850077, n3.PingSent);
            Assert.Equal(1795571849000, n3.PongReceived);
            Assert.True(n3.IsFailing);
            Assert.Equal(NodeRole.Master, n3.Role);
            // its replica has not been promoted yet
            AssertNode(Node(nodes, N6), N6, "127.0.0.1", 21006, 31006, NodeFlags.Replica, N3, 3, NodeLinkState.Connected);
            Assert.Equal(1, nodes.Count(n => n.IsFailing));
        }

        [Theory]
        [InlineData("after-failover-21001.txt", N1)]
        [InlineData("after-failover-21002.txt", N2)]
        [InlineData("after-failover-21004.txt", N4)]
        [InlineData("after-failover-21005.txt", N5)]
        [InlineData("after-failover-21006.txt", N6)]
        public void AfterFailover_ReplicaIsPromotedAndFailedMasterKeepsNoSlots(string file, string myself)
        {
            // d02c... 127.0.0.1:21006@31006 master - 0 1795571908745 8 connected 10923-16383
            // 4c75... 127.0.0.1:21003@31003 master,fail - 1795571850077 1795571849000 3 disconnected
            var nodes = TestData.Parse(file);
            var n6 = Node(nodes, N6);
            AssertNode(n6, N6, "127.0.0.1", 21006, 31006, (myself == N6 ? NodeFlags.Myself : 0) | NodeFlags.Master, null, 8,
                NodeLinkState.Connected, R(10923, 16383));
            var n3 = Node(nodes, N3);
            AssertNode(n3, N3, "127.0.0.1", 21003, 31003, NodeFlags.Master | NodeFlags.Failing, null, 3, NodeLinkState.Disconnected);
            Assert.True(n3.PingSent > 0);
            Assert.True(Node(nodes, myself).IsMyself);
        }

        [Fact]
        public void PossiblyFailing_MastersWithoutQuorumStayFailQuestionMark()
        {
            // d02c... 127.0.0.1:21006@31006 master,fail? - 1795571913783 1795571912776 8 connected 10923-16383
            // c244... 127.0.0.1:21002@31002,redis-b.example.test master,fail? - 1795571913783 1795571912776 7 connected 100 5461-10922
            var nodes = TestData.Parse("pfail-21001.txt");
            var n6 = Node(nodes, N6);
            AssertNode(n6, N6, "127.0.0.1", 21006, 31006, NodeFlags.Master | NodeFlags.PossiblyFailing, null, 8,
                NodeLinkState.Connected, R(10923, 16383));
            Assert.Equal(1795571913783, n6.PingSent);
            Assert.Equal(1795571912776, n6.PongReceived);
            Assert.True(n6.IsFailing);
            var n2 = Node(nodes, N2);
            AssertNode(n2, N2, "127.0.0.1", 21002, 31002, NodeFlags.Master | NodeFlags.PossiblyFailing, null, 7,
                NodeLinkState.Connected, R(100, 100), R(5461, 10922));
            Assert.Equal("redis-b.example.test", n2.Hostname);
            Assert.Equal(NodeFlags.Master | NodeFlags.Failing, Node(nodes, N3).Flags);
            Assert.Equal(3, nodes.Count(n => n.IsFailing));
        }

        [Fact]
        public void PossiblyFailing_ReplicaViewAgrees()
        {
            var nodes = TestData.Parse("pfail-21004.txt");
            Assert.Equal(NodeFlags.Master | NodeFlags.PossiblyFailing, Node(nodes, N2).Flags);
            Assert.Equal(NodeFlags.Master | NodeFlags.PossiblyFailing, Node(nodes, N6).Flags);
            Assert.Equal(NodeFlags.Myself | NodeFlags.Replica, Node(nodes, N4).Flags);
        }

        [Fact]
        public void NoFailover_SelfView()
        {
            // 1be8... 127.0.0.1:21004@31004 myself,slave,nofailover e234... 0 1795571942000 1 connected
            var nodes = TestData.Parse("nofailover-self-21004.txt");
            AssertNode(Node(nodes, N4), N4, "127.0.0.1", 21004, 31004, NodeFlags.Myself | NodeFlags.Replica | NodeFlags.NoFailover,
                N1, 1, NodeLinkState.Connected);
            Assert.Equal(NodeRole.Replica, Node(nodes, N4).Role);
        }

        [Fact]
        public void NoFailover_PeerView()
        {
            // 1be8... 127.0.0.1:21004@31004 slave,nofailover e234... 0 1795571942184 1 connected
            var nodes = TestData.Parse("nofailover-peer-21001.txt");
            AssertNode(Node(nodes, N4), N4, "127.0.0.1", 21004, 31004, NodeFlags.Replica | NodeFlags.NoFailover,
                N1, 1, NodeLinkState.Connected);
            Assert.Equal(NodeFlags.Replica, Node(nodes, N5).Flags);
        }

        [Fact]
        public void NoAddr_NodeHasEmptyHostAndZeroPorts()
        {
            // 6bf8... :0@0 master,noaddr - 1795571926463 1795571925759 1 disconnected
            var nodes = TestData.Parse("noaddr-21010.txt");
            Assert.Equal(2, nodes.Count);
            AssertNode(nodes[0], NoAddrSelf, "127.0.0.1", 21010, 31010, NodeFlags.Myself | NodeFlags.Master, null, 0, NodeLinkState.Connected);
            var gone = nodes[1];
            AssertNode(gone, NoAddrOld, "", 0, 0, NodeFlags.Master | NodeFlags.NoAddress, null, 1, NodeLinkState.Disconnected);
            Assert.Equal(1795571926463, gone.PingSent);
            Assert.Equal(1795571925759, gone.PongReceived);
            Assert.Equal(string.Empty, gone.EndPoint);
            Assert.Null(gone.ToEndPoint());
            Assert.Equal("6bf838c9 (no address) Master", gone.ToString());
        }

        // =====================================================================================
        // Hand-written lines for forms redis-server 7.0.15 does not produce here
        // =====================================================================================

        private const string A = "07c37dfeb235213a872192d90877d0cd55635b91";
        private const string B = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";

        [Fact]
        public void Redis72_HostnameFollowedByAuxFields()
        {
            var node = ClusterNodesParser.ParseLine($"{A} 127.0.0.1:7000@17000,host1,shard-id=abc myself,master - 0 0 1 connected 0-5460");
            AssertNode(node, A, "127.0.0.1", 7000, 17000, NodeFlags.Myself | NodeFlags.Master, null, 1, NodeLinkState.Connected, R(0, 5460));
            Assert.Equal("host1", node.Hostname);
        }

        [Fact]
        public void Redis72_EmptyHostnameFollowedByAuxFields()
        {
            // 7.2 keeps the hostname position empty when only aux fields follow.
            var node = ClusterNodesParser.ParseLine(
                $"{A} 127.0.0.1:7000@17000,,tls-port=0,shard-id=69bc080733d1355567173199cff4a6a039a2f024 master - 0 1426238316232 1 connected 0-5460");
            Assert.Null(node.Hostname);
            Assert.Equal("127.0.0.1", node.Host);
            Assert.Equal(7000, node.Port);
            Assert.Equal(17000, node.BusPort);
        }

        [Fact]
        public void TrailingCommaAfterAddress_MeansNoHostname()
        {
            var node = ClusterNodesParser.ParseLine($"{A} 127.0.0.1:7000@17000, master - 0 0 1 connected");
            Assert.Null(node.Hostname);
            Assert.Equal(17000, node.BusPort);
        }

        [Fact]
        public void Ipv6Loopback_LastColonSeparatesThePort()
        {
            var node = ClusterNodesParser.ParseLine($"{A} ::1:7000@17000 myself,master - 0 0 1 connected 0-16383");
            AssertNode(node, A, "::1", 7000, 17000, NodeFlags.Myself | NodeFlags.Master, null, 1, NodeLinkState.Connected, R(0, 16383));
            Assert.Equal("[::1]:7000", node.EndPoint);
            Assert.Equal(new NodeEndPoint("::1", 7000), node.ToEndPoint());
        }

        [Fact]
        public void Ipv6Global_WithHostname()
        {
            var node = ClusterNodesParser.ParseLine($"{B} 2001:db8::5:7001@17001,redis-v6.example slave {A} 0 1426238317239 4 connected");
            AssertNode(node, B, "2001:db8::5", 7001, 17001, NodeFlags.Replica, A, 4, NodeLinkState.Connected);
            Assert.Equal("redis-v6.example", node.Hostname);
            Assert.Equal("[2001:db8::5]:7001", node.EndPoint);
        }

        [Fact]
        public void NoFlags_GivesNoFlags()
        {
            var node = ClusterNodesParser.ParseLine($"{A} 127.0.0.1:7000@17000 noflags - 0 0 0 connected");
            Assert.Equal(NodeFlags.None, node.Flags);
            Assert.False(node.IsMyself);
            Assert.False(node.IsFailing);
        }

        [Fact]
        public void NoFailover_HandWritten()
        {
            var node = ClusterNodesParser.ParseLine($"{B} 127.0.0.1:7001@17001 slave,nofailover {A} 0 0 1 connected");
            Assert.Equal(NodeFlags.Replica | NodeFlags.NoFailover, node.Flags);
            Assert.Equal(NodeId.Parse(A), node.MasterNodeId);
        }

        [Theory]
        [InlineData("master,wizard", NodeFlags.Master, NodeRole.Master)]
        [InlineData("myself,slave,some-future-flag", NodeFlags.Myself | NodeFlags.Replica, NodeRole.Replica)]
        [InlineData("Master", NodeFlags.None, NodeRole.Unknown)]
        [InlineData("-", NodeFlags.None, NodeRole.Unknown)]
        public void UnknownFlags_AreKeptAsText_AndTheLineStillParses(string flags, NodeFlags known, NodeRole role)
        {
            // A server newer than this module may add flags: reading must go on, the text is kept.
            var node = ClusterNodesParser.ParseLine($"{A} 127.0.0.1:7000@17000 {flags} {(role == NodeRole.Replica ? B : "-")} 0 0 1 connected 0-5");
            Assert.Equal(known, node.Flags);
            Assert.Equal(flags, node.RawFlags);
            Assert.Equal(role, node.Role);
            Assert.Equal("0-5", node.Slots.ToString());
        }

        [Fact]
        public void HandshakeNode_HasTheUnknownRole_AndIsNeitherMasterNorReplica()
        {
            var topology = ClusterTopology.Parse(null, $"{A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-16383\n{B} 127.0.0.1:7001@17001 handshake - 0 0 0 connected\n");
            var handshake = topology.Find(NodeId.Parse(B));
            Assert.Equal(NodeRole.Unknown, handshake.Role);
            Assert.DoesNotContain(handshake, topology.Masters);
            Assert.DoesNotContain(handshake, topology.Replicas);
        }

        [Fact]
        public void AllFlagsTogether()
        {
            var node = ClusterNodesParser.ParseLine($"{A} 127.0.0.1:7000@17000 myself,slave,fail?,fail,handshake,noaddr,nofailover {B} 0 0 0 disconnected");
            Assert.Equal(NodeFlags.Myself | NodeFlags.Replica | NodeFlags.PossiblyFailing | NodeFlags.Failing |
                         NodeFlags.Handshake | NodeFlags.NoAddress | NodeFlags.NoFailover, node.Flags);
        }

        [Fact]
        public void SeveralOpenSlotsAndRangesInOneLine()
        {
            var node = ClusterNodesParser.ParseLine(
                $"{A} 127.0.0.1:7000@17000 myself,master - 0 0 5 connected 0-99 101 [100->-{B}] 200-300 [16383-<-{B}] [5-<-{B.ToUpperInvariant()}] [101->-{B}]");
            Assert.Equal(new[] { R(0, 99), R(101, 101), R(200, 300) }, node.Slots);
            Assert.Equal(new[] { 100, 101 }, node.MigratingSlots.Select(m => m.Slot));
            Assert.Equal(new[] { 16383, 5 }, node.ImportingSlots.Select(m => m.Slot));
            Assert.All(node.MigratingSlots.Concat(node.ImportingSlots), m => Assert.Equal(NodeId.Parse(B), m.Peer));
        }

        [Fact]
        public void UpperCaseIds_AreNormalized()
        {
            var node = ClusterNodesParser.ParseLine($"{A.ToUpperInvariant()} 127.0.0.1:7000@17000 slave {B.ToUpperInvariant()} 0 0 0 connected");
            Assert.Equal(A, node.NodeId);
            Assert.Equal(B, node.MasterId);
        }

        [Fact]
        public void ExtraSpacesBetweenFields_AreTolerated()
        {
            var node = ClusterNodesParser.ParseLine($"  {A}  127.0.0.1:7000@17000   master  -  0 0 1   connected   0-10  ");
            Assert.Equal(new[] { R(0, 10) }, node.Slots);
            Assert.Equal(1, node.ConfigEpoch);
        }

        [Fact]
        public void LargeTimestampsAndEpochs_FitInLong()
        {
            var node = ClusterNodesParser.ParseLine($"{A} 127.0.0.1:7000@17000 master - 9223372036854775807 1795571818095 4294967296 connected");
            Assert.Equal(long.MaxValue, node.PingSent);
            Assert.Equal(4294967296, node.ConfigEpoch);
        }

        [Fact]
        public void Parse_HandlesCrLfBlankLinesAndNoTrailingNewline()
        {
            string text = "\r\n" + $"{A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-8191\r\n" +
                          "   \r\n\n" + $"{B} 127.0.0.1:7001@17001 master - 0 0 2 connected 8192-16383";
            var nodes = ClusterNodesParser.Parse(text);
            Assert.Equal(2, nodes.Count);
            Assert.Equal(new[] { R(8192, 16383) }, nodes[1].Slots);
            Assert.Equal(NodeLinkState.Connected, nodes[1].LinkState);
        }

        [Fact]
        public void Parse_EmptyText_GivesNoNodes()
        {
            Assert.Empty(ClusterNodesParser.Parse(""));
            Assert.Empty(ClusterNodesParser.Parse("\n\n  \r\n"));
        }

        [Fact]
        public void Parse_Null_Throws()
        {
            Assert.Throws<ArgumentNullException>(() => ClusterNodesParser.Parse(null));
        }

        // =====================================================================================
        // Malformed input: always ClusterNodesFormatException with line number and a clear message
        // =====================================================================================

        private const string Good1 = "e23404f036480ae04fa18ad39d0e9a30c961de09 127.0.0.1:21001@31001 myself,master - 0 1795571818000 1 connected 0-5460";
        private const string Good2 = "1be83e51bdbca9a98f6de0dc4f4fc2ee8506733b 127.0.0.1:21004@31004 slave e23404f036480ae04fa18ad39d0e9a30c961de09 0 1795571818095 1 connected";

        public static IEnumerable<object[]> MalformedLines() => new[]
        {
            // too few fields
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1", "it has 7 fields, at least 8 are required" },
            new object[] { A, "it has 1 fields" },
            new object[] { $"{A} 127.0.0.1:7000@17000", "it has 2 fields" },
            // bad id
            new object[] { "xyz 127.0.0.1:7000@17000 master - 0 0 1 connected", "'xyz' is not a 40-character hex node id" },
            new object[] { $"{A.Substring(1)} 127.0.0.1:7000@17000 master - 0 0 1 connected", "is not a 40-character hex node id" },
            new object[] { $"{A}0 127.0.0.1:7000@17000 master - 0 0 1 connected", "is not a 40-character hex node id" },
            new object[] { $"g{A.Substring(1)} 127.0.0.1:7000@17000 master - 0 0 1 connected", "is not a 40-character hex node id" },
            // address
            new object[] { $"{A} 127.0.0.1:7000 master - 0 0 1 connected", "lacks '@' before the bus port" },
            new object[] { $"{A} 127.0.0.1:7000,host1 master - 0 0 1 connected", "lacks '@' before the bus port" },
            new object[] { $"{A} 127.0.0.1@17000 master - 0 0 1 connected", "lacks ':' before the port" },
            new object[] { $"{A} 127.0.0.1:70000@17000 master - 0 0 1 connected", "has no valid port" },
            new object[] { $"{A} 127.0.0.1:abc@17000 master - 0 0 1 connected", "has no valid port" },
            new object[] { $"{A} 127.0.0.1:@17000 master - 0 0 1 connected", "has no valid port" },
            new object[] { $"{A} 127.0.0.1:-1@17000 master - 0 0 1 connected", "has no valid port" },
            new object[] { $"{A} 127.0.0.1:99999999999@17000 master - 0 0 1 connected", "has no valid port" },
            new object[] { $"{A} 127.0.0.1:7000@ master - 0 0 1 connected", "has no valid bus port" },
            new object[] { $"{A} 127.0.0.1:7000@x master - 0 0 1 connected", "has no valid bus port" },
            new object[] { $"{A} 127.0.0.1:7000@70000 master - 0 0 1 connected", "has no valid bus port" },
            new object[] { $"{A} 127.0.0.1:7000@17000@1 master - 0 0 1 connected", "has no valid bus port" },
            // master field
            new object[] { $"{A} 127.0.0.1:7000@17000 slave abc 0 0 1 connected", "master 'abc' is neither '-' nor a node id" },
            new object[] { $"{A} 127.0.0.1:7000@17000 slave -- 0 0 1 connected", "master '--' is neither '-' nor a node id" },
            // numbers
            new object[] { $"{A} 127.0.0.1:7000@17000 master - x 0 1 connected", "ping-sent 'x' is not a non-negative number" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 1.5 1 connected", "pong-recv '1.5' is not a non-negative number" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 x connected", "config-epoch 'x' is not a non-negative number" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 -1 connected", "config-epoch '-1' is not a non-negative number" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 99999999999999999999 connected", "config-epoch '99999999999999999999'" },
            // link state
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connecting", "link state 'connecting' is neither connected nor disconnected" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 Connected", "link state 'Connected'" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 0-5460", "link state '0-5460'" },
            // slot ranges
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected 5-3", "'5-3' is outside 0-16383 or ends before it starts" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected 16384", "'16384' is outside 0-16383" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-16384", "'0-16384' is outside 0-16383" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected abc", "'abc' is not a slot or slot range" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected -1", "'-1' is not a slot or slot range" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-100 x-200", "'x-200' is not a slot or slot range" },
            // open-slot markers
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [100->-{B}", "lacks ']'" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [", "lacks ']'" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected []", "is neither [slot->-id] nor [slot-<-id]" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [100-x-{B}]", "is neither [slot->-id] nor [slot-<-id]" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [100->{B}]", "is neither [slot->-id] nor [slot-<-id]" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [->-{B}]", "is neither [slot->-id] nor [slot-<-id]" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [abc->-{B}]", "has no valid slot number" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [16384->-{B}]", "has no valid slot number" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [99999999999-<-{B}]", "has no valid slot number" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [100->-abc]", "has no valid node id" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [100-<-]", "has no valid node id" },
            new object[] { $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected [100->-{B}x]", "has no valid node id" },
        };

        [Theory]
        [MemberData(nameof(MalformedLines))]
        public void ParseLine_Malformed_ThrowsFormatExceptionNamingTheProblem(string line, string fragment)
        {
            var ex = Assert.Throws<ClusterNodesFormatException>(() => ClusterNodesParser.ParseLine(line, 17));
            Assert.Equal(17, ex.LineNumber);
            Assert.Equal(line, ex.Line);
            Assert.StartsWith("CLUSTER NODES line 17 is malformed: ", ex.Message);
            Assert.Contains(fragment, ex.Message);
            // The line itself stays on the exception for debugging; messages never quote what a server sent.
            Assert.DoesNotContain("Line:", ex.Message);
            Assert.IsAssignableFrom<FormatException>(ex);
        }

        [Theory]
        [MemberData(nameof(MalformedLines))]
        public void Parse_Malformed_ReportsTheLineNumberInTheWholeReply(string line, string fragment)
        {
            // two good lines, a blank line that still counts, then the bad one, then a good one
            string text = Good1 + "\n" + Good2 + "\n\n" + line + "\n" + Good1.Replace("myself,", "") + "\n";
            var ex = Assert.Throws<ClusterNodesFormatException>(() => ClusterNodesParser.Parse(text));
            Assert.Equal(4, ex.LineNumber);
            Assert.Equal(line, ex.Line);
            Assert.Contains("line 4 ", ex.Message);
            Assert.Contains(fragment, ex.Message);
        }

        [Fact]
        public void Parse_Malformed_WithCrLf_ReportsLineWithoutCarriageReturn()
        {
            string text = Good1 + "\r\n" + $"{A} 127.0.0.1:7000@17000 master - 0 0 1 connected 5-3\r\n";
            var ex = Assert.Throws<ClusterNodesFormatException>(() => ClusterNodesParser.Parse(text));
            Assert.Equal(2, ex.LineNumber);
            Assert.DoesNotContain("\r", ex.Line);
        }

        [Fact]
        public void ParseLine_DefaultLineNumberIsOne()
        {
            var ex = Assert.Throws<ClusterNodesFormatException>(() => ClusterNodesParser.ParseLine("too few"));
            Assert.Equal(1, ex.LineNumber);
            Assert.Contains("it has 2 fields", ex.Message);
        }

        /// <summary>Mutating one character of a real line either still parses or fails with ClusterNodesFormatException.</summary>
        [Fact]
        public void Property_MutatedRealLines_NeverCrashWithAnotherExceptionType()
        {
            var lines = TestData.AllCaptures().SelectMany(f => TestData.Read(f).Split('\n')).Where(l => l.Length > 0).Distinct().ToArray();
            lines = lines.Concat(new[]
            {
                $"{A} 127.0.0.1:7000@17000,host1,shard-id=abc myself,master - 0 0 1 connected 0-5460 [100->-{B}] [200-<-{B}]",
                $"{A} ::1:7000@17000 slave {B} 0 0 1 connected",
            }).ToArray();
            const string alphabet = "0123456789abcdef:@,-<>[] ?xg.";
            var gen = Gen.Select(Gen.Int[0, lines.Length - 1], Gen.Int[0, 3], Gen.Int[0, 1000], Gen.Char[alphabet]);
            gen.Sample((li, op, pos, ch) =>
            {
                string line = lines[li];
                int p = pos % (line.Length + 1);
                string mutated = op switch
                {
                    0 => line.Remove(Math.Min(p, line.Length - 1), 1),
                    1 => line.Insert(p, ch.ToString()),
                    2 => p < line.Length ? line.Remove(p, 1).Insert(p, ch.ToString()) : line + ch,
                    _ => line.Substring(0, p),
                };
                try
                {
                    ClusterNodesParser.ParseLine(mutated, 3);
                }
                catch (ClusterNodesFormatException ex)
                {
                    Assert.Equal(3, ex.LineNumber);
                    Assert.Equal(mutated, ex.Line);
                }
            }, iter: 30000);
        }

        /// <summary>
        /// The parser accepts a port of 0 with a non-empty host ("127.0.0.1:0@0", also "127.0.0.1:000@17000"); such a
        /// node has no endpoint to dial, and EndPoint and ToString() must still format it rather than throw.
        /// </summary>
        [Fact]
        public void PortZeroWithHost_NodeStillFormats()
        {
            var node = ClusterNodesParser.ParseLine($"{A} 127.0.0.1:0@0 master,noaddr - 0 0 0 disconnected");
            Assert.Equal(0, node.Port);
            Assert.Null(node.ToEndPoint());
            Assert.Null(Record.Exception(() => node.ToString()));
            Assert.Null(Record.Exception(() => node.EndPoint));
        }
    }
}
