using System;
using System.Collections;
using System.Collections.Generic;

namespace RedisCluster
{
    /// <summary>
    /// The directives a caller adds to a node's config or overrides there (-Setting), checked when made, before
    /// anything is written: each is a plain directive name with a one-line value, and none is a directive the
    /// deployment writes itself.
    /// </summary>
    public sealed class NodeSettings : IEnumerable<KeyValuePair<string, string>>
    {
        public static readonly NodeSettings None = new NodeSettings(new Dictionary<string, string>());

        /// <summary>The directives the deployment writes itself, each with the reason a refusal gives.</summary>
        private static readonly IReadOnlyDictionary<string, string> Managed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["port"] = "writes it from -Port",
            ["bind"] = "writes it from -ComputerName",
            ["bind-source-addr"] = "writes it from -ComputerName",
            ["requirepass"] = "writes it from -Credential",
            ["masterauth"] = "writes it from -Credential",
            ["masteruser"] = "writes it from -Credential",
            ["user"] = "writes it from -Credential",
            ["dir"] = "writes it from -DataPath and finds the node's files there",
            ["pidfile"] = "writes it from -DataPath and waits for the node's pid there",
            ["logfile"] = "writes it from -DataPath and points to the node's log there",
            ["cluster-config-file"] = "writes it from -Port, one cluster state file per node",
            ["daemonize"] = "starts every node as a daemon and waits for its pid file",
            ["cluster-enabled"] = "deploys cluster nodes only",
            ["include"] = "reads no other file: an included one could change any directive it manages",
        };

        /// <summary>The directives the deployment writes itself.</summary>
        public static IEnumerable<string> ManagedNames => Managed.Keys;

        private readonly Dictionary<string, string> _settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <exception cref="RedisClusterException">A setting is not a plain directive, holds a control character, or is managed.</exception>
        public NodeSettings(IEnumerable<KeyValuePair<string, string>> settings)
        {
            foreach (var setting in settings)
            {
                string name = CheckName(setting.Key);
                string value = setting.Value ?? string.Empty;
                CheckValue(name, value);
                _settings[name] = value;
            }
        }

        public bool Contains(string name) => _settings.ContainsKey(name);

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _settings.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>The name as redis.conf writes it (lower case), once it is a plain directive the deployment does not manage.</summary>
        private static string CheckName(string name)
        {
            if (!RedisConfigSyntax.IsDirectiveName(name))
            {
                // Quoted the way redis.conf would need it, so that a line break or tab in the name shows.
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-Setting {RedisConfigSyntax.Quote(name ?? string.Empty)} is not a redis.conf directive name: a name is letters, digits and hyphens, such as 'maxmemory-policy'.")
                    { ErrorId = "InvalidSettingName" };
            }
            string directive = name.ToLowerInvariant();
            if (Managed.TryGetValue(directive, out string reason))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-Setting cannot set '{directive}': New-RedisClusterNode {reason}.") { ErrorId = "ManagedSetting" };
            }
            return directive;
        }

        private static void CheckValue(string name, string value)
        {
            if (RedisConfigSyntax.HasControlCharacter(value))
            {
                // The value is not shown: whatever it holds stays out of messages.
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-Setting '{name}' has a value with a line break, tab or other control character: a redis.conf directive is one line.")
                    { ErrorId = "InvalidSettingValue" };
            }
        }
    }
}
