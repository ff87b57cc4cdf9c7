using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>The Redis version every node the module builds a cluster from, or adds to one, must run.</summary>
    public static class ServerRequirements
    {
        /// <summary>CLUSTER ADDSLOTSRANGE, which creation relies on, came with Redis 7.0; joins keep clusters to one generation.</summary>
        public static readonly Version MinimumVersion = new Version(7, 0);

        /// <summary>True for a version older than the module supports; a version not reported is taken as new enough.</summary>
        public static bool IsTooOld(Version version) => version != null && version < MinimumVersion;

        /// <summary>Refuses, naming each, servers older than the operation needs.</summary>
        /// <param name="operation">What needs the version, as the start of a sentence: "Creating a cluster".</param>
        public static void EnsureNewEnough(IEnumerable<(NodeEndPoint EndPoint, Version Version)> servers, string operation)
        {
            var tooOld = servers.Where(s => IsTooOld(s.Version)).ToList();
            if (tooOld.Count == 0) return;
            throw new RedisClusterException(FailureKind.InvalidState,
                $"{operation} needs Redis {MinimumVersion} or newer; nothing was changed. Too old: " +
                string.Join(", ", tooOld.Select(s => $"{s.EndPoint} runs {s.Version}")) + ".")
            { ErrorId = "ServerTooOld" };
        }
    }
}
