using System.Linq;
using CsCheck;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>How Test-RedisCluster splits the slots it counts into short scripts.</summary>
    public class KeyCountBatchTests
    {
        [Fact]
        public void AMastersThird_IsSixScriptsOfAtMost1024Slots()
        {
            var batches = ClusterHealthReadings.ScriptBatches(Enumerable.Range(0, 5461)).ToList();
            Assert.Equal(6, batches.Count);
            Assert.Equal(new[] { new SlotRange(0, 1023) }, batches[0]);
            Assert.Equal(new[] { new SlotRange(5120, 5460) }, batches[5]);
        }

        [Fact]
        public void ScatteredSlots_ShareAScript()
        {
            var batch = Assert.Single(ClusterHealthReadings.ScriptBatches(new[] { 7, 3, 4, 5, 100 }));
            Assert.Equal(new[] { new SlotRange(3, 5), new SlotRange(7), new SlotRange(100) }, batch);
        }

        [Fact]
        public void NoSlots_NoScript() => Assert.Empty(ClusterHealthReadings.ScriptBatches(new int[0]));

        [Fact]
        public void Batches_CoverEverySlotOnce_AndNoneExceedsTheLimit()
        {
            Gen.Int[0, HashSlot.MaxSlot].Array[0, 3000].Sample(slots =>
            {
                var batches = ClusterHealthReadings.ScriptBatches(slots).ToList();
                Assert.All(batches, b => Assert.InRange(b.Sum(r => r.Count), 1, ClusterHealthReadings.SlotsPerScript));
                Assert.Equal(slots.Distinct().OrderBy(s => s), batches.SelectMany(b => b).SelectMany(r => r.Slots()));
            });
        }
    }
}
