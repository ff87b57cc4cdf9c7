using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>What a path on the far side is.</summary>
    public enum RemoteFileKind
    {
        Missing,
        File,
        Directory,
        Other,
    }

    /// <summary>
    /// A logged-in session to a host with a POSIX shell: an SSH connection (commands over exec channels, files over
    /// SFTP) or a PowerShell remoting session, as plain primitives. What is built from them (atomic private writes,
    /// quoting, sudo, process checks) is <see cref="RemoteDeploymentTarget"/>'s. File operations throw IOException
    /// (UnauthorizedAccessException when refused, FileNotFoundException when missing) with messages that name the host.
    /// </summary>
    public interface IRemoteSession : IDisposable
    {
        /// <summary>
        /// Runs a command line through a POSIX shell on the host (over SSH the login shell) until it exits or the
        /// deadline passes, when it is ended and the result says it did not exit. The command line is visible on the
        /// host: never a secret in it.
        /// </summary>
        Task<ProgramResult> ExecuteAsync(string commandLine, Deadline deadline, CancellationToken cancellationToken);

        /// <summary>The login's home directory.</summary>
        string HomeDirectory { get; }

        RemoteFileKind GetKind(string path);

        /// <summary>Creates one directory whose parent exists.</summary>
        void CreateDirectory(string path);

        /// <summary>Removes a directory; an IOException when it is not empty.</summary>
        void DeleteDirectory(string path);

        /// <summary>Creates an empty file, or empties an existing one.</summary>
        void CreateEmptyFile(string path);

        /// <summary>Sets a file's permission bits (such as 0600 = 0x180).</summary>
        void ChangeMode(string path, int mode);

        /// <summary>Replaces the content of an existing file, keeping its mode.</summary>
        void WriteFile(string path, byte[] content);

        /// <summary>Renames a file over another one in one step (POSIX rename): a reader sees the old or the new file, never a part.</summary>
        void RenameOver(string fromPath, string toPath);

        string ReadFile(string path);
        void DeleteFile(string path);
    }
}
