using System.Runtime.CompilerServices;

namespace RedisCluster.Internal
{
    /// <summary>
    /// The one place the cmdlets touch the engine assembly, which lives in the private load context with
    /// StackExchange.Redis and SSH.NET. Everything else works with RedisCluster.Core's interfaces and types.
    /// </summary>
    internal static class EngineBridge
    {
        private static INodeConnector _connector;

        /// <summary>Opens node connections; stateless, so one serves every runspace.</summary>
        public static INodeConnector Connector => _connector ?? (_connector = CreateConnector());

        // Not inlined: the engine assembly must be resolved (into the private context) when this runs,
        // not when a cmdlet's method is compiled.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static INodeConnector CreateConnector() => new Engine.NodeConnector();

        /// <summary>Opens SSH sessions (SSH.NET, in the private context) with one set of options; reads their key files now.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ISshConnector CreateSshConnector(SshOptions options) => new Engine.SshConnector(options);
    }
}
