using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Opens SSH sessions: implemented by the engine over SSH.NET (in the module's private load context), so this
    /// assembly, whose types scripts see, depends on no SSH library. Made for one <see cref="SshOptions"/>.
    /// </summary>
    public interface ISshConnector
    {
        /// <summary>
        /// Connects to one address of a host, lets the verifier judge its host key, and logs in.
        /// </summary>
        /// <exception cref="RedisClusterException">
        /// The verifier's refusal; SshConnectionRefused, SshHostUnreachable (Unreachable: another address may answer);
        /// SshConnectTimeout (Timeout); SshAuthenticationFailed; SshHandshakeFailed.
        /// </exception>
        Task<IRemoteSession> ConnectAsync(string computerName, IPAddress address, HostKeyVerifier hostKeys, CancellationToken cancellationToken);
    }
}
