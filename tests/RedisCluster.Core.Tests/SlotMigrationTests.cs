using System;
using System.Linq;
using System.Text;
using CsCheck;
using Xunit;
using static RedisCluster.Tests.Ids;

namespace RedisCluster.Tests
{
    /// <summary>The pure parts of the slot-migration executor: grouping, MIGRATE's spelling, timeouts, open-slot moves.</summary>
    public class SlotMigrationTests
    {
        private static readonly NodeEndPoint Target = new NodeEndPoint("10.0.0.2", 6379);

        private static SlotMove Move(int slot, string source, string target) => new SlotMove(slot, Id(source), Id(target));

        [Fact]
        public void Groups_AreOnePerSourceAndTarget_LowestSlotsFirst_AndCutAtTheGroupSize()
        {
            var moves = new[] { Move(7, N1, N3), Move(3, N1, N2), Move(1, N1, N2), Move(2, N1, N2), Move(9000, N2, N3) };
            var bySource = SlotMigrationBatches.GroupBySource(moves, 2);

            Assert.Equal(2, bySource.Count);
            var first = bySource.Single(g => g[0].Source == Id(N1));
            Assert.Equal(new[] { "1,2", "3", "7" }, first.Select(g => string.Join(",", g.Slots)));
            Assert.Equal(new[] { Id(N2), Id(N2), Id(N3) }, first.Select(g => g.Target));
            Assert.Equal(new[] { 9000 }, bySource.Single(g => g[0].Source == Id(N2)).Single().Slots);
        }

        [Fact]
        public void Groups_CoverEveryMoveOnce_AndNoneIsLargerThanAsked()
        {
            var ids = new[] { N1, N2, N3 };
            Gen.Select(Gen.Int[0, HashSlot.MaxSlot].Array[0, 400], Gen.Int[1, 70]).Sample((slots, size) =>
            {
                var moves = slots.Distinct().Select((s, i) => Move(s, ids[i % 3], ids[(i + 1) % 3])).ToList();
                var groups = SlotMigrationBatches.GroupBySource(moves, size).SelectMany(g => g).ToList();
                Assert.All(groups, g => Assert.InRange(g.Slots.Count, 1, size));
                var regrouped = groups.SelectMany(g => g.Slots.Select(s => new SlotMove(s, g.Source, g.Target)));
                Assert.Equal(moves.OrderBy(m => m.Slot), regrouped.OrderBy(m => m.Slot));
            });
        }

        [Fact]
        public void APlanThatMovesASlotTwice_IsRefused()
        {
            var error = Assert.Throws<RedisClusterException>(() =>
                SlotMigrationBatches.EnsureEachSlotOnce(new[] { Move(5, N1, N2), Move(6, N1, N2), Move(5, N2, N3) }));
            Assert.Equal("SlotMovedTwice", error.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, error.Kind);
            Assert.Contains("5", error.Message);
        }

        [Fact]
        public void Migrate_UsesTheMultiKeyForm_WithTheKeysAsBytes()
        {
            var keys = new[] { Encoding.UTF8.GetBytes("{a}:1"), Encoding.UTF8.GetBytes("{a}:2") };
            var command = SlotMigrationBatches.Migrate(Target, TimeSpan.FromSeconds(60), false, null, keys);

            Assert.Equal("MIGRATE", command.Name);
            Assert.Equal(new object[] { "10.0.0.2", 6379, "", 0, 60000L, "KEYS" }, command.Arguments.Take(6));
            Assert.Same(keys[1], command.Arguments[7]);
            Assert.Equal("MIGRATE 10.0.0.2 6379 \"\" 0 60000 KEYS <5 bytes> <5 bytes>", command.Describe());
        }

