using System.Management.Automation;
using System.Net;

namespace RedisCluster.Internal
{
    internal static class Credentials
    {
        /// <summary>The engine's form of a credential; none (or the empty one) means no password.</summary>
        public static NetworkCredential ToNetworkCredential(PSCredential credential) =>
            credential == null || credential == PSCredential.Empty ? null : credential.GetNetworkCredential();
    }
}
