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
    internal sealed class NodeClient : INodeClient
    {
        // Administration never subscribes; without these commands the library opens no second socket per node.
        private static readonly CommandMap NoSubscriptions = CommandMap.Create(
            new HashSet<string> { "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE" }, available: false);

        private readonly ConnectionMultiplexer _multiplexer;
        private readonly IDatabase _database;

        private NodeClient(NodeEndPoint endPoint, ConnectionMultiplexer multiplexer, TimeSpan commandTimeout)
        {
            EndPoint = endPoint;
            _multiplexer = multiplexer;
            CommandTimeout = commandTimeout;
            // With a single endpoint and no cluster discovery, the database API reaches exactly this node.
            _database = multiplexer.GetDatabase();
        }

        public NodeEndPoint EndPoint { get; }

        public TimeSpan CommandTimeout { get; }

        public bool IsConnected => _multiplexer.IsConnected;

        public static async Task<INodeClient> ConnectAsync(NodeEndPoint endPoint, ConnectionSettings settings, TimeSpan commandTimeout, CancellationToken cancellationToken)
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
            return new NodeClient(endPoint, multiplexer, commandTimeout);
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
            var call = _database.ExecuteAsync(command.Name, command.Arguments.Select(ToLibraryArgument).ToList(), CommandFlags.NoRedirect);
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

        public void Dispose() => _multiplexer.Dispose();
    }

    /// <summary>The engine's entry point: what the module hands to <see cref="RedisClusterConnection"/>.</summary>
    public sealed class NodeConnector : INodeConnector
    {
        public Task<INodeClient> ConnectAsync(NodeEndPoint endPoint, ConnectionSettings settings, TimeSpan commandTimeout, CancellationToken cancellationToken) =>
            NodeClient.ConnectAsync(endPoint, settings, commandTimeout, cancellationToken);
    }
}
