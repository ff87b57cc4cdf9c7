using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Opens SSH sessions: implemented by the engine over SSH.NET (in the module's private load context), so this
    /// assembly, whose types scripts see, depends on no SSH library. Made for one <see cref="SshOptions"/>.
    /// </summary>
    public interface ISshConnector
    {
        /// <summary>
        /// Connects to one address of a host, lets the verifier judge its host key, and logs in.
        /// </summary>
        /// <exception cref="RedisClusterException">
        /// The verifier's refusal; SshConnectionRefused, SshHostUnreachable (Unreachable: another address may answer);
        /// SshConnectTimeout (Timeout); SshAuthenticationFailed; SshHandshakeFailed.
        /// </exception>
        Task<ISshSession> ConnectAsync(string computerName, IPAddress address, HostKeyVerifier hostKeys, CancellationToken cancellationToken);
    }

    /// <summary>What a path on the far side is.</summary>
    public enum RemoteFileKind
    {
        Missing,
        File,
        Directory,
        Other,
    }

    /// <summary>
    /// A logged-in SSH session: commands over exec channels and files over SFTP, as plain primitives. What is
    /// built from them (atomic private writes, quoting, process checks) is <see cref="SshDeploymentTarget"/>'s.
    /// File operations throw IOException (UnauthorizedAccessException when refused, FileNotFoundException when
    /// missing) with messages that name the host.
    /// </summary>
    public interface ISshSession : IDisposable
    {
        /// <summary>
        /// Runs a command line through the login shell until it exits or the deadline passes, when its channel is
        /// closed and the result says it did not exit. The command line is visible on the host: never a secret in it.
        /// </summary>
        Task<ProgramResult> ExecuteAsync(string commandLine, Deadline deadline, CancellationToken cancellationToken);

        /// <summary>The login's home directory, where SFTP starts.</summary>
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
