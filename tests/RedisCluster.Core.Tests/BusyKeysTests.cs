using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>How a key found on both sides of a move is settled, by the slot mover and the repairer alike.</summary>
    public class BusyKeysTests
    {
        private static RedisReply Copy(string value) => RedisReply.Bulk(Encoding.UTF8.GetBytes(value));

        [Theory]
        [InlineData(null, "a", KeyConflictPolicy.CompareValues, false, nameof(BusyKeyAction.AlreadyMoved))]
        [InlineData("a", null, KeyConflictPolicy.CompareValues, false, nameof(BusyKeyAction.Migrate))]
        [InlineData("a", null, KeyConflictPolicy.KeepOwnerCopy, false, nameof(BusyKeyAction.Migrate))]
        [InlineData("a", "a", KeyConflictPolicy.CompareValues, false, nameof(BusyKeyAction.MigrateReplacing))]
        [InlineData("a", "b", KeyConflictPolicy.CompareValues, false, nameof(BusyKeyAction.Conflict))]
        [InlineData("a", "b", KeyConflictPolicy.CompareValues, true, nameof(BusyKeyAction.MigrateReplacing))]
        [InlineData("a", "a", KeyConflictPolicy.KeepOwnerCopy, false, nameof(BusyKeyAction.DropSenderCopy))]
        [InlineData("a", "b", KeyConflictPolicy.KeepOwnerCopy, true, nameof(BusyKeyAction.DropSenderCopy))]
        public void Decide(string sender, string receiver, KeyConflictPolicy policy, bool replace, string expected)
        {
            var action = BusyKeys.Decide(sender == null ? RedisReply.Null : Copy(sender), receiver == null ? RedisReply.Null : Copy(receiver), policy, replace);

            Assert.Equal(expected, action.ToString());
        }

        [Fact]
        public async Task Settle_DoesWhatEachKeyNeeds_AndReturnsOnlyTheConflicts()
        {
            var sender = new Dictionary<string, string> { ["same"] = "1", ["differs"] = "2", ["only-here"] = "3" };
            var receiver = new Dictionary<string, string> { ["same"] = "1", ["differs"] = "other", ["gone"] = "4" };
            var done = new List<string>();
            var sides = new BusyKeySides
            {
                DumpOnSenderAsync = key => Task.FromResult(sender.TryGetValue(Encoding.UTF8.GetString(key), out var v) ? Copy(v) : RedisReply.Null),
                DumpOnReceiverAsync = key => Task.FromResult(receiver.TryGetValue(Encoding.UTF8.GetString(key), out var v) ? Copy(v) : RedisReply.Null),
                MigrateAsync = (key, replace) => { done.Add($"MIGRATE {Encoding.UTF8.GetString(key)}{(replace ? " REPLACE" : "")}"); return Task.CompletedTask; },
            };
            var actions = new List<BusyKeyAction>();
            var keys = new[] { "same", "differs", "only-here", "gone" }.Select(Encoding.UTF8.GetBytes);

            var conflicts = await BusyKeys.SettleAsync(keys, KeyConflictPolicy.CompareValues, replace: false, sides, actions.Add);

            Assert.Equal(new[] { "differs" }, conflicts);
            Assert.Equal(new[] { "MIGRATE same REPLACE", "MIGRATE only-here" }, done);
            Assert.Equal(new[] { BusyKeyAction.MigrateReplacing, BusyKeyAction.Migrate, BusyKeyAction.AlreadyMoved }, actions);
        }
    }
}
