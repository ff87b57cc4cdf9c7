using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// A host reached over SSH, logged in as root: files over SFTP, commands over exec channels. Privileged work
    /// is done directly; a non-root login (sudo -n) would change only how files reach root-owned paths and how
    /// commands are started, which all go through <see cref="WritePrivateFile"/> and <see cref="RunAsync"/>.
    /// </summary>
    public sealed class SshDeploymentTarget : IDeploymentTarget
    {
        internal const int OwnerReadWrite = 0x180; // 0600
        private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(10);

        private readonly ISshSession _session;

        public SshDeploymentTarget(string computerName, string address, ISshSession session)
        {
            ComputerName = computerName;
            Address = address;
            _session = session;
        }

        public string ComputerName { get; }
        public string Address { get; }

        public bool FileExists(string path) => _session.GetKind(path) == RemoteFileKind.File;

        public bool DirectoryExists(string path) => _session.GetKind(path) == RemoteFileKind.Directory;

        /// <summary>Creates the directory and every missing parent, as mkdir -p does: SFTP makes one level at a time.</summary>
        public void CreateDirectory(string path)
        {
            if (DirectoryExists(path)) return;
            string parent = TargetPath.Parent(path);
            if (parent != null) CreateDirectory(parent);
            _session.CreateDirectory(path);
        }

        public void DeleteEmptyDirectory(string path)
        {
            if (!DirectoryExists(path)) return;
            try
            {
                _session.DeleteDirectory(path);
            }
            catch (IOException)
            {
                // Not empty: it stays, as the contract says.
            }
        }

        /// <summary>
        /// Writes the file whole or not at all, readable by its owner only: a temporary file beside it is created
        /// empty, restricted to 0600, filled, and renamed over the target in one step, so neither a reader nor
        /// a redis-server starting from it ever sees part of a config, and the password is never in a file others
        /// can read. A failure removes the temporary file.
        /// </summary>
        public void WritePrivateFile(string path, string content)
        {
            string temporary = TargetPath.Combine(TargetPath.Parent(path), $".{TargetPath.FileName(path)}.{RandomSuffix()}.tmp");
            try
            {
                _session.CreateEmptyFile(temporary);
                _session.ChangeMode(temporary, OwnerReadWrite);
                _session.WriteFile(temporary, new UTF8Encoding(false).GetBytes(content));
                _session.RenameOver(temporary, path);
            }
            catch (Exception)
            {
                RemoveQuietly(temporary);
                throw;
            }
        }

        public string ReadFile(string path) => _session.ReadFile(path);

        /// <summary>Like File.Delete, a file that is not there is no error.</summary>
        public void DeleteFile(string path)
        {
            if (_session.GetKind(path) != RemoteFileKind.Missing) _session.DeleteFile(path);
        }

        public Task<ProgramResult> RunAsync(string program, string[] arguments, Deadline deadline, CancellationToken cancellationToken) =>
            _session.ExecuteAsync(PosixShell.CommandLine(program, arguments), deadline, cancellationToken);

        /// <summary>Read over SFTP, as on this machine: /proc/PID/stat exists while the process does, zombies aside.</summary>
        public bool IsProcessRunning(int processId)
        {
            string stat = ProcessStat.PathOf(processId);
            try
            {
                return _session.GetKind(stat) == RemoteFileKind.File && ProcessStat.IsAlive(_session.ReadFile(stat));
            }
            catch (FileNotFoundException)
            {
                // It ended between the look and the read.
                return false;
            }
        }

        /// <summary>What the login shell's command -v finds on the PATH an SSH command gets.</summary>
        public async Task<string> FindProgramAsync(string name, CancellationToken cancellationToken)
        {
            var result = await _session.ExecuteAsync("command -v " + PosixShell.Quote(name), new Deadline(LookupTimeout), cancellationToken).ConfigureAwait(false);
            string path = result.Output.Trim();
            // command -v prints an alias or a builtin's name as it is; only a path is a program.
            return result.Exited && result.ExitCode == 0 && TargetPath.IsPosixRooted(path) && path.IndexOf('\n') < 0 ? path : null;
        }

        /// <summary>The numeric user id the session runs as, from id -u.</summary>
        /// <exception cref="RedisClusterException">SshCommandFailed when id does not answer.</exception>
        public async Task<int> UserIdAsync(CancellationToken cancellationToken)
        {
            var result = await _session.ExecuteAsync("id -u", new Deadline(LookupTimeout), cancellationToken).ConfigureAwait(false);
            if (!result.Exited || result.ExitCode != 0 ||
                !int.TryParse(result.Output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int userId))
            {
                throw new RedisClusterException(FailureKind.Protocol,
                    $"{ComputerName} did not tell its user id (id -u) over SSH: its login shell may not run commands.") { ErrorId = "SshCommandFailed" };
            }
            return userId;
        }

        public void Dispose() => _session.Dispose();

        private void RemoveQuietly(string path)
        {
            try
            {
                if (_session.GetKind(path) != RemoteFileKind.Missing) _session.DeleteFile(path);
            }
            catch (Exception)
            {
                // The write's own failure is what the caller must hear; the connection may be gone too.
            }
        }

        private static string RandomSuffix()
        {
            var bytes = new byte[6];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(bytes);
            return BitConverter.ToString(bytes).Replace("-", string.Empty).ToLowerInvariant();
        }
    }
}
