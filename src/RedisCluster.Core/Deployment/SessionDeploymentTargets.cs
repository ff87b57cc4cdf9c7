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
    /// Hosts reached through sessions the caller opened and keeps (PowerShell remoting), one per host, found by the
    /// name the session reached. Nothing here opens or closes a session. The far side needs a POSIX shell (/bin/sh),
    /// and for root-owned paths a root login or sudo that needs no password, as over SSH. A host's nodes bind the
    /// address the session reached: the one named, or, for a name, the address its SSH connection came to.
    /// </summary>
    public sealed class SessionDeploymentTargets : IDeploymentTargetSource
    {
        /// <summary>What the session is, in messages: "The PowerShell session to lwz1 as 'ops' is not root ...".</summary>
        public const string Login = "PowerShell session";

        /// <summary>Who the session is logged in as, and how it came (sshd's "client port server port", empty over WinRM).</summary>
        internal const string LoginCommand = "printf '%s\\n' \"$(id -un)\" \"${SSH_CONNECTION-}\"";

        private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(10);

        private readonly IReadOnlyDictionary<string, IRemoteSession> _sessions;

        /// <param name="sessionsByHost">One session per host name, compared without case.</param>
        public SessionDeploymentTargets(IEnumerable<KeyValuePair<string, IRemoteSession>> sessionsByHost) =>
            _sessions = sessionsByHost.ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase);

        public string Description => "through its " + Login;

        /// <exception cref="RedisClusterException">
        /// SessionNotFound; RemoteCommandFailed when the far side runs no POSIX shell; SessionAddressUnknown; the sudo refusals.
        /// </exception>
        public async Task<IDeploymentTarget> OpenAsync(string computerName, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            if (!_sessions.TryGetValue(computerName, out var session))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"No session given with -Session reaches {computerName}: give one whose ComputerName is {computerName}.") { ErrorId = "SessionNotFound" };
            }
            var login = await session.ExecuteAsync(LoginCommand, new Deadline(LookupTimeout), cancellationToken).ConfigureAwait(false);
            var (userName, sshConnection) = ParseLogin(login);
            if (userName == null)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{computerName} did not tell its login (id -un) through its {Login}: the far side needs a POSIX shell (/bin/sh) and the id program.") { ErrorId = "RemoteCommandFailed" };
            }
            var target = new RemoteDeploymentTarget(computerName, await AddressOfAsync(computerName, sshConnection).ConfigureAwait(false), session, Login);
            await target.EnsurePrivilegesAsync(userName, cancellationToken).ConfigureAwait(false);
            return target;
        }

        /// <summary>The login name and the SSH_CONNECTION text (empty when the session did not come over SSH); a null name when the command failed.</summary>
        internal static (string UserName, string SshConnection) ParseLogin(ProgramResult result)
        {
            if (!result.Exited || result.ExitCode != 0) return (null, null);
            var lines = result.Output.Replace("\r", string.Empty).Split('\n');
            string userName = lines[0].Trim();
            return userName.Length == 0 ? (null, null) : (userName, lines.Length > 1 ? lines[1].Trim() : string.Empty);
        }

        /// <summary>
        /// The address the host's nodes bind to and are reached at: the address the session was opened to; for a
        /// name, the server address of the SSH connection the session came over (sshd's SSH_CONNECTION), which is
        /// the one this machine reached, rather than what the name resolves to on the host; else the name resolved
        /// here, IPv4 first.
        /// </summary>
        /// <exception cref="RedisClusterException">SessionAddressUnknown.</exception>
        internal static async Task<string> AddressOfAsync(string computerName, string sshConnection)
        {
            if (IPAddress.TryParse(computerName, out var given)) return given.ToString();
            var fields = (sshConnection ?? string.Empty).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 4 && IPAddress.TryParse(fields[2], out var reached)) return reached.ToString();
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(computerName).ConfigureAwait(false);
                var first = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault();
                if (first != null) return first.ToString();
            }
            catch (SocketException)
            {
                // Told below, in this module's words.
            }
            throw new RedisClusterException(FailureKind.NotFound,
                $"The address of {computerName} is unknown: the name does not resolve here and its {Login} did not come over SSH. Open the session with the host's address.")
                { ErrorId = "SessionAddressUnknown" };
        }
    }
}
