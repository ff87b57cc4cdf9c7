using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace RedisCluster.Tests
{
    /// <summary>The pure parts of the connection layer: commands as text, reply codes, replies, bounded polling.</summary>
    public class ConnectionModelTests
    {
        [Theory]
        [InlineData("AUTH", new object[] { "s3cret" }, "AUTH ********")]
        [InlineData("AUTH", new object[] { "operator", "s3cret" }, "AUTH operator ********")]
        [InlineData("HELLO", new object[] { "3", "AUTH", "operator", "s3cret" }, "HELLO 3 AUTH operator ********")]
        [InlineData("MIGRATE", new object[] { "10.0.0.2", 6379, "", 0, 5000, "AUTH", "s3cret", "KEYS", "a", "b" }, "MIGRATE 10.0.0.2 6379 \"\" 0 5000 AUTH ******** KEYS a b")]
        [InlineData("MIGRATE", new object[] { "10.0.0.2", 6379, "", 0, 5000, "AUTH2", "operator", "s3cret", "KEYS", "a" }, "MIGRATE 10.0.0.2 6379 \"\" 0 5000 AUTH2 operator ******** KEYS a")]
        [InlineData("CONFIG", new object[] { "SET", "requirepass", "s3cret" }, "CONFIG SET requirepass ********")]
        [InlineData("CONFIG", new object[] { "SET", "maxmemory", "1gb", "masterauth", "s3cret" }, "CONFIG SET maxmemory 1gb masterauth ********")]
        [InlineData("ACL", new object[] { "SETUSER", "operator", "on", ">s3cret", "#abc", "~*", "+@all" }, "ACL SETUSER operator on ******** ******** ~* +@all")]
        [InlineData("CLUSTER", new object[] { "SETSLOT", 5, "NODE", "abc" }, "CLUSTER SETSLOT 5 NODE abc")]
        public void Describe_MasksEverySecret(string name, object[] arguments, string expected)
        {
            string text = new RedisCommand(name, arguments).Describe();
            Assert.Equal(expected, text);
            Assert.DoesNotContain("s3cret", text);
        }

        [Fact]
        public void Describe_ShowsAScriptByItsLength()
        {
            Assert.Equal("EVAL <script of 2 lines> 0 0 1023", new RedisCommand("EVAL", "local n = 0\nreturn n", 0, 0, 1023).Describe());
        }

        [Fact]
        public void Describe_ShowsBytesAsTheirLength()
        {
            Assert.Equal("RESTORE k 0 <3 bytes>", new RedisCommand("RESTORE", "k", 0, new byte[] { 1, 2, 3 }).Describe());
        }

        [Theory]
        [InlineData("CLUSTER", new object[] { "SETSLOT", "5" }, "CLUSTER SETSLOT")]
        [InlineData("config", new object[] { "set", "x", "y" }, "CONFIG SET")]
        [InlineData("SET", new object[] { "customer", "value" }, "SET")]
        [InlineData("GET", new object[] { "secretkey" }, "GET")]
        [InlineData("PING", new object[0], "PING")]
        public void ShortName_NeverCarriesAKeyOrValue(string name, object[] arguments, string expected)
        {
            Assert.Equal(expected, new RedisCommand(name, arguments).ShortName);
        }

        [Theory]
        [InlineData("MOVED 3999 127.0.0.1:6381", ServerErrorCode.Moved, FailureKind.ServerError)]
        [InlineData("ASK 3999 127.0.0.1:6381", ServerErrorCode.Ask, FailureKind.ServerError)]
        [InlineData("TRYAGAIN Multiple keys request during rehashing of slot", ServerErrorCode.TryAgain, FailureKind.ServerError)]
        [InlineData("BUSYKEY Target key name already exists.", ServerErrorCode.BusyKey, FailureKind.ServerError)]
        [InlineData("CLUSTERDOWN The cluster is down", ServerErrorCode.ClusterDown, FailureKind.ServerError)]
        [InlineData("IOERR error or timeout reading to target instance", ServerErrorCode.IoErr, FailureKind.ServerError)]
        [InlineData("LOADING Redis is loading the dataset in memory", ServerErrorCode.Loading, FailureKind.ServerError)]
        [InlineData("READONLY You can't write against a read only replica.", ServerErrorCode.ReadOnly, FailureKind.ServerError)]
        [InlineData("NOAUTH Authentication required.", ServerErrorCode.NoAuth, FailureKind.Authentication)]
        [InlineData("WRONGPASS invalid username-password pair or user is disabled.", ServerErrorCode.WrongPass, FailureKind.Authentication)]
        [InlineData("NOPERM this user has no permissions to run the 'cluster' command", ServerErrorCode.NoPerm, FailureKind.Authentication)]
        [InlineData("ERR Slot 5 is already busy", ServerErrorCode.Err, FailureKind.ServerError)]
        [InlineData("SOMETHINGNEW in a future server", ServerErrorCode.Other, FailureKind.ServerError)]
        public void ServerErrors_AreClassifiedByTheirCode(string reply, ServerErrorCode code, FailureKind kind)
        {
            var e = new RedisServerErrorException(new NodeEndPoint("10.0.0.1", 6379), "CLUSTER SETSLOT", reply);
            Assert.Equal(code, e.Code);
            Assert.Equal(kind, e.Kind);
            Assert.Equal(reply.Split(' ')[0], e.CodeText);
            Assert.Equal(code == ServerErrorCode.Other ? "ServerError" : "Server" + code, e.ErrorId);
            Assert.Equal($"10.0.0.1:6379 answered CLUSTER SETSLOT with {reply}", e.Message);
        }

        [Fact]
        public void ServerError_KeepsOnlyTheFirstLineAndAFewWords()
        {
            var e = new RedisServerErrorException(new NodeEndPoint("h", 1), "X", "ERR one\r\ntwo " + new string('x', 500));
            Assert.Equal("ERR one", e.Reply);
            var longOne = new RedisServerErrorException(new NodeEndPoint("h", 1), "X", "ERR " + new string('x', 500));
            Assert.Equal(203, longOne.Reply.Length);
        }

        [Fact]
        public void Replies_ConvertAndRefuseTheWrongShape()
        {
            Assert.Equal("OK", RedisReply.SimpleString("OK").AsString());
            Assert.Equal(42, RedisReply.FromInteger(42).AsInt64());
            Assert.Equal(7, RedisReply.Bulk(System.Text.Encoding.UTF8.GetBytes("7")).AsInt64());
            Assert.Null(RedisReply.Null.AsString());
            Assert.Empty(RedisReply.Null.AsArray());
            var array = RedisReply.FromArray(new[] { RedisReply.FromInteger(1), RedisReply.SimpleString("a") });
            Assert.Equal(2, array.AsArray().Count);
            var e = Assert.Throws<RedisClusterException>(() => array.AsInt64());
            Assert.Equal("UnexpectedReply", e.ErrorId);
            Assert.Equal(FailureKind.Protocol, e.Kind);
            Assert.Throws<RedisClusterException>(() => RedisReply.SimpleString("x").AsArray());
        }

        [Fact]
        public async Task Poll_ReturnsWhenDone_AndReportsEachStateOnce()
        {
            int looks = 0;
            var states = new System.Collections.Generic.List<string>();
            int result = await Poll.UntilAsync(
                _ => Task.FromResult(++looks >= 6 ? PollResult<int>.Done(looks) : PollResult<int>.Waiting(looks < 4 ? "a" : "b")),
                new Deadline(TimeSpan.FromSeconds(30)), s => new TimeoutException(s), CancellationToken.None, states.Add, TimeSpan.FromMilliseconds(1));
            Assert.Equal(6, result);
            Assert.Equal(new[] { "a", "b" }, states);
        }

        [Fact]
        public async Task Poll_EndsAtTheDeadline_WithTheLastState()
        {
            var e = await Assert.ThrowsAsync<TimeoutException>(() => Poll.UntilAsync(
                _ => Task.FromResult(PollResult<int>.Waiting("still waiting")),
                new Deadline(TimeSpan.FromMilliseconds(50)), s => new TimeoutException(s), CancellationToken.None, interval: TimeSpan.FromMilliseconds(5)));
            Assert.Equal("still waiting", e.Message);
        }

        [Fact]
        public async Task Poll_StopsWhenCancelled()
        {
            using (var cancel = new CancellationTokenSource(50))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Poll.UntilAsync(
                    _ => Task.FromResult(PollResult<int>.Waiting("x")),
                    new Deadline(TimeSpan.FromMinutes(5)), s => new TimeoutException(s), cancel.Token, interval: TimeSpan.FromMilliseconds(5)));
            }
        }

        [Fact]
        public void SlotRangeList_WritesAndReadsTheExportForm()
        {
            var list = SlotRangeList.Parse("6000, 0-5460,5461");
            Assert.Equal("0-5461,6000", list.ToString());
            Assert.Equal(5463, list.SlotCount);
            Assert.True(list.ContainsSlot(6000));
            Assert.False(list.ContainsSlot(5462));
            Assert.Equal("", SlotRangeList.Parse("").ToString());
            Assert.False(SlotRangeList.TryParse("0-5,x", out _, out var error));
            Assert.Contains("'x' is not a slot or slot range", error);
        }

        [Theory]
        [InlineData("PING", new[] { "PING" })]
        [InlineData("  CONFIG   GET maxmemory ", new[] { "CONFIG", "GET", "maxmemory" })]
        [InlineData("SET \"a b\" 'c d'", new[] { "SET", "a b", "c d" })]
        [InlineData("SET k \"x\\ny\\x41\\\"\"", new[] { "SET", "k", "x\nyA\"" })]
        [InlineData("", new string[0])]
        public void CommandLines_SplitAsRedisCliSplitsThem(string line, string[] words)
        {
            Assert.Equal(words, ClusterCommandRunner.SplitCommandLine(line));
        }

        [Fact]
        public void CommandLine_WithAnUnclosedQuote_IsRefused()
        {
            var e = Assert.Throws<RedisClusterException>(() => ClusterCommandRunner.SplitCommandLine("SET \"a b"));
            Assert.Equal("InvalidCommandLine", e.ErrorId);
        }

        [Theory]
        [InlineData("requirepass", "PasswordSettingRefused")]
        [InlineData("MASTERAUTH", "PasswordSettingRefused")]
        [InlineData("masteruser", "PasswordSettingRefused")]
        [InlineData("tls-key-file-pass", "PasswordSettingRefused")]
        [InlineData("aclfile", "PasswordSettingRefused")]
        [InlineData("max memory", "InvalidSettingName")]
        [InlineData("", "InvalidSettingName")]
        public void Settings_ThatMustNotBeSetThisWay_AreRefused(string name, string errorId)
        {
            var e = Assert.Throws<RedisClusterException>(() => ClusterConfigurator.EnsureSettable(name, "x"));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        }

        [Fact]
        public void SettingValues_OfOneLine_Pass()
        {
            ClusterConfigurator.EnsureSettable("maxmemory", "64mb");
            ClusterConfigurator.EnsureSettable("save", "");
            Assert.Equal("InvalidSettingValue", Assert.Throws<RedisClusterException>(() => ClusterConfigurator.EnsureSettable("save", "1\n2")).ErrorId);
        }
    }
}
