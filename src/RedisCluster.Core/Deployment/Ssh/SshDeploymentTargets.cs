using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Hosts reached over SSH with one set of <see cref="SshOptions"/>: the name is resolved here, each of its
    /// addresses tried in turn until one answers, the host key checked against known_hosts, and the login must be
    /// root or have sudo without a password. The address that answered is the one the host's nodes bind to.
    /// </summary>
    public sealed class SshDeploymentTargets : IDeploymentTargetSource
    {
        /// <summary>The seed recipe's places on a Redis host.</summary>
        public const string RemoteInstallPath = "/usr/local/redis";
        public const string RemoteDataPath = "/data/redis";

        private readonly ISshConnector _connector;
        private readonly SshOptions _options;

        public SshDeploymentTargets(ISshConnector connector, SshOptions options)
        {
            _connector = connector;
            _options = options;
        }

        public string Description => $"over SSH (port {_options.Port}) as {_options.Describe()}";

        /// <summary>Refuses a path the far side could not read as meant: a relative one, or ~, is this machine's idea.</summary>
        /// <exception cref="RedisClusterException">RemotePathNotAbsolute.</exception>
        public static string CheckRemotePath(string path, string parameterName)
        {
            if (!TargetPath.IsPosixRooted(path))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-{parameterName} '{path}' is not an absolute path: on a remote host, paths are the host's and must start with '/'.") { ErrorId = "RemotePathNotAbsolute" };
            }
            return path;
        }

        public async Task<IDeploymentTarget> OpenAsync(string computerName, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            var hostKeys = new HostKeyVerifier(_options.KnownHostsPath, _options.AcceptNewHostKey, computerName, _options.Port);
            RedisClusterException unreachable = null;
            foreach (var address in await ResolveAsync(computerName).ConfigureAwait(false))
            {
                IRemoteSession session;
                try
                {
                    session = await _connector.ConnectAsync(computerName, address, hostKeys, cancellationToken).ConfigureAwait(false);
                }
                catch (RedisClusterException e) when (e.Kind == FailureKind.Unreachable || e.Kind == FailureKind.Timeout)
                {
                    unreachable = e;
                    continue;
                }
                if (hostKeys.RecordedKey != null)
                {
                    progress?.Report(OperationProgress.Warning(
                        $"Trusted the new SSH host key of {computerName} ({hostKeys.RecordedKey}) and recorded it in {hostKeys.KnownHostsPath}."));
                }
                var target = new RemoteDeploymentTarget(computerName, address.ToString(), session, "SSH login");
                try
                {
                    await target.EnsurePrivilegesAsync(_options.UserName, cancellationToken).ConfigureAwait(false);
                    return target;
                }
                catch (Exception)
                {
                    target.Dispose();
                    throw;
                }
            }
            throw unreachable;
        }

        /// <summary>The addresses to try, IPv4 first; an address given as such is the only one.</summary>
        /// <exception cref="RedisClusterException">SshHostNotFound.</exception>
        private static async Task<IReadOnlyList<IPAddress>> ResolveAsync(string computerName)
        {
            if (IPAddress.TryParse(computerName, out var address)) return new[] { address };
            IPAddress[] addresses;
            try
            {
                addresses = await Dns.GetHostAddressesAsync(computerName).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw HostNotFound(computerName, e);
            }
            if (addresses.Length == 0) throw HostNotFound(computerName, null);
            return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).ToList();
        }

        private static RedisClusterException HostNotFound(string computerName, Exception inner) =>
            new RedisClusterException(FailureKind.NotFound, $"The host name '{computerName}' could not be resolved to an address.", inner: inner) { ErrorId = "SshHostNotFound" };
    }
}
