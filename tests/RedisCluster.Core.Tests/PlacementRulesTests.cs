using System.Linq;
using Xunit;

namespace RedisCluster.Tests
{
    public class PlacementRulesTests
    {
        private static PlacedNode Master(string key, string host) => new PlacedNode(key, key + ":6379", host, true, null);
        private static PlacedNode Replica(string key, string host, string master) => new PlacedNode(key, key + ":6379", host, false, master);

        [Fact]
        public void OneMasterPerHost_ReplicasElsewhere_HasNoFinding()
        {
            var nodes = new[]
            {
                Master("m1", "h1"), Master("m2", "h2"), Master("m3", "h3"),
                Replica("r1", "h2", "m1"), Replica("r2", "h3", "m2"), Replica("r3", "h1", "m3"),
            };
            Assert.Empty(PlacementRules.Evaluate(nodes));
        }

        [Fact]
        public void ReplicaOnItsMastersHost_IsFound()
        {
            var nodes = new[] { Master("m1", "h1"), Master("m2", "h2"), Replica("r1", "h1", "m1"), Replica("r2", "h1", "m2") };
            var finding = Assert.Single(PlacementRules.Evaluate(nodes));
            Assert.Equal(PlacementProblem.ReplicaOnMasterHost, finding.Problem);
            Assert.Equal("r1:6379 replicates m1:6379 on the same host (h1): losing that host loses both.", finding.Message);
            Assert.Equal(new[] { "r1", "m1" }, finding.Nodes.Select(n => n.Key));
        }

        [Fact]
        public void TheSeedsStateAfterAFailover_MastersUneven()
        {
            // A master died, its replica on h2 took over, the old master came back as a replica on h1.
            var nodes = new[]
            {
                Master("m2", "h2"), Master("m3", "h3"), Master("r1", "h2"),
                Replica("m1", "h1", "r1"), Replica("r2", "h3", "m2"), Replica("r3", "h1", "m3"),
            };
            var finding = Assert.Single(PlacementRules.Evaluate(nodes));
            Assert.Equal(PlacementProblem.MastersUneven, finding.Problem);
            Assert.Equal("Masters are spread unevenly: h2 carries 2, h1 none; losing a busy host takes several shards' masters at once.", finding.Message);
            Assert.Equal(new[] { "m2", "r1" }, finding.Nodes.Select(n => n.Key));
        }

        [Fact]
        public void OneHostApart_IsEvenEnough()
        {
            var nodes = new[] { Master("m1", "h1"), Master("m2", "h1"), Master("m3", "h2"), Replica("r1", "h2", "m1"), Replica("r2", "h2", "m2"), Replica("r3", "h1", "m3") };
            Assert.Empty(PlacementRules.Evaluate(nodes));
        }

        [Fact]
        public void OneHost_GivesOneFindingOnly()
        {
            var nodes = new[] { Master("m1", "h"), Master("m2", "h"), Replica("r1", "h", "m1"), Replica("r2", "h", "m2") };
            var finding = Assert.Single(PlacementRules.Evaluate(nodes));
            Assert.Equal(PlacementProblem.SingleHost, finding.Problem);
            Assert.Equal(4, finding.Nodes.Count);
        }

        [Fact]
        public void ReplicaCost_WeighsTheMastersHostAboveSiblings()
        {
            Assert.Equal(PlacementRules.ReplicaOnMasterHostCost, PlacementRules.ReplicaCost(new[] { ("h1", "h1", "m1") }));
            Assert.Equal(PlacementRules.SiblingsOnOneHostCost, PlacementRules.ReplicaCost(new[] { ("h2", "h1", "m1"), ("h2", "h1", "m1") }));
            Assert.Equal(0, PlacementRules.ReplicaCost(new[] { ("h2", "h1", "m1"), ("h3", "h1", "m1") }));
        }
    }
}
