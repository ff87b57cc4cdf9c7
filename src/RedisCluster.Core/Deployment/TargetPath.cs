using System.IO;

namespace RedisCluster
{
    /// <summary>
    /// Paths on the machine a node is deployed to. A path that starts with '/' is a POSIX path whichever system
    /// the module runs on (a Linux host reached over SSH from Windows); any other is this machine's own.
    /// </summary>
    public static class TargetPath
    {
        public static bool IsPosixRooted(string path) => path.StartsWith("/", System.StringComparison.Ordinal);

        public static string Combine(string directory, string name) =>
            IsPosixRooted(directory) ? directory.TrimEnd('/') + "/" + name : Path.Combine(directory, name);

        /// <summary>The parent directory, or null for a root.</summary>
        public static string Parent(string path)
        {
            if (!IsPosixRooted(path)) return Path.GetDirectoryName(path);
            string trimmed = path.TrimEnd('/');
            int slash = trimmed.LastIndexOf('/');
            if (slash < 0 || trimmed.Length == 0) return null;
            return slash == 0 ? "/" : trimmed.Substring(0, slash);
        }

        public static string FileName(string path)
        {
            if (!IsPosixRooted(path)) return Path.GetFileName(path);
            string trimmed = path.TrimEnd('/');
            return trimmed.Substring(trimmed.LastIndexOf('/') + 1);
        }
    }
}
