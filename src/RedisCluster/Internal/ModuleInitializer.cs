using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace RedisCluster.Internal
{
    /// <summary>
    /// The bridge layout of "Resolving PowerShell module assembly dependency conflicts": RedisCluster.Core
    /// (the model scripts see: NodeRole, SlotRange, RedisClusterNode, plans) sits beside this assembly in the
    /// default context, loaded by the manifest's RequiredAssemblies. RedisCluster.Engine, the only code that
    /// touches StackExchange.Redis, loads from dependencies/ into a private AssemblyLoadContext together with
    /// that library and its dependencies, so another module's versions of them never clash with ours. On
    /// Windows PowerShell 5.1, which has no AssemblyLoadContext, they are loaded by path, the best it allows.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private const string CoreAssemblyName = "RedisCluster.Core";
        private const string EngineAssemblyName = "RedisCluster.Engine";
        private const string LoaderAssemblyName = "RedisCluster.LoadContext";

        private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location);

        internal static readonly string DependencyDirectory = Path.Combine(ModuleDirectory, "dependencies");

        private static readonly bool IsNetFramework =
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        public void OnImport() => AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;

        public void OnRemove(PSModuleInfo module) => AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;

        private static Assembly ResolveDependency(object sender, ResolveEventArgs args)
        {
            string name = new AssemblyName(args.Name).Name;
            // The model normally arrives through RequiredAssemblies; this covers a host that skipped the manifest.
            if (name == CoreAssemblyName) return Assembly.LoadFrom(Path.Combine(ModuleDirectory, name + ".dll"));
            string path = Path.Combine(DependencyDirectory, name + ".dll");
            if (!File.Exists(path)) return null;
            if (IsNetFramework) return Assembly.LoadFrom(path);
            // On .NET the default context asks us only for the assemblies the module itself references;
            // everything the engine needs is resolved by the private context.
            if (name == LoaderAssemblyName) return Assembly.LoadFrom(path);
            return name == EngineAssemblyName ? PrivateContext.LoadEngine(path) : null;
        }

        /// <summary>Kept apart so the .NET Framework never compiles code that names AssemblyLoadContext.</summary>
        private static class PrivateContext
        {
            private static readonly object Gate = new object();
            private static Assembly _engine;

            [MethodImpl(MethodImplOptions.NoInlining)]
            public static Assembly LoadEngine(string path)
            {
                lock (Gate)
                {
                    return _engine ?? (_engine = new Loading.DependencyLoadContext(DependencyDirectory, CoreAssemblyName).LoadFromAssemblyPath(path));
                }
            }
        }
    }
}
