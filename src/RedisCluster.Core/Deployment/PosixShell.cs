using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>Command lines for a POSIX shell on the far side of SSH, which reads every command sent over an exec channel.</summary>
    public static class PosixShell
    {
        /// <summary>
        /// One word, exactly as given: left bare when it holds only characters no shell treats specially (so that
        /// process listings stay readable), else in single quotes, inside which only the quote itself needs care.
        /// </summary>
        public static string Quote(string word)
        {
            if (word.Length > 0 && word.All(IsPlain)) return word;
            return "'" + word.Replace("'", @"'\''") + "'";
        }

        public static string CommandLine(string program, IEnumerable<string> arguments) =>
            string.Join(" ", new[] { program }.Concat(arguments).Select(Quote));

        private static bool IsPlain(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "_-./:=@%+,".IndexOf(c) >= 0;
    }
}
