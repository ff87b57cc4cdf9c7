using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>This machine.</summary>
    public sealed class LocalDeploymentTarget : IDeploymentTarget
    {
        private const int OwnerReadWrite = 0x180; // 0600
        private const int EveryoneReads = 0x1A4; // 0644

        public LocalDeploymentTarget(string computerName) => ComputerName = computerName;

        public string ComputerName { get; }

        public string Address => ComputerName;

        public bool FileExists(string path) => File.Exists(path);

        public bool DirectoryExists(string path) => Directory.Exists(path);

        public void CreateDirectory(string path) => Directory.CreateDirectory(path);

        public void DeleteEmptyDirectory(string path)
        {
            if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any()) Directory.Delete(path);
        }

        public void WritePrivateFile(string path, string content) => WriteWhole(path, content, OwnerReadWrite);

        public void WritePublicFile(string path, string content) => WriteWhole(path, content, EveryoneReads);

        /// <summary>
        /// A temporary file beside the target is created empty, restricted, filled and renamed over the target in one
        /// step: a node starting from it never reads part of a config, and the password is never in a file others can read.
        /// </summary>
        private static void WriteWhole(string path, string content, int mode)
        {
            string temporary = Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
            bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            try
            {
                File.WriteAllText(temporary, string.Empty);
                if (!windows && chmod(temporary, mode) != 0)
                {
                    throw new IOException($"Could not set the permissions of {temporary} (errno {Marshal.GetLastWin32Error()}).");
                }
                File.WriteAllText(temporary, content);
                if (windows)
                {
                    if (File.Exists(path)) File.Replace(temporary, path, null);
                    else File.Move(temporary, path);
                }
                else if (rename(temporary, path) != 0)
                {
                    throw new IOException($"Could not rename {temporary} to {path} (errno {Marshal.GetLastWin32Error()}).");
                }
            }
            catch (Exception)
            {
                try
                {
                    File.Delete(temporary);
                }
                catch (IOException)
                {
                    // The write's own failure is what the caller must hear.
                }
                throw;
            }
        }

        public string ReadFile(string path) => File.ReadAllText(path);

        public void DeleteFile(string path) => File.Delete(path);

        public async Task<ProgramResult> RunAsync(string program, string[] arguments, Deadline deadline, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(program, string.Join(" ", arguments.Select(QuoteArgument)))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using (var process = new Process { StartInfo = start, EnableRaisingEvents = true })
            {
                var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                process.Exited += (sender, e) => exited.TrySetResult(true);
                process.Start();
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                // The pipes close when the program exits, unless a child it left behind holds them: the deadline bounds both.
                var finished = Task.WhenAll(exited.Task, output, error);
                await Task.WhenAny(finished, Task.Delay(deadline.Remaining, cancellationToken)).ConfigureAwait(false);
                if (!process.HasExited)
                {
                    Kill(process);
                    cancellationToken.ThrowIfCancellationRequested();
                    return ProgramResult.NotExited;
                }
                cancellationToken.ThrowIfCancellationRequested();
                return new ProgramResult(process.ExitCode, finished.IsCompleted ? output.Result + error.Result : string.Empty);
            }
        }

        public bool IsProcessRunning(int processId)
        {
            string stat = ProcessStat.PathOf(processId);
            if (File.Exists(stat))
            {
                try
                {
                    return ProcessStat.IsAlive(File.ReadAllText(stat));
                }
                catch (IOException)
                {
                    return false;
                }
            }
            // No /proc: not Linux.
            try
            {
                using (var process = Process.GetProcessById(processId)) return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        public Task<string> FindProgramAsync(string name, CancellationToken cancellationToken)
        {
            var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Concat(new[] { "/usr/bin", "/usr/local/bin", "/usr/sbin" });
            return Task.FromResult(directories.Where(d => d.Length > 0).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists));
        }

        /// <summary>Nothing is held open for this machine.</summary>
        public void Dispose()
        {
        }

        private static void Kill(Process process)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // It exited between the look and the kill.
            }
        }

        private static string QuoteArgument(string argument) =>
            argument.Length > 0 && argument.All(c => !char.IsWhiteSpace(c) && c != '"') ? argument : "\"" + argument.Replace("\"", "\\\"") + "\"";

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, int mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int rename(string oldPath, string newPath);
    }
}
