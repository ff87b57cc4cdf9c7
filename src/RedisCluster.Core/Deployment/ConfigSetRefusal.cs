using System;

namespace RedisCluster
{
    /// <summary>
    /// What a CONFIG SET error reply says, read for the module's decisions only (never shown): which setting it was
    /// about, and whether the setting cannot change at run time at all ("can't set immutable config", "Unknown option")
    /// rather than the value being wrong.
    /// </summary>
    internal static class ConfigSetRefusal
    {
        /// <summary>Redis quotes the setting it refused: "(possibly related to argument 'x')" or "for CONFIG SET - 'x'".</summary>
        public static bool Names(string reply, string setting) =>
            reply != null && reply.IndexOf("'" + setting + "'", StringComparison.OrdinalIgnoreCase) >= 0;

        public static bool IsNotAtRunTime(string reply) =>
            reply != null && (reply.IndexOf("immutable", StringComparison.OrdinalIgnoreCase) >= 0 || reply.IndexOf("Unknown option", StringComparison.OrdinalIgnoreCase) >= 0);
    }
}
