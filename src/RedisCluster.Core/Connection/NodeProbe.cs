using System;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Says in plain words why a node cannot be used: the name did not resolve, the port refused, the connect
    /// timed out, the TLS handshake failed (and why), a password is needed, the password is wrong, or what
    /// answered is not a Redis server. It speaks to the node over a plain socket, so no client library's
    /// diagnostic text ever reaches a message.
    /// </summary>
    public static class NodeProbe
    {
        private const int MaxReplyLine = 512;

        /// <summary>
        /// Opens and closes a TCP connection. A refusing port fails here at once, before any client library
        /// retries against it until its timeout.
        /// </summary>
        public static async Task EnsureReachableAsync(NodeEndPoint endPoint, TimeSpan connectTimeout, CancellationToken cancellationToken)
        {
            using (var socket = await ConnectAsync(endPoint, connectTimeout, cancellationToken).ConfigureAwait(false))
            {
            }
        }

        /// <summary>
        /// Finds what stops a full connection (TCP, TLS, AUTH, PING) to the node, or returns null when the
        /// node can be used with these settings.
        /// </summary>
        public static async Task<RedisClusterException> DiagnoseAsync(NodeEndPoint endPoint, ConnectionSettings settings, CancellationToken cancellationToken)
        {
            try
            {
                var opened = await OpenAsync(endPoint, settings, cancellationToken).ConfigureAwait(false);
                opened.Stream.Dispose();
                opened.Socket.Dispose();
                return null;
            }
            catch (RedisClusterException e)
            {
                return e;
            }
        }

        /// <summary>
        /// A connection ready for commands: TCP, the TLS handshake when the settings ask for it, AUTH when they hold a
        /// password, and a PING answered; or the reason it cannot be had, in our words. The stream is positioned right
        /// after the PONG: nothing more was read.
        /// </summary>
        internal static async Task<(TcpClient Socket, Stream Stream)> OpenAsync(NodeEndPoint endPoint, ConnectionSettings settings, CancellationToken cancellationToken)
        {
            var socket = await ConnectAsync(endPoint, settings.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            Stream stream = socket.GetStream();
            try
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(settings.ConnectTimeout);
                    try
                    {
                        if (settings.UseTls)
                        {
                            var handshake = await HandshakeAsync(endPoint, settings, stream, timeout.Token).ConfigureAwait(false);
                            if (handshake.Exception != null) throw handshake.Exception;
                            stream = handshake.Stream;
                        }
                        if (settings.HasPassword)
                        {
                            string auth = await AskAsync(stream, AuthCommand(settings), timeout.Token).ConfigureAwait(false);
                            var refused = Classify(endPoint, auth, settings);
                            if (refused != null) throw refused;
                        }
                        string pong = await AskAsync(stream, Encode("PING"), timeout.Token).ConfigureAwait(false);
                        var failure = Classify(endPoint, pong, settings);
                        if (failure != null) throw failure;
                        return (socket, stream);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new RedisClusterException(FailureKind.Timeout,
                            $"{endPoint} accepted a connection but did not answer within {Seconds(settings.ConnectTimeout)}.", endPoint) { ErrorId = "NodeNotAnswering" };
                    }
                    catch (IOException e)
                    {
                        throw Closed(endPoint, settings, e);
                    }
                    catch (ObjectDisposedException e)
                    {
                        throw Closed(endPoint, settings, e);
                    }
                }
            }
            catch
            {
                stream.Dispose();
                socket.Dispose();
                throw;
            }
        }

        private static RedisClusterException Closed(NodeEndPoint endPoint, ConnectionSettings settings, Exception e)
        {
            if (!settings.UseTls)
            {
                return new RedisClusterException(FailureKind.Protocol,
                    $"{endPoint} closed the connection without answering; if the node speaks TLS, add -UseTls.", endPoint, e) { ErrorId = "NotRedisServer" };
            }
            // With TLS 1.3 a server checks the client's certificate after the handshake and then hangs up.
            return new RedisClusterException(FailureKind.Tls,
                settings.ClientCertificate == null
                    ? $"The TLS handshake with {endPoint} failed: the node hung up right after it; it may require a client certificate (-TlsClientCertificate)."
                    : $"The TLS handshake with {endPoint} failed: the node hung up right after it; it may not accept the client certificate.", endPoint, e)
            { ErrorId = "TlsHandshakeFailed" };
        }

        /// <summary>Reads the one-line reply to a command, as Redis writes simple replies.</summary>
        private static RedisClusterException Classify(NodeEndPoint endPoint, string line, ConnectionSettings settings)
        {
            if (line == null)
            {
                return Closed(endPoint, settings, null);
            }
            if (line.Length == 0 || "+-:$*".IndexOf(line[0]) < 0)
            {
                return new RedisClusterException(FailureKind.Protocol, $"{endPoint} answered, but not the way a Redis server does.", endPoint) { ErrorId = "NotRedisServer" };
            }
            if (line[0] != '-') return null;
            switch (RedisServerErrorException.Classify(line.Substring(1)))
            {
                case ServerErrorCode.NoAuth:
                    return new RedisClusterException(FailureKind.Authentication,
                        $"{endPoint} requires a password and none was given: add -Credential.", endPoint) { ErrorId = "PasswordRequired" };
                case ServerErrorCode.WrongPass:
                    return new RedisClusterException(FailureKind.Authentication,
                        $"{endPoint} refused user '{settings.UserName}' with the password given: check the credential's user name and password.", endPoint) { ErrorId = "AuthenticationFailed" };
                case ServerErrorCode.Err when settings.HasPassword && line.IndexOf("without any password configured", StringComparison.Ordinal) >= 0:
                    return new RedisClusterException(FailureKind.Authentication,
                        $"{endPoint} has no password set, but a credential was given: leave -Credential out or configure requirepass.", endPoint) { ErrorId = "AuthenticationFailed" };
                default:
                    return new RedisServerErrorException(endPoint, "PING", line.Substring(1));
            }
        }

        private struct Handshake
        {
            public Stream Stream;
            public RedisClusterException Exception;
        }

        private static async Task<Handshake> HandshakeAsync(NodeEndPoint endPoint, ConnectionSettings settings, Stream stream, CancellationToken cancellationToken)
        {
            SslPolicyErrors seen = SslPolicyErrors.None;
            X509Certificate2 authority = settings.TlsCaCertificatePath == null ? null : CertificateAuthority.Load(settings.TlsCaCertificatePath);
            var tls = new SslStream(stream, false, (sender, certificate, chain, errors) =>
            {
                seen = errors;
                if (settings.SkipCertificateCheck) return true;
                return authority != null ? CertificateAuthority.IsSignedBy(certificate, errors, authority) : errors == SslPolicyErrors.None;
            });
            try
            {
                var clientCertificates = new X509CertificateCollection();
                if (settings.ClientCertificate != null) clientCertificates.Add(settings.ClientCertificate);
                var handshake = tls.AuthenticateAsClientAsync(settings.TlsHostName ?? endPoint.Host, clientCertificates, SslProtocols.None, checkCertificateRevocation: false);
                if (await Task.WhenAny(handshake, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false) != handshake)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                await handshake.ConfigureAwait(false);
                return new Handshake { Stream = tls };
            }
            catch (Exception e) when (e is AuthenticationException || e is IOException)
            {
                tls.Dispose();
                return new Handshake
                {
                    Exception = new RedisClusterException(FailureKind.Tls,
                        $"The TLS handshake with {endPoint} failed: {TlsReason(seen, settings, endPoint)}", endPoint, e) { ErrorId = "TlsHandshakeFailed" },
                };
            }
        }

        private static string TlsReason(SslPolicyErrors errors, ConnectionSettings settings, NodeEndPoint endPoint)
        {
            if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return "the node sent no certificate.";
            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return settings.TlsCaCertificatePath != null
                    ? $"the node's certificate is not signed by the CA in {settings.TlsCaCertificatePath}."
                    : "the node's certificate is not signed by a CA this machine trusts: give -TlsCaCertificatePath.";
            }
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return $"the node's certificate is not issued for '{settings.TlsHostName ?? endPoint.Host}'.";
            return settings.ClientCertificate == null
                ? "the node ended the handshake; it may require a client certificate (-TlsClientCertificate), or not speak TLS on this port."
                : "the node ended the handshake; it may not accept the client certificate, or not speak TLS on this port.";
        }

        private static async Task<TcpClient> ConnectAsync(NodeEndPoint endPoint, TimeSpan connectTimeout, CancellationToken cancellationToken)
        {
            var client = new TcpClient(endPoint.Host.IndexOf(':') >= 0 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork) { NoDelay = true };
            try
            {
                var connect = client.ConnectAsync(endPoint.Host, endPoint.Port);
                var finished = await Task.WhenAny(connect, Task.Delay(connectTimeout, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (finished != connect)
                {
                    _ = connect.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                    throw new RedisClusterException(FailureKind.Timeout,
                        $"{endPoint} did not accept a connection within {Seconds(connectTimeout)}.", endPoint) { ErrorId = "ConnectTimeout" };
                }
                await connect.ConfigureAwait(false);
                return client;
            }
            catch (SocketException e)
            {
                client.Dispose();
                throw Describe(endPoint, e);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        private static RedisClusterException Describe(NodeEndPoint endPoint, SocketException e)
        {
            switch (e.SocketErrorCode)
            {
                case SocketError.HostNotFound:
                case SocketError.NoData:
                case SocketError.TryAgain:
                    return new RedisClusterException(FailureKind.Unreachable, $"The host name '{endPoint.Host}' of {endPoint} did not resolve.", endPoint, e) { ErrorId = "HostNotResolved" };
                case SocketError.ConnectionRefused:
                    return new RedisClusterException(FailureKind.Unreachable, $"{endPoint} refused the connection: nothing listens on port {endPoint.Port} there.", endPoint, e) { ErrorId = "ConnectionRefused" };
                case SocketError.TimedOut:
                    return new RedisClusterException(FailureKind.Timeout, $"{endPoint} did not accept a connection in time.", endPoint, e) { ErrorId = "ConnectTimeout" };
                case SocketError.NetworkUnreachable:
                case SocketError.HostUnreachable:
                case SocketError.HostDown:
                    return new RedisClusterException(FailureKind.Unreachable, $"{endPoint} cannot be reached: no route to that host.", endPoint, e) { ErrorId = "NodeUnreachable" };
                case SocketError.AddressNotAvailable:
                    return new RedisClusterException(FailureKind.Unreachable, $"{endPoint} is not an address this machine can connect to.", endPoint, e) { ErrorId = "NodeUnreachable" };
                default:
                    return new RedisClusterException(FailureKind.Unreachable, $"{endPoint} cannot be reached (socket error {e.SocketErrorCode}).", endPoint, e) { ErrorId = "NodeUnreachable" };
            }
        }

        private static async Task<string> AskAsync(Stream stream, byte[] command, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(command, 0, command.Length, cancellationToken).ConfigureAwait(false);
            var line = new StringBuilder();
            var buffer = new byte[1];
            while (line.Length < MaxReplyLine)
            {
                var read = stream.ReadAsync(buffer, 0, 1, cancellationToken);
                if (await Task.WhenAny(read, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false) != read)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                if (await read.ConfigureAwait(false) == 0) return line.Length == 0 ? null : line.ToString();
                if (buffer[0] == '\n') return line.ToString().TrimEnd('\r');
                line.Append((char)buffer[0]);
            }
            return line.ToString();
        }

        private static byte[] AuthCommand(ConnectionSettings settings) =>
            settings.IsAclUser
                ? Encode("AUTH", settings.UserName, settings.Credential.Password)
                : Encode("AUTH", settings.Credential.Password);

        private static byte[] Encode(params string[] words)
        {
            var text = new StringBuilder().Append('*').Append(words.Length).Append("\r\n");
            foreach (var word in words)
            {
                text.Append('$').Append(Encoding.UTF8.GetByteCount(word)).Append("\r\n").Append(word).Append("\r\n");
            }
            return Encoding.UTF8.GetBytes(text.ToString());
        }

        private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.#} s";
    }
}
