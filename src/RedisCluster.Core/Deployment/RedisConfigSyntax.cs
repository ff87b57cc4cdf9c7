using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace RedisCluster
{
    /// <summary>
    /// How redis.conf is read: redis-server splits the file into lines at '\n' and each line into arguments
    /// the way its sdssplitargs does, where a double-quoted argument may hold any byte through escapes.
    /// </summary>
    internal static class RedisConfigSyntax
    {
        private static readonly Regex DirectiveName = new Regex(@"^[A-Za-z][A-Za-z0-9-]*\z", RegexOptions.CultureInvariant);

        /// <summary>
        /// The value as one double-quoted argument that redis-server reads back byte for byte: backslash, quote and
        /// control characters escaped as sdssplitargs expects, everything else (non-ASCII as its UTF-8 bytes once
        /// the file is written as UTF-8) as it is.
        /// </summary>
        public static string Quote(string value)
        {
            var quoted = new StringBuilder(value.Length + 2).Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '\\': quoted.Append(@"\\"); break;
                    case '"': quoted.Append("\\\""); break;
                    case '\n': quoted.Append(@"\n"); break;
                    case '\r': quoted.Append(@"\r"); break;
                    case '\t': quoted.Append(@"\t"); break;
                    case '\b': quoted.Append(@"\b"); break;
                    case '\a': quoted.Append(@"\a"); break;
                    default:
                        if (c < ' ' || c == '\x7f') quoted.Append(@"\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                        else quoted.Append(c);
                        break;
                }
            }
            return quoted.Append('"').ToString();
        }

        /// <summary>
        /// The arguments of one config line as redis-server's sdssplitargs reads them: words split at white space,
        /// a double-quoted part with its escapes (\n, \xHH, \", ...), a single-quoted part with \' only; a quote may
        /// start in the middle of a word. Null when the line is not valid (a quote left open, or a closing quote
        /// followed by something other than white space), which redis-server would refuse.
        /// </summary>
        public static IReadOnlyList<string> SplitArguments(string line)
        {
            var arguments = new List<string>();
            int i = 0;
            while (true)
            {
                while (i < line.Length && IsSpace(line[i])) i++;
                if (i >= line.Length) return arguments;
                var current = new StringBuilder();
                bool inDouble = false, inSingle = false, done = false;
                while (!done)
                {
                    if (inDouble)
                    {
                        if (i >= line.Length) return null;
                        char c = line[i];
                        if (c == '\\' && i + 3 < line.Length && line[i + 1] == 'x' && IsHex(line[i + 2]) && IsHex(line[i + 3]))
                        {
                            current.Append((char)int.Parse(line.Substring(i + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            i += 3;
                        }
                        else if (c == '\\' && i + 1 < line.Length)
                        {
                            i++;
                            current.Append(Unescape(line[i]));
                        }
                        else if (c == '"')
                        {
                            if (i + 1 < line.Length && !IsSpace(line[i + 1])) return null;
                            done = true;
                        }
                        else
                        {
                            current.Append(c);
                        }
                    }
                    else if (inSingle)
                    {
                        if (i >= line.Length) return null;
                        char c = line[i];
                        if (c == '\\' && i + 1 < line.Length && line[i + 1] == '\'')
                        {
                            i++;
                            current.Append('\'');
                        }
                        else if (c == '\'')
                        {
                            if (i + 1 < line.Length && !IsSpace(line[i + 1])) return null;
                            done = true;
                        }
                        else
                        {
                            current.Append(c);
                        }
                    }
                    else if (i >= line.Length || IsSpace(line[i]))
                    {
                        done = true;
                    }
                    else if (line[i] == '"')
                    {
                        inDouble = true;
                    }
                    else if (line[i] == '\'')
                    {
                        inSingle = true;
                    }
                    else
                    {
                        current.Append(line[i]);
                    }
                    if (i < line.Length) i++;
                }
                arguments.Add(current.ToString());
            }
        }

        private static bool IsSpace(char c) => c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';

        private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        private static char Unescape(char c)
        {
            switch (c)
            {
                case 'n': return '\n';
                case 'r': return '\r';
                case 't': return '\t';
                case 'b': return '\b';
                case 'a': return '\a';
                default: return c;
            }
        }

        /// <summary>A plain directive word such as maxmemory-policy: nothing that could start a second argument or line.</summary>
        public static bool IsDirectiveName(string name) => name != null && DirectiveName.IsMatch(name);

        /// <summary>True when a value would not stay one line of one directive: line breaks, tabs and other control characters.</summary>
        public static bool HasControlCharacter(string value) => value.Any(char.IsControl);

        /// <summary>The directive name on a 1-based line of a config, or null when that line holds none.</summary>
        public static string DirectiveAt(string config, int lineNumber)
        {
            string[] lines = config.Split('\n');
            if (lineNumber < 1 || lineNumber > lines.Length) return null;
            string line = lines[lineNumber - 1].Trim();
            if (line.Length == 0 || line[0] == '#') return null;
            int end = line.IndexOfAny(new[] { ' ', '\t' });
            return end < 0 ? line : line.Substring(0, end);
        }
    }
}
