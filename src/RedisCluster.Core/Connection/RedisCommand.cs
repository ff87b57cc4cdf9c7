using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RedisCluster
{
    /// <summary>A command for one node: name and arguments (strings, integers or raw bytes).</summary>
    public sealed class RedisCommand
    {
        private const string Masked = "********";

        public RedisCommand(string name, params object[] arguments)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A command needs a name.", nameof(name));
            Name = name;
            Arguments = arguments ?? new object[0];
        }

        public string Name { get; }
        public IReadOnlyList<object> Arguments { get; }

        // Commands whose first argument names a subcommand; for all others it is a key or a value.
        private static readonly HashSet<string> WithSubcommands = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION", "LATENCY", "MEMORY", "MODULE", "OBJECT", "SCRIPT", "SLOWLOG", "XINFO",
        };

        /// <summary>The command and its subcommand, for error messages: never a key, a value or a secret.</summary>
        public string ShortName =>
            Name.ToUpperInvariant() + (WithSubcommands.Contains(Name) && Arguments.Count > 0 && Arguments[0] is string sub ? " " + sub.ToUpperInvariant() : string.Empty);

        /// <summary>
        /// The whole command as text for -Debug, with every secret masked: AUTH and HELLO AUTH passwords,
        /// MIGRATE's AUTH/AUTH2, CONFIG SET of password directives, ACL SETUSER password rules.
        /// </summary>
        public string Describe()
        {
            var words = Arguments.Select(Text).ToList();
            bool Is(int index, string word) => index < Arguments.Count && string.Equals(Arguments[index] as string, word, StringComparison.OrdinalIgnoreCase);
            void Mask(int index)
            {
                if (index >= 0 && index < words.Count) words[index] = Masked;
            }

            switch (Name.ToUpperInvariant())
            {
                case "AUTH":
                    // AUTH password, or AUTH user password: the last argument is the password.
                    Mask(words.Count - 1);
                    break;
                case "HELLO":
                case "MIGRATE":
                    for (int i = 0; i < words.Count; i++)
                    {
                        if (Is(i, "AUTH") && Name.Equals("MIGRATE", StringComparison.OrdinalIgnoreCase)) Mask(i + 1);
                        if (Is(i, "AUTH") && Name.Equals("HELLO", StringComparison.OrdinalIgnoreCase)) Mask(i + 2);
                        if (Is(i, "AUTH2")) Mask(i + 2);
                    }
                    break;
                case "CONFIG":
                    if (Is(0, "SET"))
                    {
                        for (int i = 1; i + 1 < words.Count; i += 2)
                        {
                            if (IsSecretDirective(Arguments[i] as string ?? string.Empty)) Mask(i + 1);
                        }
                    }
                    break;
                case "EVAL":
                case "EVAL_RO":
                    // A script's body would fill the debug stream; what it does is the caller's to say.
                    if (words.Count > 0) words[0] = $"<script of {(Arguments[0] as string ?? string.Empty).Split('\n').Length} lines>";
                    break;
                case "ACL":
                    if (Is(0, "SETUSER"))
                    {
                        for (int i = 2; i < words.Count; i++)
                        {
                            if (IsPasswordRule(Arguments[i] as string ?? string.Empty)) Mask(i);
                        }
                    }
                    break;
            }
            return Name.ToUpperInvariant() + (words.Count > 0 ? " " + string.Join(" ", words) : string.Empty);
        }

        internal static bool IsSecretDirective(string name)
        {
            switch (name.ToLowerInvariant())
            {
                case "requirepass":
                case "masterauth":
                case "masteruser":
                case "tls-key-file-pass":
                case "tls-client-key-file-pass":
                    return true;
                default:
                    return false;
            }
        }

        private static bool IsPasswordRule(string rule) =>
            rule.Length > 0 && (rule[0] == '>' || rule[0] == '<' || rule[0] == '#' || rule[0] == '!');

        private static string Text(object argument)
        {
            switch (argument)
            {
                case null: return "\"\"";
                case byte[] bytes: return $"<{bytes.Length} bytes>";
                case string s: return s.Length == 0 || s.Any(char.IsWhiteSpace) ? "\"" + s + "\"" : s;
                case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
                default: return argument.ToString();
            }
        }

        public override string ToString() => ShortName;
    }
}
