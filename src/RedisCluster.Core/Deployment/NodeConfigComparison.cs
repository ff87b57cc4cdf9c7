using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace RedisCluster
{
    /// <summary>
    /// What differs between the config a node has and the one a deployment would write, directive by directive and by
    /// meaning rather than by text: CONFIG REWRITE quotes values ("nodes-6379.conf"), spells units and words its own way
    /// (64mb for 64MB, always for Always), splits "save 900 1 300 10" into lines, decorates ACL users with rules of its
    /// own, and adds directives of its own below a marker; none of that is a change.
    /// </summary>
    public static class NodeConfigComparison
    {
        /// <summary>Directives whose value is a secret or derived from one: their values are never shown.</summary>
        private static readonly HashSet<string> Secret = new HashSet<string>(StringComparer.Ordinal) { "requirepass", "masterauth", "user" };

        /// <summary>Directives that may appear on several lines, each adding to the value, and that CONFIG REWRITE may split or join.</summary>
        private static readonly HashSet<string> Accumulating = new HashSet<string>(StringComparer.Ordinal)
        {
            "save", "client-output-buffer-limit", "rename-command", "loadmodule",
        };

        /// <summary>Directives CONFIG SET must not change on a running node: a new data directory would leave the node's data and cluster state behind.</summary>
        private static readonly HashSet<string> RestartOnly = new HashSet<string>(StringComparer.Ordinal) { "dir", "user" };

        private static readonly Regex MemoryValue = new Regex(@"^(\d+)(k|kb|m|mb|g|gb)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        private static readonly Regex Word = new Regex(@"^[A-Za-z][A-Za-z-]*$", RegexOptions.CultureInvariant);

        /// <summary>The changes, in the desired file's order, then the directives that go.</summary>
        public static IReadOnlyList<NodeSettingChange> Compare(RedisConfigFile existing, RedisConfigFile desired)
        {
            var changes = new List<NodeSettingChange>();
            var desiredNames = new HashSet<string>(desired.Directives.Select(d => d.Name), StringComparer.Ordinal);
            foreach (string name in desired.Directives.Select(d => d.Name).Distinct())
            {
                if (name == "user")
                {
                    changes.AddRange(CompareUsers(existing, desired));
                    continue;
                }
                string before = ValueOf(existing, name);
                string after = ValueOf(desired, name);
                if (before != null && Normalize(name, before) == Normalize(name, after)) continue;
                changes.Add(Change(name, name, before, after));
            }
            // What the deployment wrote before and would not write now; what Redis added of its own stays.
            foreach (string name in existing.Directives.Where(d => !d.WrittenByRedis && !desiredNames.Contains(d.Name)).Select(d => d.Name).Distinct())
            {
                changes.Add(Change(name, name, ValueOf(existing, name), null));
            }
            return changes;
        }

        /// <summary>Whether CONFIG SET may be tried for a change, or only a restart applies it.</summary>
        public static bool IsRunTimeCandidate(NodeSettingChange change) =>
            change.NewValue != null && !RestartOnly.Contains(change.Setting) && !change.Setting.StartsWith("user ", StringComparison.Ordinal) &&
            RedisConfigSyntax.IsDirectiveName(change.Setting);

        /// <summary>The value a config gives a directive: the last line's, or every line's together for those that add up.</summary>
        internal static string ValueOf(RedisConfigFile config, string name)
        {
            var lines = config.All(name).ToList();
            if (lines.Count == 0) return null;
            return Accumulating.Contains(name) ? string.Join(" ", lines.Select(l => l.Value)) : lines[lines.Count - 1].Value;
        }

        private static NodeSettingChange Change(string name, string setting, string before, string after)
        {
            bool secret = Secret.Contains(name);
            return new NodeSettingChange(setting, secret && before != null ? NodeSettingChange.Masked : before, secret && after != null ? NodeSettingChange.Masked : after);
        }

        /// <summary>
        /// Values as redis-server understands them: memory sizes in bytes (64mb, 64MB and 67108864 are one value), plain
        /// words in any case (yes, always, allkeys-lru); a secret exactly as written.
        /// </summary>
        private static string Normalize(string name, string value)
        {
            if (Secret.Contains(name)) return value;
            return string.Join(" ", value.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).Select(NormalizeWord));
        }

        private static string NormalizeWord(string word)
        {
            var memory = MemoryValue.Match(word);
            if (memory.Success && ulong.TryParse(memory.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong amount))
            {
                ulong unit;
                switch (memory.Groups[2].Value.ToLowerInvariant())
                {
                    case "k": unit = 1000; break;
                    case "kb": unit = 1024; break;
                    case "m": unit = 1000 * 1000; break;
                    case "mb": unit = 1024 * 1024; break;
                    case "g": unit = 1000 * 1000 * 1000; break;
                    default: unit = 1024 * 1024 * 1024; break;
                }
                return (amount * unit).ToString(CultureInfo.InvariantCulture);
            }
            return Word.IsMatch(word) ? word.ToLowerInvariant() : word;
        }

        /// <summary>
        /// ACL users by name: whether each is on, and its passwords as SHA-256 hashes. The rules CONFIG REWRITE spells
        /// its own way (sanitize-payload, resetchannels) are not compared; the deployment always grants all.
        /// </summary>
        private static IEnumerable<NodeSettingChange> CompareUsers(RedisConfigFile existing, RedisConfigFile desired)
        {
            var before = Users(existing);
            foreach (var user in Users(desired))
            {
                if (before.TryGetValue(user.Key, out var old) && old == user.Value) continue;
                yield return new NodeSettingChange("user " + user.Key, before.ContainsKey(user.Key) ? NodeSettingChange.Masked : null, NodeSettingChange.Masked);
            }
        }

        private static Dictionary<string, string> Users(RedisConfigFile config)
        {
            var users = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in config.All("user").Where(l => l.Arguments.Count > 0))
            {
                bool on = false;
                var hashes = new SortedSet<string>(StringComparer.Ordinal);
                foreach (string rule in line.Arguments.Skip(1))
                {
                    if (rule == "on") on = true;
                    else if (rule == "off") on = false;
                    else if (rule == "nopass" || rule == "resetpass") hashes.Clear();
                    else if (rule.StartsWith("#", StringComparison.Ordinal)) hashes.Add(rule.Substring(1).ToLowerInvariant());
                    else if (rule.StartsWith(">", StringComparison.Ordinal)) hashes.Add(NodeDeploymentSpec.PasswordHashRule(rule.Substring(1)).Substring(1));
                }
                users[line.Arguments[0]] = (on ? "on " : "off ") + string.Join(",", hashes);
            }
            return users;
        }
    }
}
