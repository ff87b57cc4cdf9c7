using System.Text.RegularExpressions;

namespace RedisCluster.Engine
{
    /// <summary>
    /// Gives back the server's own MOVED and ASK replies. StackExchange.Redis rewrites them when a command
    /// carries NoRedirect: MOVED arrives as "Key has MOVED to Endpoint E and hashslot S but
    /// CommandFlags.NoRedirect was specified ...", and ASK, which it will not follow either, as a connection
    /// failure "Endpoint E serving hashslot S is not reachable ...". Executors decide on the reply code, so
    /// both become "MOVED S E" and "ASK S E" again here, the one place that knows the library's wording.
    /// </summary>
    internal static class Redirects
    {
        private static readonly Regex DeclinedMoved = new Regex(@"^Key has MOVED to Endpoint (?<endpoint>\S+) and hashslot (?<slot>\d+)", RegexOptions.CultureInvariant);
        private static readonly Regex DeclinedAsk = new Regex(@"^Endpoint (?<endpoint>\S+) serving hashslot (?<slot>\d+) is not reachable", RegexOptions.CultureInvariant);

        public static bool IsDeclinedAsk(string message) => DeclinedAsk.IsMatch(message ?? string.Empty);

        /// <summary>The reply as the server wrote it: rebuilt for a declined redirect, unchanged otherwise.</summary>
        public static string ServerReply(string message)
        {
            var moved = DeclinedMoved.Match(message ?? string.Empty);
            if (moved.Success) return $"MOVED {moved.Groups["slot"].Value} {moved.Groups["endpoint"].Value}";
            var ask = DeclinedAsk.Match(message ?? string.Empty);
            if (ask.Success) return $"ASK {ask.Groups["slot"].Value} {ask.Groups["endpoint"].Value}";
            return message;
        }
    }
}