        [Fact]
        public void Migrate_CarriesAuthOrAuth2_AndDescribeMasksThePassword()
        {
            var requirepass = new ConnectionSettings(new[] { Target }) { Credential = new System.Net.NetworkCredential("default", "s3cret pw") };
            var acl = new ConnectionSettings(new[] { Target }) { Credential = new System.Net.NetworkCredential("mover", "s3cret pw") };
            var key = new[] { Encoding.UTF8.GetBytes("k") };

            var withAuth = SlotMigrationBatches.Migrate(Target, TimeSpan.FromSeconds(5), true, MigrateAuthentication.From(requirepass), key);
            var withAuth2 = SlotMigrationBatches.Migrate(Target, TimeSpan.FromSeconds(5), false, MigrateAuthentication.From(acl), key);

            Assert.Equal(new object[] { "REPLACE", "AUTH", "s3cret pw", "KEYS" }, withAuth.Arguments.Skip(5).Take(4));
            Assert.Equal(new object[] { "AUTH2", "mover", "s3cret pw", "KEYS" }, withAuth2.Arguments.Skip(5).Take(4));
            Assert.Equal("MIGRATE 10.0.0.2 6379 \"\" 0 5000 REPLACE AUTH ******** KEYS <1 bytes>", withAuth.Describe());
            Assert.Equal("MIGRATE 10.0.0.2 6379 \"\" 0 5000 AUTH2 mover ******** KEYS <1 bytes>", withAuth2.Describe());
            Assert.DoesNotContain("s3cret", withAuth.ToString() + withAuth2.ToString() + MigrateAuthentication.From(acl));
            Assert.Null(MigrateAuthentication.From(new ConnectionSettings(new[] { Target })));
        }

        [Fact]
        public void Migrate_WithoutKeys_IsAProgrammingError() =>
            Assert.Throws<ArgumentException>(() => SlotMigrationBatches.Migrate(Target, TimeSpan.FromSeconds(1), false, null, new byte[0][]));

        [Fact]
        public void BigKeys_GetTheOrdinaryTimeoutPlusTheirSizeAtTheSlowestRate()
        {
            var options = new SlotMigrationOptions { MigrateTimeout = TimeSpan.FromSeconds(60), BigKeyBytes = 8 << 20, BigKeyBytesPerSecond = 1 << 20 };

            Assert.Equal(TimeSpan.FromSeconds(70), SlotMigrationBatches.TimeoutForSize(10 << 20, options));
            // Clients are kept per timeout: sizes that differ a little share one, rounded up to whole minutes.
            Assert.Equal(TimeSpan.FromMinutes(2), SlotMigrationBatches.ClientTimeoutFor(TimeSpan.FromSeconds(61)));
            Assert.Equal(TimeSpan.FromMinutes(2), SlotMigrationBatches.ClientTimeoutFor(TimeSpan.FromSeconds(120)));
        }

        [Theory]
        [InlineData("ERR Target instance replied with error: BUSYKEY Target key name already exists.", true)]
        [InlineData("BUSYKEY Target key name already exists.", true)]
        [InlineData("ERR Target instance replied with error: MOVED 5 10.0.0.3:6379", false)]
        [InlineData("IOERR error or timeout reading to target instance", false)]
        public void BusyKey_IsRecognisedAlsoWhenTheSourceWrapsTheTargetsReply(string reply, bool busy) =>
            Assert.Equal(busy, SlotMigrationBatches.IsBusyKey(new RedisServerErrorException(Target, "MIGRATE", reply)));

        private static RedisReply Keys(params string[] keys) => RedisReply.FromArray(keys.Select(k => RedisReply.Bulk(Encoding.UTF8.GetBytes(k))));

        private static RedisReply Bulk(string text) => RedisReply.Bulk(Encoding.UTF8.GetBytes(text));

        private static RedisReply Numbers(params long[] numbers) => RedisReply.FromArray(numbers.Select(RedisReply.FromInteger));

        [Fact]
        public void Listings_SplitEachSlotsKeysIntoTheOrdinaryOnesAndTheBigOnes_InTheOrderAsked()
        {
            var keys = new[] { Keys("{a}1", "{a}2", "{a}3"), Keys(), Keys("{c}1") };
            // The big-key script names {a}2, and {a}9, which the GETKEYSINSLOT reply lacks (deleted in between): ignored.
            var bigs = new[]
            {
                RedisReply.FromArray(new[] { Bulk("{a}9"), RedisReply.FromInteger(12000000), Bulk("{a}2"), RedisReply.FromInteger(9000000) }),
                null,
                Numbers(),
            };

            var listings = SlotMigrationBatches.ReadListings(new[] { 10, 11, 12 }, keys, bigs);

            Assert.Equal(new[] { 10, 11, 12 }, listings.Select(l => l.Slot));
            Assert.Equal(new[] { 3, 0, 1 }, listings.Select(l => l.Count));
            Assert.Equal(new[] { "{a}1", "{a}3" }, listings[0].OrdinaryKeys.Select(Encoding.UTF8.GetString));
            var big = Assert.Single(listings[0].BigKeys);
            Assert.Equal("{a}2", Encoding.UTF8.GetString(big.Key));
            Assert.Equal(9000000, big.Bytes);
            Assert.Empty(listings[1].OrdinaryKeys);
            Assert.Equal(new[] { "{c}1" }, listings[2].OrdinaryKeys.Select(Encoding.UTF8.GetString));
            Assert.Empty(listings[2].BigKeys);
        }

