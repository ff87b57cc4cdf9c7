using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCluster
{
    /// <summary>
    /// A direct line to one node. Commands go to exactly this node, never routed by the client library, so
    /// repair and failover can talk to each node even while the nodes disagree about the cluster.
    /// Commands issued concurrently are pipelined on the one socket.
    /// </summary>
    public sealed class NodeClient : IDisposable
    {
        private readonly ConnectionMultiplexer _multiplexer;
        private readonly IDatabase _database;

        // Administration never subscribes; without these commands the library opens no second socket per node.
        private static readonly CommandMap NoSubscriptions = CommandMap.Create(
            new HashSet<string> { "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE" }, available: false);
        private readonly TimeSpan _commandTimeout;

        private NodeClient(NodeEndPoint endPoint, ConnectionMultiplexer multiplexer, TimeSpan commandTimeout)
        {
            EndPoint = endPoint;
            _multiplexer = multiplexer;
            _commandTimeout = commandTimeout;
            // With a single endpoint and no cluster discovery, the database API reaches exactly this node.
            _database = multiplexer.GetDatabase();
        }

        public NodeEndPoint EndPoint { get; }

        public bool IsConnected => _multiplexer.IsConnected;

        /// <summary>Connects and authenticates, or fails within the connect timeout with a classified error.</summary>
        public static async Task<NodeClient> ConnectAsync(NodeEndPoint endPoint, ConnectionSettings settings, CancellationToken cancellationToken)
        {
            var options = BuildOptions(endPoint, settings);
            ConnectionMultiplexer multiplexer;
            try
            {
                var connecting = ConnectionMultiplexer.ConnectAsync(options);
                var finished = await Task.WhenAny(connecting, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
                if (finished != connecting)
                {
                    _ = connecting.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
                    throw new OperationCanceledException(cancellationToken);
                }
                multiplexer = await connecting.ConfigureAwait(false);
            }
            catch (RedisConnectionException e)
            {
                throw ClassifyConnectFailure(endPoint, e);
            }
            return new NodeClient(endPoint, multiplexer, settings.CommandTimeout);
        }

        private static ConfigurationOptions BuildOptions(NodeEndPoint endPoint, ConnectionSettings settings)
        {
            var options = new ConfigurationOptions
            {
                AbortOnConnectFail = true,
                ConnectRetry = 1,
                ConnectTimeout = (int)settings.ConnectTimeout.TotalMilliseconds,
                SyncTimeout = (int)settings.CommandTimeout.TotalMilliseconds,
                AsyncTimeout = (int)settings.CommandTimeout.TotalMilliseconds,
                AllowAdmin = true,
                ClientName = "RedisCluster-PS",
                KeepAlive = 10,
                // A node that is down must be reported as such at once, not after commands sat in a backlog.
                BacklogPolicy = BacklogPolicy.FailFast,
                // Talk to this node only: as a "proxy" the library neither discovers the other cluster nodes
                // nor redirects commands, and the default command map keeps every command usable.
                Proxy = Proxy.Envoyproxy,
                CommandMap = NoSubscriptions,
                Ssl = settings.UseTls,
                // RESP2 replies plain strings; RESP3 would wrap CLUSTER NODES and INFO as "txt:" verbatim strings.
                Protocol = RedisProtocol.Resp2,
            };
            options.EndPoints.Add(endPoint.Host, endPoint.Port);
            if (settings.HasPassword)
            {
                options.User = settings.IsAclUser ? settings.UserName : null;
                options.Password = settings.Credential.Password;
            }
            if (settings.UseTls)
            {
                options.SslHost = settings.TlsHostName ?? endPoint.Host;
                if (settings.ClientCertificate != null)
                {
                    var clientCertificate = settings.ClientCertificate;
                    options.CertificateSelection += (sender, host, local, remote, issuers) => clientCertificate;
                }
                if (settings.SkipCertificateCheck)
                {
                    options.CertificateValidation += (sender, certificate, chain, errors) => true;
                }
                else if (!string.IsNullOrEmpty(settings.TlsCaCertificatePath))
                {
                    var authority = LoadCertificateAuthority(settings.TlsCaCertificatePath);
                    options.CertificateValidation += (sender, certificate, chain, errors) =>
                        CertificateAuthority.IsSignedBy(certificate, errors, authority);
                }
            }
            return options;
        }

        private static X509Certificate2 LoadCertificateAuthority(string path)
        {
            try
            {
                return new X509Certificate2(File.ReadAllBytes(path));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.Security.Cryptography.CryptographicException)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, $"The CA certificate '{path}' could not be read: {e.Message}", inner: e);
            }
        }

        private static RedisClusterException ClassifyConnectFailure(NodeEndPoint endPoint, RedisConnectionException e)
        {
            string detail = e.InnerException?.Message ?? e.Message;
            bool authentication = e.FailureType == ConnectionFailureType.AuthenticationFailure ||
                detail.IndexOf("WRONGPASS", StringComparison.Ordinal) >= 0 ||
                detail.IndexOf("NOAUTH", StringComparison.Ordinal) >= 0 ||
                e.Message.IndexOf("authentication", StringComparison.OrdinalIgnoreCase) >= 0;
            if (authentication)
            {
                return new RedisClusterException(FailureKind.Authentication,
                    $"Authentication to {endPoint} failed: check the credential's user name and password.", endPoint, e) { ErrorId = "AuthenticationFailed" };
            }
            return new RedisClusterException(FailureKind.Unreachable,
                $"Node {endPoint} is unreachable: {FirstSentence(detail)}", endPoint, e) { ErrorId = "NodeUnreachable" };
        }

        private static string FirstSentence(string text)
        {
            int end = text.IndexOf(". ", StringComparison.Ordinal);
            return end < 0 ? text : text.Substring(0, end + 1);
        }

        /// <summary>Runs one command on this node. Server errors become RedisClusterException with the server's words.</summary>
        public async Task<RedisResult> ExecuteAsync(string command, params object[] arguments)
        {
            try
            {
                return await _database.ExecuteAsync(command, arguments).ConfigureAwait(false);
            }
            catch (RedisServerException e)
            {
                var kind = e.Message.StartsWith("NOAUTH", StringComparison.Ordinal) || e.Message.StartsWith("WRONGPASS", StringComparison.Ordinal) || e.Message.StartsWith("NOPERM", StringComparison.Ordinal)
                    ? FailureKind.Authentication
                    : FailureKind.ServerError;
                throw new RedisClusterException(kind, $"{EndPoint} answered {Describe(command, arguments)} with: {e.Message}", EndPoint, e) { ErrorId = "ServerError" };
            }
            catch (RedisTimeoutException e)
            {
                throw new RedisClusterException(FailureKind.Timeout,
                    $"{EndPoint} did not answer {Describe(command, arguments)} within {_commandTimeout.TotalSeconds:0.#} s.", EndPoint, e) { ErrorId = "CommandTimeout" };
            }
            catch (RedisConnectionException e)
            {
                throw new RedisClusterException(FailureKind.Unreachable,
                    $"Node {EndPoint} is unreachable: {FirstSentence(e.Message)}", EndPoint, e) { ErrorId = "NodeUnreachable" };
            }
        }

        public async Task<string> ExecuteStringAsync(string command, params object[] arguments) =>
            (string)await ExecuteAsync(command, arguments).ConfigureAwait(false);

        public async Task<long> ExecuteInt64Async(string command, params object[] arguments) =>
            (long)await ExecuteAsync(command, arguments).ConfigureAwait(false);

        /// <summary>The command name and subcommand, enough to say what failed without echoing values or secrets.</summary>
        private static string Describe(string command, object[] arguments)
        {
            string sub = arguments.Length > 0 && arguments[0] is string s && s.All(char.IsLetter) ? " " + s.ToUpperInvariant() : string.Empty;
            return command.ToUpperInvariant() + sub;
        }

        public void Dispose() => _multiplexer.Dispose();
    }
}
