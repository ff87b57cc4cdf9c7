using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace RedisCluster.Tests
{
    /// <summary>Reads the CLUSTER NODES captures under Data/cluster-nodes (copied to the output folder).</summary>
    internal static class TestData
    {
        public static string Folder => Path.Combine(AppContext.BaseDirectory, "Data", "cluster-nodes");

        public static string Read(string fileName) => File.ReadAllText(Path.Combine(Folder, fileName));

        public static IReadOnlyList<RedisClusterNode> Parse(string fileName) => ClusterNodesParser.Parse(Read(fileName));

        public static ClusterTopology Topology(string fileName)
        {
            // The port is the number before ".txt" where the file name has one.
            string stem = Path.GetFileNameWithoutExtension(fileName);
            string last = stem.Substring(stem.LastIndexOf('-') + 1);
            var source = int.TryParse(last, out int port) ? new NodeEndPoint("127.0.0.1", port) : new NodeEndPoint("127.0.0.1", 21000);
            return ClusterTopology.Parse(source, Read(fileName));
        }

        public static IEnumerable<string> AllCaptures() =>
            Directory.GetFiles(Folder, "*.txt").Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal);

        public static IEnumerable<object[]> AllCaptureData() => AllCaptures().Select(f => new object[] { f });
    }

    /// <summary>Ids of the captured six-node cluster (see Data/cluster-nodes/README.md).</summary>
    internal static class Ids
    {
        public const string N1 = "e23404f036480ae04fa18ad39d0e9a30c961de09"; // 21001 master 0-5460
        public const string N2 = "c2445dcaa549664c725246df3c816ac2c6169d16"; // 21002 master 5461-10922
        public const string N3 = "4c75e9642687c801de6cba07abce0de0961198f9"; // 21003 master 10923-16383
        public const string N4 = "1be83e51bdbca9a98f6de0dc4f4fc2ee8506733b"; // 21004 replica of N1
        public const string N5 = "ccd8b8057f120548d2675b4949cbea60b12a6752"; // 21005 replica of N2
        public const string N6 = "d02caf0e60edbfcd738be4afec1ff0c4b469171d"; // 21006 replica of N3
        public const string Fresh = "ea0d75741749bfb035c1a2a5be6e71f1e3a2b98f"; // 21000
        public const string Handshake = "f50e6d77be150e62a99122b7ea079862e03b5207"; // random id for 21099
        public const string NoAddrSelf = "830a75ad419217c687002bb940dcc50152eefcf3"; // 21010
        public const string NoAddrOld = "6bf838c96d077d8622e1a81eadd75c07331095b0"; // 21011 before RESET HARD

        public static NodeId Id(string text) => NodeId.Parse(text);
    }
}
