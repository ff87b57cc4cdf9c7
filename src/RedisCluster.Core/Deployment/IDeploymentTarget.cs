using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// A machine nodes are deployed to. The local machine is one; a host reached over SSH is another,
    /// so the deployment steps never care which.
    /// </summary>
    public interface IDeploymentTarget : IDisposable
    {
        /// <summary>The host as the caller named it.</summary>
        string ComputerName { get; }

        /// <summary>
        /// The address its nodes bind to and are reached at: for a host reached over SSH the address the
        /// connection actually went to, not what the name may resolve to on the host itself.
        /// </summary>
        string Address { get; }

        bool FileExists(string path);
        bool DirectoryExists(string path);
        void CreateDirectory(string path);

        /// <summary>Removes a directory if it is empty; one that holds anything, or is gone, is left as it is.</summary>
        void DeleteEmptyDirectory(string path);

        /// <summary>Writes a file whole or not at all (a reader sees the old or the new one), readable by its owner only: node configs hold passwords.</summary>
        void WritePrivateFile(string path, string content);

        /// <summary>Writes a file whole or not at all, readable by everyone (mode 0644): a systemd unit.</summary>
        void WritePublicFile(string path, string content);

        string ReadFile(string path);
        void DeleteFile(string path);

        /// <summary>
        /// Runs a program with arguments (never secrets) until it exits or the deadline passes, when it is killed; with
        /// the rights deploying needs (root, or sudo for a login that is not).
        /// </summary>
        Task<ProgramResult> RunAsync(string program, string[] arguments, Deadline deadline, CancellationToken cancellationToken);

        bool IsProcessRunning(int processId);

        /// <summary>The full path of a program found on the target's PATH, or null.</summary>
        Task<string> FindProgramAsync(string name, CancellationToken cancellationToken);
    }

    /// <summary>How a program run by a target ended.</summary>
    public sealed class ProgramResult
    {
        public static readonly ProgramResult NotExited = new ProgramResult(false, -1, string.Empty);

        public ProgramResult(int exitCode, string output)
            : this(true, exitCode, output)
        {
        }

        private ProgramResult(bool exited, int exitCode, string output)
        {
            Exited = exited;
            ExitCode = exitCode;
            Output = output;
        }

        /// <summary>False when the deadline passed first and the program was killed.</summary>
        public bool Exited { get; }

        /// <summary>Its exit code, when it exited.</summary>
        public int ExitCode { get; }

        /// <summary>
        /// What it wrote to stdout and stderr, for the caller to inspect and never to show: a program may echo what
        /// it read, secrets included.
        /// </summary>
        public string Output { get; }
    }
}
