using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// One command on many nodes at once, as redis-cli's --cluster call: each node's reply or error is that node's
    /// result, so one node failing never ends the run for the others.
    /// </summary>
    public static class ClusterCommandRunner
    {
        public static async Task<IReadOnlyList<RedisClusterCommandResult>> RunAsync(
            RedisClusterConnection connection, IReadOnlyList<RedisClusterNode> nodes, RedisCommand command, CancellationToken cancellationToken)
        {
            return await Task.WhenAll(nodes.Select(async node =>
            {
                try
                {
                    var client = await connection.GetNodeAsync(node.ToEndPoint(), cancellationToken).ConfigureAwait(false);
                    var reply = await client.ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
                    return new RedisClusterCommandResult(node, command, reply, null);
                }
                catch (RedisClusterException e)
                {
                    return new RedisClusterCommandResult(node, command, null, e);
                }
            })).ConfigureAwait(false);
        }

        /// <summary>
        /// Splits one command line into words as redis-cli does: spaces separate, double or single quotes keep a
        /// word together, and inside double quotes \", \\, \n, \r, \t and \xHH mean what they do there.
        /// </summary>
        public static IReadOnlyList<string> SplitCommandLine(string line)
        {
            var words = new List<string>();
            var word = new System.Text.StringBuilder();
            bool inWord = false;
            char quote = '\0';
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                        continue;
                    }
                    if (quote == '"' && c == '\\' && i + 1 < line.Length)
                    {
                        char next = line[++i];
                        switch (next)
                        {
                            case 'n': word.Append('\n'); break;
                            case 'r': word.Append('\r'); break;
                            case 't': word.Append('\t'); break;
                            case 'x' when i + 2 < line.Length && IsHex(line[i + 1]) && IsHex(line[i + 2]):
                                word.Append((char)System.Convert.ToInt32(line.Substring(i + 1, 2), 16));
                                i += 2;
                                break;
                            default: word.Append(next); break;
                        }
                        continue;
                    }
                    word.Append(c);
                    continue;
                }
                if (char.IsWhiteSpace(c))
                {
                    if (inWord) words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                    continue;
                }
                inWord = true;
                if (c == '"' || c == '\'') quote = c;
                else word.Append(c);
            }
            if (quote != '\0')
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, $"The command has an unclosed {quote} quote.") { ErrorId = "InvalidCommandLine" };
            }
            if (inWord) words.Add(word.ToString());
            return words;
        }

        private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
