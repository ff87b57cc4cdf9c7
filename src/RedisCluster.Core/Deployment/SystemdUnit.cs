using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RedisCluster
{
    /// <summary>
    /// The systemd unit of a node, redis_PORT.service, as the manual recipe has it: a forking redis-server (the config
    /// says daemonize yes) running as the service user, its pid file where the config puts it, started at boot.
    /// </summary>
    public static class SystemdUnit
    {
        /// <summary>Where units written by hand go on every systemd distribution.</summary>
        public const string DefaultDirectory = "/etc/systemd/system";
        public const string DefaultServiceUser = "redis";

        public static string NameOf(int port) => $"redis_{port.ToString(CultureInfo.InvariantCulture)}.service";

        public static string Render(NodeDeploymentSpec spec, string redisServerPath)
        {
            var text = new StringBuilder();
            text.Append("# Redis Cluster node ").Append(spec.EndPoint).Append(", written by RedisCluster New-RedisClusterNode.\n");
            text.Append("[Unit]\n");
            text.Append("Description=Redis Cluster node ").Append(spec.EndPoint).Append('\n');
            text.Append("After=network-online.target\n");
            text.Append("Wants=network-online.target\n");
            text.Append('\n');
            text.Append("[Service]\n");
            text.Append("Type=forking\n");
            text.Append("User=").Append(spec.ServiceUser).Append('\n');
            text.Append("PIDFile=").Append(EscapeSpecifiers(spec.PidPath)).Append('\n');
            text.Append("ExecStart=").Append(Quote(redisServerPath)).Append(' ').Append(Quote(spec.ConfigPath)).Append('\n');
            // Redis saves and closes its append-only file on SIGTERM; a big data set may take a while.
            text.Append("TimeoutStopSec=120\n");
            text.Append("Restart=on-failure\n");
            text.Append("LimitNOFILE=65536\n");
            text.Append('\n');
            text.Append("[Install]\n");
            text.Append("WantedBy=multi-user.target\n");
            return text.ToString();
        }

        /// <summary>The unit's settings by "[Section] Key", the last line of a key winning; comments and blank lines are not settings.</summary>
        public static IReadOnlyDictionary<string, string> Parse(string text)
        {
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            string section = string.Empty;
            foreach (string raw in (text ?? string.Empty).Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line[0] == '#' || line[0] == ';') continue;
                if (line[0] == '[' && line[line.Length - 1] == ']')
                {
                    section = line;
                    continue;
                }
                int equals = line.IndexOf('=');
                if (equals <= 0) continue;
                settings[$"{section} {line.Substring(0, equals).Trim()}"] = line.Substring(equals + 1).Trim();
            }
            return settings;
        }

        /// <summary>What differs between a unit on the host and the one to write; every change needs a restart of the service to apply.</summary>
        public static IReadOnlyList<NodeSettingChange> Compare(string unitName, string existing, string desired)
        {
            var before = Parse(existing);
            var after = Parse(desired);
            var changes = new List<NodeSettingChange>();
            foreach (var setting in after)
            {
                if (before.TryGetValue(setting.Key, out string old) && old == setting.Value) continue;
                changes.Add(new NodeSettingChange($"{unitName} {setting.Key}", old, setting.Value, needsRestart: true));
            }
            foreach (var setting in before.Where(s => !after.ContainsKey(s.Key)))
            {
                changes.Add(new NodeSettingChange($"{unitName} {setting.Key}", setting.Value, null, needsRestart: true));
            }
            return changes;
        }

        /// <summary>
        /// One word of a command line as systemd splits it: bare when nothing in it is special, else in double quotes
        /// with backslash and quote escaped; '%' (a specifier) doubled and '$' (a variable) doubled either way.
        /// </summary>
        public static string Quote(string word)
        {
            string escaped = EscapeSpecifiers(word).Replace("$", "$$");
            if (escaped.Length > 0 && escaped.All(c => !char.IsWhiteSpace(c) && c != '"' && c != '\'' && c != '\\' && c != ';')) return escaped;
            return "\"" + escaped.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        }

        private static string EscapeSpecifiers(string value) => value.Replace("%", "%%");
    }
}