        [Fact]
        public void Listings_WithoutTheSizeCheck_AreAllOrdinary_AndKeepTheReplysBytes()
        {
            var reply = Keys("{a}1", "{a}2");
            var listing = Assert.Single(SlotMigrationBatches.ReadListings(new[] { 7 }, new[] { reply }, null));
            Assert.Same(reply.Items[1].Bytes, listing.OrdinaryKeys[1]);
            Assert.Empty(listing.BigKeys);
        }

        [Fact]
        public void ScriptListings_OfSeveralCalls_AreOnePerSlot_InOrder()
        {
            RedisReply Slot(RedisReply keys, RedisReply bigs) => RedisReply.FromArray(new[] { keys, bigs });
            var replies = new[]
            {
                RedisReply.FromArray(new[] { Slot(Keys("{a}1"), Numbers()), Slot(Keys(), Numbers()) }),
                RedisReply.FromArray(new[] { Slot(Keys("{c}1", "{c}2"), RedisReply.FromArray(new[] { Bulk("{c}2"), RedisReply.FromInteger(9000000) })) }),
            };

            var (keys, bigs) = SlotMigrationBatches.SplitScriptListings(replies, 3);
            var listings = SlotMigrationBatches.ReadListings(new[] { 4, 5, 6 }, keys, bigs);

            Assert.Equal(new[] { 1, 0, 2 }, listings.Select(l => l.Count));
            Assert.Equal(new[] { "{c}1" }, listings[2].OrdinaryKeys.Select(Encoding.UTF8.GetString));
            Assert.Equal("{c}2", Encoding.UTF8.GetString(Assert.Single(listings[2].BigKeys).Key));
        }

        [Fact]
        public void ScriptListings_ThatDoNotMatchTheSlotsAsked_AreAProtocolError()
        {
            var one = RedisReply.FromArray(new[] { RedisReply.FromArray(new[] { Keys("{a}1"), Numbers() }) });
            Assert.Equal("UnexpectedReply", Assert.Throws<RedisClusterException>(() => SlotMigrationBatches.SplitScriptListings(new[] { one }, 2)).ErrorId);
            var notPairs = RedisReply.FromArray(new[] { Keys("{a}1") });
            Assert.Equal(FailureKind.Protocol, Assert.Throws<RedisClusterException>(() => SlotMigrationBatches.SplitScriptListings(new[] { notPairs }, 1)).Kind);
        }

        [Fact]
        public void ListingScripts_TakeAFewSlotsEach() =>
            Assert.Equal(new[] { 16, 16, 2 }, SlotMigrationBatches.ListingScriptChunks(Enumerable.Range(100, 34).ToList()).Select(c => c.Count));

        [Fact]
        public void Listings_ForOtherSlotsThanAsked_AreRefused() =>
            Assert.Throws<ArgumentException>(() => SlotMigrationBatches.ReadListings(new[] { 1, 2 }, new[] { Keys() }, null));

        [Theory]
        [InlineData("IOERR error or timeout reading to target instance", true)]
        [InlineData("IOERR error or timeout writing to target instance", true)]
        [InlineData("TRYAGAIN Multiple keys request during rehashing of slot", true)]
        [InlineData("ERR Target instance replied with error: TRYAGAIN Multiple keys request during rehashing of slot", true)]
        [InlineData("ERR Target instance replied with error: BUSYKEY Target key name already exists.", false)]
        [InlineData("ERR Target instance replied with error: NOAUTH Authentication required.", false)]
        [InlineData("MOVED 5 10.0.0.3:6379", false)]
        public void TransientMigrateFailures_AreTheOnesWorthAnotherTry(string reply, bool transient) =>
            Assert.Equal(transient, SlotMigrationBatches.IsTransient(new RedisServerErrorException(Target, "MIGRATE", reply)));

        [Fact]
        public void NoAnswerInTime_IsTransient_AndADroppedConnectionIsNot()
        {
            Assert.True(SlotMigrationBatches.IsTransient(new RedisClusterException(FailureKind.Timeout, "late", Target)));
            Assert.False(SlotMigrationBatches.IsTransient(new RedisClusterException(FailureKind.Unreachable, "gone", Target)));
        }

