using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>One node's setting as it is and as it is to become.</summary>
    public sealed class ConfigChange
    {
        internal ConfigChange(RedisClusterNode node, string name, string oldValue, string value)
        {
            Node = node;
            Name = name;
            OldValue = oldValue;
            Value = value;
        }

        public RedisClusterNode Node { get; }
        public string Name { get; }
        public string OldValue { get; }
        public string Value { get; }

        public override string ToString() => $"{Node.EndPoint}: {Name} {OldValue} -> {Value}";
    }

    /// <summary>
    /// CONFIG SET of one directive on many nodes, redis-cli's set-timeout generalised: plan (every node's current
    /// value read first, an unknown directive refused before anything changes), then apply on one node alone, so
    /// a value the server refuses changes no node, then on the others at once.
    /// </summary>
    public static class ClusterConfigurator
    {
        /// <summary>Refuses what must not be set this way: password directives, and names or values that are not one line.</summary>
        public static void EnsureSettable(string name, string value)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, $"'{name}' is not a directive name: a name is one word, such as maxmemory.") { ErrorId = "InvalidSettingName" };
            }
            if (RedisCommand.IsSecretDirective(name) || string.Equals(name, "aclfile", StringComparison.OrdinalIgnoreCase))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"-Name {name.ToLowerInvariant()} is refused: it holds a password the nodes (and this module) authenticate with, so changing it is a rotation of its own, of the credential and every node together, not a setting to change node by node.")
                { ErrorId = "PasswordSettingRefused" };
            }
            if (value == null || value.Any(char.IsControl))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, $"The value for {name} holds a line break or another control character.") { ErrorId = "InvalidSettingValue" };
            }
        }

        /// <summary>Reads the current value on every node; a directive no node knows (or some node does not) is refused.</summary>
        public static async Task<IReadOnlyList<ConfigChange>> PlanAsync(
            RedisClusterConnection connection, IReadOnlyList<RedisClusterNode> nodes, string name, string value, CancellationToken cancellationToken)
        {
            EnsureSettable(name, value);
            var current = await Task.WhenAll(nodes.Select(async node =>
            {
                var client = await connection.GetNodeAsync(node.ToEndPoint(), cancellationToken).ConfigureAwait(false);
                var pair = (await client.CallAsync(cancellationToken, "CONFIG", "GET", name).ConfigureAwait(false)).AsArray();
                return (Node: node, Value: pair.Count >= 2 ? pair[1].AsString() : null, Matches: pair.Count / 2);
            })).ConfigureAwait(false);
            var unknown = current.Where(c => c.Value == null).ToList();
            if (unknown.Count > 0)
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"{name} is not a setting {(unknown.Count == current.Length ? "the nodes know" : "every node knows")} (CONFIG GET returned nothing on {string.Join(", ", unknown.Select(u => u.Node.EndPoint))}); nothing was changed.")
                { ErrorId = "UnknownSetting" };
            }
            if (current.Any(c => c.Matches > 1))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, $"{name} names several settings (a pattern): give one directive.") { ErrorId = "InvalidSettingName" };
            }
            return current.Select(c => new ConfigChange(c.Node, name, c.Value, value)).ToList();
        }

        /// <summary>
        /// Applies the changes: the first node alone (a value the server refuses ends the run there, no node
        /// changed), then the others at once; each node's outcome is its own result.
        /// </summary>
        public static async Task<IReadOnlyList<RedisClusterConfigResult>> ApplyAsync(
            RedisClusterConnection connection, IReadOnlyList<ConfigChange> changes, bool rewrite, CancellationToken cancellationToken)
        {
            if (changes.Count == 0) return new RedisClusterConfigResult[0];
            var first = await ApplyAsync(connection, changes[0], rewrite, cancellationToken).ConfigureAwait(false);
            if (!first.Succeeded && first.ErrorId != null && first.ErrorId.StartsWith("Server", StringComparison.Ordinal))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"{changes[0].Node.EndPoint} refused {changes[0].Name} {changes[0].Value}: {first.Error} No node was changed.") { ErrorId = "SettingRefused" };
            }
            var rest = await Task.WhenAll(changes.Skip(1).Select(c => ApplyAsync(connection, c, rewrite, cancellationToken))).ConfigureAwait(false);
            return new[] { first }.Concat(rest).ToList();
        }

        private static async Task<RedisClusterConfigResult> ApplyAsync(RedisClusterConnection connection, ConfigChange change, bool rewrite, CancellationToken cancellationToken)
        {
            bool rewritten = false;
            try
            {
                var client = await connection.GetNodeAsync(change.Node.ToEndPoint(), cancellationToken).ConfigureAwait(false);
                await client.CallAsync(cancellationToken, "CONFIG", "SET", change.Name, change.Value).ConfigureAwait(false);
                var pair = (await client.CallAsync(cancellationToken, "CONFIG", "GET", change.Name).ConfigureAwait(false)).AsArray();
                if (rewrite)
                {
                    await client.CallAsync(cancellationToken, "CONFIG", "REWRITE").ConfigureAwait(false);
                    rewritten = true;
                }
                return new RedisClusterConfigResult(change, pair.Count >= 2 ? pair[1].AsString() : null, rewritten, null);
            }
            catch (RedisClusterException e)
            {
                return new RedisClusterConfigResult(change, null, rewritten, e);
            }
        }
    }
}
