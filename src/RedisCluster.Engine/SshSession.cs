using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace RedisCluster.Engine
{
    /// <summary>
    /// <see cref="IRemoteSession"/> over SSH.NET: an exec channel per command, SFTP for files. Library failures
    /// become IOException (UnauthorizedAccessException, FileNotFoundException) or RedisClusterException with
    /// messages that name the host and the path, never the library's text.
    /// </summary>
    internal sealed class SshSession : IRemoteSession
    {
        /// <summary>One SFTP request on a live connection answers in milliseconds; a host that stops answering must not hang the run.</summary>
        internal static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(30);

        private readonly string _computerName;
        private readonly SshClient _ssh;
        private readonly SftpClient _sftp;

        public SshSession(string computerName, SshClient ssh, SftpClient sftp)
        {
            _computerName = computerName;
            _ssh = ssh;
            _sftp = sftp;
        }

        public async Task<ProgramResult> ExecuteAsync(string commandLine, Deadline deadline, CancellationToken cancellationToken)
        {
            using (var command = _ssh.CreateCommand(commandLine))
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(deadline.Remaining);
                try
                {
                    await command.ExecuteAsync(limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The library closed the channel (and asked the host to end the command).
                    return ProgramResult.NotExited;
                }
                catch (Exception e) when (e is SshException || e is SocketException || e is ObjectDisposedException || e is InvalidOperationException)
                {
                    throw new RedisClusterException(FailureKind.Unreachable, $"The SSH connection to {_computerName} failed while it ran a command.", inner: e)
                        { ErrorId = "SshConnectionLost" };
                }
                // No exit status means the command was ended by a signal.
                return new ProgramResult(command.ExitStatus ?? -1, command.Result + command.Error);
            }
        }

        /// <summary>SFTP's working directory at login, which OpenSSH's server sets to the home directory.</summary>
        public string HomeDirectory => _sftp.WorkingDirectory;

        public RemoteFileKind GetKind(string path)
        {
            try
            {
                var attributes = _sftp.GetAttributes(path);
                return attributes.IsDirectory ? RemoteFileKind.Directory : attributes.IsRegularFile ? RemoteFileKind.File : RemoteFileKind.Other;
            }
            catch (SftpPathNotFoundException)
            {
                return RemoteFileKind.Missing;
            }
            catch (Exception e) when (IsLibraryFailure(e))
            {
                throw Failed("look at", path, e);
            }
        }

        public void CreateDirectory(string path) => Sftp("create the directory", path, () => _sftp.CreateDirectory(path));

        public void DeleteDirectory(string path) => Sftp("remove the directory", path, () => _sftp.DeleteDirectory(path));

        public void CreateEmptyFile(string path) => Sftp("create", path, () => _sftp.Create(path).Dispose());

        /// <summary>SSH.NET reads the mode's decimal digits as octal ones: 0600 goes as 600.</summary>
        public void ChangeMode(string path, int mode) =>
            Sftp("set the permissions of", path, () => _sftp.ChangePermissions(path, short.Parse(Convert.ToString(mode, 8), CultureInfo.InvariantCulture)));

        public void WriteFile(string path, byte[] content) => Sftp("write", path, () =>
        {
            using (var stream = _sftp.Open(path, FileMode.Truncate, FileAccess.Write)) stream.Write(content, 0, content.Length);
        });

        public void RenameOver(string fromPath, string toPath) => Sftp("rename a file to", toPath, () => _sftp.RenameFile(fromPath, toPath, isPosix: true));

        /// <summary>Read to the end rather than by the size SFTP reports, which is 0 for /proc files.</summary>
        public string ReadFile(string path)
        {
            string text = null;
            Sftp("read", path, () =>
            {
                using (var reader = new StreamReader(_sftp.OpenRead(path), new UTF8Encoding(false))) text = reader.ReadToEnd();
            });
            return text;
        }

        public void DeleteFile(string path) => Sftp("remove", path, () => _sftp.DeleteFile(path));

        public void Dispose()
        {
            _sftp.Dispose();
            _ssh.Dispose();
        }

        private void Sftp(string action, string path, Action work)
        {
            try
            {
                work();
            }
            catch (Exception e) when (IsLibraryFailure(e))
            {
                throw Failed(action, path, e);
            }
        }

        private static bool IsLibraryFailure(Exception e) =>
            e is SshException || e is SocketException || e is ObjectDisposedException || e is InvalidOperationException || e is NotSupportedException;

        private Exception Failed(string action, string path, Exception e)
        {
            string message = $"Could not {action} {path} on {_computerName} over SFTP";
            switch (e)
            {
                case SftpPathNotFoundException _:
                    return new FileNotFoundException($"{message}: it, or a directory on its way, does not exist.", path, e);
                case SftpPermissionDeniedException _:
                    return new UnauthorizedAccessException($"{message}: permission denied.", e);
                case SftpException _:
                    return new IOException($"{message}: the host refused it.", e);
                case NotSupportedException _:
                    return new IOException($"{message}: its SFTP server lacks what that needs (posix-rename@openssh.com).", e);
                default:
                    return new RedisClusterException(FailureKind.Unreachable, $"{message}: the SSH connection failed.", inner: e) { ErrorId = "SshConnectionLost" };
            }
        }
    }
}
