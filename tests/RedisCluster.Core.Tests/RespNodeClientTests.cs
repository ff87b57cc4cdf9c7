using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>
    /// A redis-server of its own for the tests of <see cref="RespNodeClient"/>: on loopback, with a password, on a free
    /// port below the range the Pester nodes use (17100 and up), killed when the tests are done.
    /// </summary>
    public sealed class RedisServerFixture : IDisposable
    {
        public const string Password = "resp-client-test";
        private readonly Process _server;
        private readonly string _directory;

        public RedisServerFixture()
        {
            _directory = Path.Combine(Path.GetTempPath(), "resp-client-test-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_directory);
            int port = FreePort();
            EndPoint = NodeEndPoint.Parse("127.0.0.1:" + port);
            var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = _directory };
            foreach (var argument in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--requirepass", Password, "--enable-debug-command", "yes", "--dir", _directory })
            {
                start.ArgumentList.Add(argument);
            }
            _server = Process.Start(start);
            _server.OutputDataReceived += (sender, e) => { };
            _server.BeginOutputReadLine();
            var deadline = Stopwatch.StartNew();
            while (NodeProbe.DiagnoseAsync(EndPoint, Settings(), CancellationToken.None).GetAwaiter().GetResult() != null)
            {
                if (_server.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10)) throw new InvalidOperationException($"redis-server did not start on {EndPoint}.");
                Thread.Sleep(20);
            }
        }

        public NodeEndPoint EndPoint { get; }

        public ConnectionSettings Settings(string password = Password) => new ConnectionSettings(new[] { EndPoint })
        {
            Credential = password == null ? null : new NetworkCredential("default", password),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            CommandTimeout = TimeSpan.FromSeconds(5),
        };

        private static int FreePort()
        {
            for (int port = 16000 + Process.GetCurrentProcess().Id % 900; port < 17000; port++)
            {
                try
                {
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    listener.Stop();
                    return port;
                }
                catch (SocketException)
                {
                }
            }
            throw new InvalidOperationException("No free port in 16000-16999.");
        }

        public void Dispose()
        {
            if (!_server.HasExited) _server.Kill();
            _server.WaitForExit(5000);
            _server.Dispose();
            Directory.Delete(_directory, true);
        }
    }

    /// <summary>The bulk client against a real redis-server: replies matched in order, errors, timeouts, a dropped connection.</summary>
    public class RespNodeClientTests : IClassFixture<RedisServerFixture>
    {
        private static readonly CancellationToken None = CancellationToken.None;
        private readonly RedisServerFixture _server;

        public RespNodeClientTests(RedisServerFixture server) => _server = server;

        private Task<INodeClient> ConnectAsync(TimeSpan? commandTimeout = null) =>
            RespNodeClient.ConnectAsync(_server.EndPoint, _server.Settings(), commandTimeout ?? TimeSpan.FromSeconds(5), None);

        [Fact]
        public async Task MatchesEveryReplyOfABurstToItsCommand()
        {
            using (var client = await ConnectAsync())
            {
                string prefix = "burst:" + Guid.NewGuid().ToString("N") + ":";
                var sets = Enumerable.Range(0, 2000).Select(i => client.CallAsync(None, "SET", prefix + i, "value " + i)).ToList();
                var gets = Enumerable.Range(0, 2000).Select(i => client.CallAsync(None, "GET", prefix + i)).ToList();
                var replies = await Task.WhenAll(sets.Concat(gets));
                Assert.All(replies.Take(2000), set => Assert.Equal("OK", set.AsString()));
                for (int i = 0; i < gets.Count; i++) Assert.Equal("value " + i, replies[2000 + i].AsString());
            }
        }

        [Fact]
        public async Task CarriesBinaryKeysAndLargeValuesUnchanged()
        {
            using (var client = await ConnectAsync())
            {
                var key = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
                var value = new byte[5 * 1024 * 1024];
                new Random(7).NextBytes(value);
                await client.ExecuteAsync(new RedisCommand("SET", key, value), None);
                var read = await client.ExecuteAsync(new RedisCommand("GET", key), None);
                Assert.Equal(value, read.Bytes);
                Assert.True((await client.CallAsync(None, "GET", "missing:" + Guid.NewGuid())).IsNull);
                await client.ExecuteAsync(new RedisCommand("DEL", key), None);
            }
        }

        [Fact]
        public async Task AnErrorReplyFailsItsCommandOnly()
        {
            using (var client = await ConnectAsync())
            {
                string key = "text:" + Guid.NewGuid().ToString("N");
                var set = client.CallAsync(None, "SET", key, "not a list");
                var push = client.CallAsync(None, "LPUSH", key, "x");
                var nested = client.CallAsync(None, "EVAL", "return {1, redis.error_reply('BOOM inside')}", 0);
                var get = client.CallAsync(None, "GET", key);
                Assert.Equal("OK", (await set).AsString());
                var wrongType = await Assert.ThrowsAsync<RedisServerErrorException>(() => push);
                Assert.Equal("WRONGTYPE", wrongType.CodeText);
                Assert.Equal("LPUSH", wrongType.CommandName);
                Assert.Equal("BOOM", (await Assert.ThrowsAsync<RedisServerErrorException>(() => nested)).CodeText);
                Assert.Equal("not a list", (await get).AsString());
            }
        }

        /// <summary>A late reply belongs to the command that timed out, not to the next one.</summary>
        [Fact]
        public async Task ACommandPastItsLimitTimesOutAndTheNextGetsItsOwnReply()
        {
            using (var client = await ConnectAsync())
            {
                var sleep = client.ExecuteAsync(new RedisCommand("DEBUG", "SLEEP", "0.6"), None, TimeSpan.FromMilliseconds(150));
                var echo = client.CallAsync(None, "ECHO", "mine");
                var timedOut = await Assert.ThrowsAsync<RedisClusterException>(() => sleep);
                Assert.Equal(FailureKind.Timeout, timedOut.Kind);
                Assert.Equal("CommandTimeout", timedOut.ErrorId);
                Assert.False(echo.IsCompleted);
                Assert.Equal("mine", (await echo).AsString());
                Assert.True(client.IsConnected);
            }
        }

        [Fact]
        public async Task AWaitLongerThanTheClientsTimeoutIsRefused()
        {
            using (var client = await ConnectAsync(TimeSpan.FromSeconds(1)))
            {
                await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ExecuteAsync(new RedisCommand("PING"), None, TimeSpan.FromSeconds(2)));
            }
        }

        [Fact]
        public async Task ACancelledCallIsNotSent()
        {
            using (var client = await ConnectAsync())
            {
                string key = "cancelled:" + Guid.NewGuid().ToString("N");
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CallAsync(new CancellationToken(true), "SET", key, "1"));
                Assert.True((await client.CallAsync(None, "GET", key)).IsNull);
            }
        }

        [Fact]
        public async Task ADroppedConnectionFailsWhatWaitsAndWhatComesAfter()
        {
            using (var client = await ConnectAsync())
            {
                string name = "resp-drop-" + Guid.NewGuid().ToString("N");
                await client.CallAsync(None, "CLIENT", "SETNAME", name);
                var waiting = client.ExecuteAsync(new RedisCommand("BLPOP", "never:" + name, 0), None);
                using (var other = await ConnectAsync())
                {
                    await other.CallAsync(None, "CLIENT", "KILL", "SKIPME", "yes", "USER", "default");
                }
                var dropped = await Assert.ThrowsAsync<RedisClusterException>(() => waiting);
                Assert.Equal(FailureKind.Unreachable, dropped.Kind);
                Assert.Equal("NodeUnreachable", dropped.ErrorId);
                Assert.False(client.IsConnected);
                var after = await Assert.ThrowsAsync<RedisClusterException>(() => client.CallAsync(None, "PING"));
                Assert.Equal("NodeUnreachable", after.ErrorId);
            }
        }

        /// <summary>Closing the client ends its reader, which blocks on the socket, and every command still waiting.</summary>
        [Fact]
        public async Task DisposingEndsWhatWaits()
        {
            var client = await ConnectAsync();
            var waiting = client.ExecuteAsync(new RedisCommand("BLPOP", "never:" + Guid.NewGuid().ToString("N"), 0), None);
            client.Dispose();
            var closed = await Assert.ThrowsAsync<RedisClusterException>(() => waiting);
            Assert.Equal("NodeUnreachable", closed.ErrorId);
            Assert.False(client.IsConnected);
        }

        [Fact]
        public async Task AWrongOrMissingPasswordIsSaidInOurWords()
        {
            var wrong = await Assert.ThrowsAsync<RedisClusterException>(() =>
                RespNodeClient.ConnectAsync(_server.EndPoint, _server.Settings("wrong"), TimeSpan.FromSeconds(5), None));
            Assert.Equal("AuthenticationFailed", wrong.ErrorId);
            Assert.DoesNotContain("wrong", wrong.Message);
            var missing = await Assert.ThrowsAsync<RedisClusterException>(() =>
                RespNodeClient.ConnectAsync(_server.EndPoint, _server.Settings(null), TimeSpan.FromSeconds(5), None));
            Assert.Equal("PasswordRequired", missing.ErrorId);
        }
    }
}
