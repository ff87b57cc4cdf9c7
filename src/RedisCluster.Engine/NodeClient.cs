using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace RedisCluster.Engine
{
    /// <summary>
    /// <see cref="INodeClient"/> over StackExchange.Redis: one multiplexer per node, talking to that node only.
    /// The library neither discovers the other cluster nodes nor follows redirections: every command carries
    /// <see cref="CommandFlags.NoRedirect"/>, so a MOVED reply is an error from the node asked.
    /// </summary>
    /// <remarks>
    /// A MOVED or ASK reply, though not followed, makes the library add the node it names to the multiplexer's
    /// servers (ServerSelectionStrategy.TryResend registers the endpoint before it looks at NoRedirect) and connect
    /// to it; the commands it routes from then on (IDatabase.Execute, keyless) go to either server in turn, so a
    /// GETKEYSINSLOT was answered by the other node and a DUMP with "MOVED" pointing back at the node asked. The
    /// server API that would pin a command to one server is refused in the proxy mode that keeps the library from
    /// discovering the cluster. So a multiplexer that has learned of another server is used no more: the next
    /// command opens a fresh one (the registration happens while the redirect reply is read, before that other
    /// server can be connected, and routing happens when a command is queued, so no command reaches it), and the
    /// old one closes once its commands in flight have their answers.
    /// </remarks>
    internal sealed class NodeClient : INodeClient
    {
        // Administration never subscribes; without these commands the library opens no second socket per node.
        private static readonly CommandMap NoSubscriptions = CommandMap.Create(
            new HashSet<string> { "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE" }, available: false);

        private readonly ConnectionSettings _settings;
        private readonly SemaphoreSlim _replacing = new SemaphoreSlim(1, 1);
        private volatile ConnectionMultiplexer _multiplexer;
        private volatile bool _disposed;

        private NodeClient(NodeEndPoint endPoint, ConnectionSettings settings, ConnectionMultiplexer multiplexer, TimeSpan commandTimeout)
        {
            EndPoint = endPoint;
            _settings = settings;
            _multiplexer = multiplexer;
            CommandTimeout = commandTimeout;
        }

        public NodeEndPoint EndPoint { get; }

        public TimeSpan CommandTimeout { get; }

        public bool IsConnected => _multiplexer.IsConnected;

        public static async Task<INodeClient> ConnectAsync(NodeEndPoint endPoint, ConnectionSettings settings, TimeSpan commandTimeout, CancellationToken cancellationToken) =>
            new NodeClient(endPoint, settings, await OpenAsync(endPoint, settings, commandTimeout, cancellationToken).ConfigureAwait(false), commandTimeout);

        /// <summary>True once the library knows a server besides the one configured: it learned it from a redirect reply.</summary>
        internal static bool KnowsOtherServers(ConnectionMultiplexer multiplexer) => multiplexer.GetEndPoints().Length > 1;

        /// <summary>The multiplexer to queue the next command on: a fresh one if the current one has learned of another server.</summary>
        private async Task<ConnectionMultiplexer> MultiplexerAsync(CancellationToken cancellationToken)
        {
            var current = _multiplexer;
            if (!KnowsOtherServers(current)) return current;
            await _replacing.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_multiplexer != current) return _multiplexer;
                _multiplexer = await OpenAsync(EndPoint, _settings, CommandTimeout, cancellationToken).ConfigureAwait(false);
                _ = current.CloseAsync(allowCommandsToComplete: true).ContinueWith(t => current.Dispose(), TaskScheduler.Default);
                if (_disposed) _multiplexer.Dispose();
                return _multiplexer;
            }
            finally
            {
                _replacing.Release();
            }
        }

        private static async Task<ConnectionMultiplexer> OpenAsync(NodeEndPoint endPoint, ConnectionSettings settings, TimeSpan commandTimeout, CancellationToken cancellationToken)
        {
            var options = BuildOptions(endPoint, settings, commandTimeout);
            ConnectionMultiplexer multiplexer;
            // A refusing port or an unknown host fails the probe at once, in our words, where the client library
            // would retry until its timeout. The probe runs beside the client's own connect, not before it: a
            // node that accepts costs no extra round trip.
            var probe = NodeProbe.EnsureReachableAsync(endPoint, settings.ConnectTimeout, cancellationToken);
            _ = probe.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            var connecting = ConnectionMultiplexer.ConnectAsync(options);
            try
            {
                var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
                var first = await Task.WhenAny(connecting, probe, cancelled).ConfigureAwait(false);
                if (first == probe && !probe.IsFaulted) first = await Task.WhenAny(connecting, cancelled).ConfigureAwait(false);
                if (first != connecting)
                {
                    // Refused, not resolved, or cancelled: the client's own attempt is dropped.
                    _ = connecting.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
                    if (probe.IsFaulted) await probe.ConfigureAwait(false);
                    throw new OperationCanceledException(cancellationToken);
                }
                multiplexer = await connecting.ConfigureAwait(false);
            }
            catch (RedisConnectionException e)
            {
                // The library's message is a diagnostic dump; ask the node ourselves what went wrong. A probe that
                // failed has said it already (a port that never answers then costs one connect timeout, not two).
                await probe.ConfigureAwait(false);
                var diagnosis = await NodeProbe.DiagnoseAsync(endPoint, settings, cancellationToken).ConfigureAwait(false);
                throw diagnosis ?? new RedisClusterException(FailureKind.Unreachable,
                    $"{endPoint} answers, but a connection could not be set up ({e.FailureType}).", endPoint, e) { ErrorId = "NodeUnreachable" };
            }
            return multiplexer;
        }

        private static ConfigurationOptions BuildOptions(NodeEndPoint endPoint, ConnectionSettings settings, TimeSpan commandTimeout)
        {
            var options = new ConfigurationOptions
            {
                AbortOnConnectFail = true,
                ConnectRetry = 1,
                ConnectTimeout = (int)settings.ConnectTimeout.TotalMilliseconds,
                SyncTimeout = (int)commandTimeout.TotalMilliseconds,
                AsyncTimeout = (int)commandTimeout.TotalMilliseconds,
                AllowAdmin = true,
                // Redirect errors carry the target and slot only with details on (see Redirects); the library's
                // messages never reach a user either way.
                IncludeDetailInExceptions = true,
                ClientName = "RedisCluster-PS",
                KeepAlive = 10,
                // A node that is down must be reported as such at once, not after commands sat in a backlog.
                BacklogPolicy = BacklogPolicy.FailFast,
                // Talk to this node only: as a "proxy" the library neither discovers the other cluster nodes
                // nor routes commands, and the default command map keeps every command usable.
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
                    var authority = CertificateAuthority.Load(settings.TlsCaCertificatePath);
                    options.CertificateValidation += (sender, certificate, chain, errors) =>
                        CertificateAuthority.IsSignedBy(certificate, errors, authority);
                }
            }
            return options;
        }

        public async Task<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken, TimeSpan? timeout = null)
        {
            var limit = timeout ?? CommandTimeout;
            if (limit > CommandTimeout)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), limit,
                    "A call cannot wait longer than its client's command timeout: open a client with a longer one (GetNodeAsync with commandTimeout).");
            }
            cancellationToken.ThrowIfCancellationRequested();
            CommandLog.Write(EndPoint, command);
            var multiplexer = await MultiplexerAsync(cancellationToken).ConfigureAwait(false);
            // With a single server known and no cluster discovery, the database API reaches exactly this node.
            var call = multiplexer.GetDatabase().ExecuteAsync(command.Name, command.Arguments.Select(ToLibraryArgument).ToList(), CommandFlags.NoRedirect);
            try
            {
                // The library ends every call at its own timeout; a timer is needed only for a shorter one.
                if (limit < CommandTimeout && !call.IsCompleted)
                {
                    var gaveUp = Task.Delay(limit);
                    if (await Task.WhenAny(call, gaveUp).ConfigureAwait(false) == gaveUp)
                    {
                        // The command stays queued on the socket and may still run: observe its end quietly.
                        _ = call.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                        throw TimedOut(command, limit, null);
                    }
                }
                return Convert(await call.ConfigureAwait(false));
            }
            catch (RedisServerException e)
            {
                throw new RedisServerErrorException(EndPoint, command.ShortName, Redirects.ServerReply(e.Message));
            }
            catch (RedisTimeoutException e)
            {
                throw TimedOut(command, limit, e);
            }
            catch (RedisConnectionException e) when (Redirects.IsDeclinedAsk(e.Message))
            {
                throw new RedisServerErrorException(EndPoint, command.ShortName, Redirects.ServerReply(e.Message));
            }
            catch (RedisConnectionException e)
            {
                throw new RedisClusterException(FailureKind.Unreachable,
                    $"{EndPoint} dropped the connection during {command.ShortName} ({e.FailureType}).", EndPoint, e) { ErrorId = "NodeUnreachable" };
            }
        }

        private RedisClusterException TimedOut(RedisCommand command, TimeSpan limit, Exception inner) =>
            new RedisClusterException(FailureKind.Timeout,
                $"{EndPoint} did not answer {command.ShortName} within {limit.TotalSeconds:0.#} s.", EndPoint, inner) { ErrorId = "CommandTimeout" };

        private static object ToLibraryArgument(object argument)
        {
            switch (argument)
            {
                case byte[] bytes: return bytes;
                case string text: return text;
                case int number: return number;
                case long number: return number;
                case null: return string.Empty;
                default: return System.Convert.ToString(argument, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        private static RedisReply Convert(RedisResult result)
        {
            if (result == null || result.IsNull) return RedisReply.Null;
            switch (result.Resp2Type)
            {
                case ResultType.Integer: return RedisReply.FromInteger((long)result);
                case ResultType.SimpleString: return RedisReply.SimpleString((string)result);
                case ResultType.BulkString: return RedisReply.Bulk((byte[])result);
                case ResultType.Array: return RedisReply.FromArray(((RedisResult[])result).Select(Convert));
                default: return RedisReply.Bulk((byte[])result);
            }
        }

        public void Dispose()
        {
            _disposed = true;
            _multiplexer.Dispose();
        }
    }

    /// <summary>The engine's entry point: what the module hands to <see cref="RedisClusterConnection"/>.</summary>
    public sealed class NodeConnector : INodeConnector
    {
        public Task<INodeClient> ConnectAsync(NodeEndPoint endPoint, ConnectionSettings settings, TimeSpan commandTimeout, CancellationToken cancellationToken) =>
            NodeClient.ConnectAsync(endPoint, settings, commandTimeout, cancellationToken);
    }
}
