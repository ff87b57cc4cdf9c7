using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace RedisCluster.Internal
{
    /// <summary>
    /// Makes RedisCluster.Core and its dependencies resolvable from the module's dependencies folder.
    /// On PowerShell 7 they go into a private AssemblyLoadContext; on Windows PowerShell 5.1, which has
    /// none, they are loaded by path, the best that runtime allows.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private const string CoreAssemblyName = "RedisCluster.Core";
        private const string LoaderAssemblyName = "RedisCluster.LoadContext";

        internal static readonly string DependencyDirectory =
            Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location), "dependencies");

        private static readonly bool IsNetFramework =
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        public void OnImport() => AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;

        public void OnRemove(PSModuleInfo module) => AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;

        private static Assembly ResolveDependency(object sender, ResolveEventArgs args)
        {
            string name = new AssemblyName(args.Name).Name;
            string path = Path.Combine(DependencyDirectory, name + ".dll");
            if (!File.Exists(path)) return null;
            if (IsNetFramework) return Assembly.LoadFrom(path);
            // On .NET the default context asks us only for the assemblies the module itself references;
            // everything they need is resolved by the private context.
            if (name == LoaderAssemblyName) return Assembly.LoadFrom(path);
            return name == CoreAssemblyName ? PrivateContext.LoadCore(path) : null;
        }

        /// <summary>Kept apart so the .NET Framework never compiles code that names AssemblyLoadContext.</summary>
        private static class PrivateContext
        {
            private static readonly object Gate = new object();
            private static Assembly _core;

            [MethodImpl(MethodImplOptions.NoInlining)]
            public static Assembly LoadCore(string path)
            {
                lock (Gate)
                {
                    return _core ?? (_core = new Loading.DependencyLoadContext(DependencyDirectory).LoadFromAssemblyPath(path));
                }
            }
        }
    }
}