        [Theory]
        [InlineData(10.0, 0, 100, -1)]
        [InlineData(10.0, 25, 100, 30)]
        [InlineData(3.0, 100, 100, 0)]
        [InlineData(1.0, 3, 10, 3)]
        public void SecondsRemaining_FollowsThePaceInSlots_AndIsUnknownBeforeTheFirst(double elapsed, int done, int planned, int expected) =>
            Assert.Equal(expected, SlotMigrationBatches.SecondsRemaining(elapsed, done, planned));

        [Fact]
        public void RetryDelays_DoubleFrom100Milliseconds_UpTo2Seconds()
        {
            Assert.Equal(new[] { 100, 200, 400, 800, 1600, 2000, 2000 },
                Enumerable.Range(1, 7).Select(n => (int)SlotMigrationBatches.RetryDelay(n).TotalMilliseconds));
        }

        [Fact]
        public void ServerSideMigration_IsWhatCommandInfoKnows_InTheOrderAsked()
        {
            Assert.Empty(SlotMigrationBatches.ServerSideMethods(RedisReply.FromArray(new[] { RedisReply.Null, RedisReply.Null })));
            Assert.Equal(new[] { SlotMigrationMethod.ClusterMigrateSlots },
                SlotMigrationBatches.ServerSideMethods(RedisReply.FromArray(new[] { Keys("migrateslots"), RedisReply.Null })));
            Assert.Equal(new[] { SlotMigrationMethod.ClusterMigration },
                SlotMigrationBatches.ServerSideMethods(RedisReply.FromArray(new[] { RedisReply.Null, Keys("migration") })));
            Assert.Empty(SlotMigrationBatches.ServerSideMethods(RedisReply.Null));
            Assert.Equal(new[] { "CLUSTER|MIGRATESLOTS", "CLUSTER|MIGRATION" }, SlotMigrationBatches.ServerSideCommands.Select(c => c.Name));
        }

        [Fact]
        public void Options_OutOfRange_AreRefusedWithTheirName()
        {
            var error = Assert.Throws<RedisClusterException>(() => new SlotMigrationOptions { KeysPerBatch = 0 }.Validate());
            Assert.Equal("InvalidMigrationOption", error.ErrorId);
            Assert.Contains("KeysPerBatch", error.Message);
            Assert.Throws<RedisClusterException>(() => new SlotMigrationOptions { Parallelism = -1 }.Validate());
            Assert.Contains("MigrateRetries", Assert.Throws<RedisClusterException>(() => new SlotMigrationOptions { MigrateRetries = -1 }.Validate()).Message);
            new SlotMigrationOptions().Validate();
        }

        [Fact]
        public void OpenSlot_MarkedOnBothSides_IsOneMoveFromSourceToTarget()
        {
            var selves = new[] { "open-slot-source-21001.txt", "open-slot-target-21002.txt", "open-slot-bystander-21003.txt" }
                .Select(f => TestData.Topology(f).Myself);

            var move = Assert.Single(SlotMigrator.OpenSlotMoves(selves));
            Assert.Equal(Move(100, N1, N2), move);
        }

        [Fact]
        public void OpenSlot_MarkedOnOneSideOnly_IsFinishedTowardsWhatThatSideSays()
        {
            Assert.Equal(Move(100, N1, N2), Assert.Single(SlotMigrator.OpenSlotMoves(new[] { TestData.Topology("open-slot-source-21001.txt").Myself })));
            Assert.Equal(Move(100, N1, N2), Assert.Single(SlotMigrator.OpenSlotMoves(new[] { TestData.Topology("open-slot-target-21002.txt").Myself })));
        }

        [Fact]
        public void OpenSlot_WhoseMarkersDisagree_IsLeftForARepair()
        {
            var source = TestData.Topology("open-slot-source-21001.txt").Myself;
            // A third node that imports the same slot from N1: two targets, nothing the executor can decide.
            var other = ClusterTopology.Parse(new NodeEndPoint("127.0.0.1", 21003),
                $"{N3} 127.0.0.1:21003@31003 myself,master - 0 0 3 connected 10923-16383 [100-<-{N1}]").Myself;

            Assert.Empty(SlotMigrator.OpenSlotMoves(new[] { source, other }));
        }
    }
}
