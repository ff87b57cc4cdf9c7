namespace RedisCluster
{
    /// <summary>
    /// One setting of a deployed node that a deployment changes: a redis.conf directive, or a line of its systemd unit.
    /// Secret values (passwords, password hashes) are never held: they show as <see cref="Masked"/>.
    /// </summary>
    public sealed class NodeSettingChange
    {
        /// <summary>What a secret value shows as.</summary>
        public const string Masked = "********";

        public NodeSettingChange(string setting, string oldValue, string newValue, bool needsRestart = false)
        {
            Setting = setting;
            OldValue = oldValue;
            NewValue = newValue;
            NeedsRestart = needsRestart;
        }

        /// <summary>The directive ("maxmemory", "user operator") or unit line ("redis_6379.service [Service] User").</summary>
        public string Setting { get; }

        /// <summary>The value before; null when the setting was not there.</summary>
        public string OldValue { get; }

        /// <summary>The value after; null when the setting goes (and the node falls back to Redis's default).</summary>
        public string NewValue { get; }

        /// <summary>True when the running node cannot take the change (CONFIG SET refused it, or it is not a run-time setting): it applies at the next start.</summary>
        public bool NeedsRestart { get; internal set; }

        public override string ToString() =>
            $"{Setting}: {OldValue ?? "(not set)"} -> {NewValue ?? "(removed)"}{(NeedsRestart ? " (needs a restart)" : string.Empty)}";
    }
}
