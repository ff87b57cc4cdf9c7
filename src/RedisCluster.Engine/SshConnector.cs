using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace RedisCluster.Engine
{
    /// <summary>
    /// <see cref="ISshConnector"/> over SSH.NET. The key files are read once, when it is made, so a wrong path or
    /// passphrase is one clear error before any host is contacted. Every failure of the library becomes one of
    /// this module's, in its words: the library's messages can quote what a server sent.
    /// </summary>
    public sealed class SshConnector : ISshConnector
    {
        private readonly SshOptions _options;
        private readonly IReadOnlyList<PrivateKeyFile> _keys;

        /// <exception cref="RedisClusterException">SshKeyPassphraseRequired, SshKeyFileUnreadable.</exception>
        public SshConnector(SshOptions options)
        {
            _options = options;
            _keys = options.KeyFiles.Select(path => ReadKey(path, options.Secret?.Password)).ToList();
        }

        public async Task<IRemoteSession> ConnectAsync(string computerName, IPAddress address, HostKeyVerifier hostKeys, CancellationToken cancellationToken)
        {
            // The command channel and SFTP each have a connection of their own: SSH.NET shares none between clients.
            var ssh = new SshClient(NewConnectionInfo(address, hostKeys));
            var sftp = new SftpClient(NewConnectionInfo(address, hostKeys)) { OperationTimeout = SshSession.OperationTimeout };
            try
            {
                await ConnectAsync(ssh, computerName, address, hostKeys, cancellationToken).ConfigureAwait(false);
                await ConnectAsync(sftp, computerName, address, hostKeys, cancellationToken).ConfigureAwait(false);
                return new SshSession(computerName, ssh, sftp);
            }
            catch (Exception)
            {
                ssh.Dispose();
                sftp.Dispose();
                throw;
            }
        }

        private ConnectionInfo NewConnectionInfo(IPAddress address, HostKeyVerifier hostKeys)
        {
            var info = new ConnectionInfo(address.ToString(), _options.Port, _options.UserName, AuthenticationMethods().ToArray())
            {
                Timeout = _options.ConnectTimeout,
            };
            var algorithms = info.HostKeyAlgorithms;
            var wanted = HostKeyAlgorithms.Arrange(algorithms.Keys.ToList(), hostKeys.KnownKeyTypes);
            foreach (string unwanted in algorithms.Keys.Except(wanted).ToList()) algorithms.Remove(unwanted, out _);
            for (int i = 0; i < wanted.Count; i++) algorithms.SetPosition(wanted[i], i);
            return info;
        }

        private IEnumerable<AuthenticationMethod> AuthenticationMethods()
        {
            if (!_options.UsesPassword)
            {
                yield return new PrivateKeyAuthenticationMethod(_options.UserName, _keys.Cast<IPrivateKeySource>().ToArray());
                yield break;
            }
            string password = _options.Secret.Password;
            yield return new PasswordAuthenticationMethod(_options.UserName, password);
            // Servers that take passwords through keyboard-interactive only (PasswordAuthentication no) ask a prompt.
            var interactive = new KeyboardInteractiveAuthenticationMethod(_options.UserName);
            interactive.AuthenticationPrompt += (sender, e) =>
            {
                foreach (var prompt in e.Prompts) prompt.Response = password;
            };
            yield return interactive;
        }

        private async Task ConnectAsync(BaseClient client, string computerName, IPAddress address, HostKeyVerifier hostKeys, CancellationToken cancellationToken)
        {
            client.HostKeyReceived += (sender, e) => e.CanTrust = hostKeys.Verify(e.HostKey);
            string where = computerName == address.ToString()
                ? $"{computerName} (SSH port {_options.Port})"
                : $"{computerName} ({address}, SSH port {_options.Port})";
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                // The library bounds each step by the timeout; this bounds them together.
                limit.CancelAfter(_options.ConnectTimeout);
                try
                {
                    await client.ConnectAsync(limit.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!(e is OperationCanceledException) || !cancellationToken.IsCancellationRequested)
                {
                    throw hostKeys.Refusal ?? Translate(e, where);
                }
            }
        }

        private RedisClusterException Translate(Exception e, string where)
        {
            switch (e)
            {
                case SshAuthenticationException _:
                    return new RedisClusterException(FailureKind.Authentication,
                        $"{where} refused the SSH login as {_options.Describe()}: check -SshUserName, -SshKeyFile and -SshCredential. Nothing was deployed.", inner: e)
                        { ErrorId = "SshAuthenticationFailed" };
                case SocketException s when s.SocketErrorCode == SocketError.ConnectionRefused:
                    return new RedisClusterException(FailureKind.Unreachable,
                        $"{where} refused the connection: no SSH server listens on that port (check -SshPort). Nothing was deployed.", inner: e)
                        { ErrorId = "SshConnectionRefused" };
                case SocketException s when s.SocketErrorCode == SocketError.TimedOut:
                case SshOperationTimeoutException _:
                case OperationCanceledException _:
                    return new RedisClusterException(FailureKind.Timeout,
                        $"{where} did not complete an SSH connection and login within {_options.ConnectTimeout.TotalSeconds:0.#} s: the host may be down or a firewall may drop the traffic. Nothing was deployed.", inner: e)
                        { ErrorId = "SshConnectTimeout" };
                case SocketException _:
                    return new RedisClusterException(FailureKind.Unreachable, $"{where} could not be reached over the network. Nothing was deployed.", inner: e)
                        { ErrorId = "SshHostUnreachable" };
                case ProxyException _:
                case SshConnectionException _:
                    return new RedisClusterException(FailureKind.Protocol,
                        $"{where} broke off the SSH handshake: what listens there may not be an SSH server, or it accepts none of this client's algorithms. Nothing was deployed.", inner: e)
                        { ErrorId = "SshHandshakeFailed" };
                default:
                    return new RedisClusterException(FailureKind.Unreachable, $"{where} could not be connected to over SSH ({e.GetType().Name}). Nothing was deployed.", inner: e)
                        { ErrorId = "SshConnectFailed" };
            }
        }

        private static PrivateKeyFile ReadKey(string path, string passphrase)
        {
            try
            {
                return string.IsNullOrEmpty(passphrase) ? new PrivateKeyFile(path) : new PrivateKeyFile(path, passphrase);
            }
            catch (SshPassPhraseNullOrEmptyException e)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"The SSH key file {path} is protected by a passphrase: give it as the password of -SshCredential.", inner: e) { ErrorId = "SshKeyPassphraseRequired" };
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"The SSH key file {path} could not be read: it is not an OpenSSH or PEM private key (ed25519, ecdsa or rsa), or its passphrase is wrong.", inner: e)
                    { ErrorId = "SshKeyFileUnreadable" };
            }
        }
    }
}
