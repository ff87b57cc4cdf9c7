using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace RedisCluster.Loading
{
    /// <summary>
    /// The module's private load context on PowerShell 7: RedisCluster.Engine and its dependencies
    /// (StackExchange.Redis and friends) load here from the dependencies folder, so another module that
    /// brought other versions of them into the session does not clash with ours, whichever loaded first.
    /// The shared assemblies (RedisCluster.Core, the model) always come from the default context, so a
    /// type the engine hands out is the very type scripts and parameter binding know.
    /// </summary>
    public sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private readonly string _directory;
        private readonly HashSet<string> _shared;
        private readonly string _runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location);

        public DependencyLoadContext(string directory, params string[] sharedAssemblies)
        {
            _directory = directory;
            _shared = new HashSet<string>(sharedAssemblies, StringComparer.OrdinalIgnoreCase);
        }

        protected override Assembly Load(AssemblyName assemblyName)
        {
            if (_shared.Contains(assemblyName.Name)) return null;
            string path = Path.Combine(_directory, assemblyName.Name + ".dll");
            if (!File.Exists(path)) return null;
            // Framework assemblies we carry only because netstandard2.0 needs them (System.Memory and the
            // like) come from the runtime when it has a version at least as new: one copy of those types.
            string frameworkCopy = Path.Combine(_runtimeDirectory, assemblyName.Name + ".dll");
            if (File.Exists(frameworkCopy) && AssemblyName.GetAssemblyName(frameworkCopy).Version >= (assemblyName.Version ?? new Version()))
            {
                return null;
            }
            return LoadFromAssemblyPath(path);
        }
    }
}
