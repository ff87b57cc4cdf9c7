using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Writes a node's config on a target and starts redis-server there as a plain process. What redis-server
    /// prints and logs is never passed on: a config line it quotes can hold a password. A failed start is told in
    /// this module's words, with the path of the log for the rest.
    /// </summary>
    public sealed class NodeDeployer
    {
        public const string ProcessServiceManager = "Process";
        private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
        private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

        /// <summary>
        /// redis-server names the config line it refuses ("Reading the configuration file, at line 14"); the number
        /// is all that is taken from its output.
        /// </summary>
        private static readonly Regex RefusedLine = new Regex(@"\bat line (\d+)", RegexOptions.CultureInvariant);

        private readonly IDeploymentTarget _target;
        private readonly string _redisServerPath;

        private NodeDeployer(IDeploymentTarget target, string redisServerPath)
        {
            _target = target;
            _redisServerPath = redisServerPath;
        }

        /// <param name="redisServerPath">redis-server on the target; null to look for it on the target's PATH.</param>
        /// <exception cref="RedisClusterException">RedisServerNotFound, naming the host.</exception>
        public static async Task<NodeDeployer> CreateAsync(IDeploymentTarget target, string redisServerPath, CancellationToken cancellationToken)
        {
            string path = redisServerPath ?? await target.FindProgramAsync("redis-server", cancellationToken).ConfigureAwait(false) ??
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"redis-server was not found on {target.ComputerName}: install it (apt-get install redis-server) or give -RedisServerPath.") { ErrorId = "RedisServerNotFound" };
            if (!target.FileExists(path))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, $"{path} does not exist on {target.ComputerName}.") { ErrorId = "RedisServerNotFound" };
            }
            return new NodeDeployer(target, path);
        }

        /// <summary>Refuses a port too high for a cluster node, a port that something already listens on, or a node that is already deployed.</summary>
        public async Task CheckAsync(NodeDeploymentSpec spec)
        {
            spec.CheckPort();
            if (_target.FileExists(spec.ConfigPath))
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{spec.ConfigPath} already exists: a node is already deployed on {spec.EndPoint}. Remove it first or choose another port.", spec.EndPoint) { ErrorId = "NodeAlreadyDeployed" };
            }
            if (await IsListeningAsync(spec).ConfigureAwait(false))
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"Port {spec.Port} on {spec.ComputerName} is already in use.", spec.EndPoint) { ErrorId = "PortInUse" };
            }
        }

        public async Task<RedisClusterNodeDeployment> DeployAsync(NodeDeploymentSpec spec, CancellationToken cancellationToken)
        {
            await CheckAsync(spec).ConfigureAwait(false);
            var deadline = new Deadline(StartTimeout);
            var createdDirectories = CreateDirectories(spec.InstallPath, spec.DataPath);
            // A pid file an earlier run of this port left behind would pass for the new process's.
            if (_target.FileExists(spec.PidPath)) _target.DeleteFile(spec.PidPath);
            string config = spec.RenderConfig();
            try
            {
                _target.WritePrivateFile(spec.ConfigPath, config);
                // Only the config path goes on the command line: the password stays in the file.
                var run = await _target.RunAsync(_redisServerPath, new[] { spec.ConfigPath }, deadline, cancellationToken).ConfigureAwait(false);
                if (!run.Exited) throw NotListening(spec, deadline, "the starting redis-server had not returned and was stopped");
                if (run.ExitCode != 0) throw ExitedWithError(spec, config, run);
                int processId = await Poll.UntilAsync(
                    token => LookForListeningProcessAsync(spec),
                    deadline,
                    state => NotListening(spec, deadline, state),
                    cancellationToken).ConfigureAwait(false);
                return new RedisClusterNodeDeployment(spec, processId, ProcessServiceManager);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                // Stopped by the caller, the node may still come up: only a failed start is undone.
                RemoveFailedStart(spec, createdDirectories);
                throw;
            }
        }

        /// <summary>Creates the directories the paths need; returns those that did not exist, deepest first.</summary>
        private IReadOnlyList<string> CreateDirectories(params string[] paths)
        {
            var created = new List<string>();
            foreach (string path in paths)
            {
                for (string missing = path; !string.IsNullOrEmpty(missing) && !_target.DirectoryExists(missing); missing = TargetPath.Parent(missing))
                {
                    created.Add(missing);
                }
                _target.CreateDirectory(path);
            }
            return created.OrderByDescending(directory => directory.Length).ToList();
        }

        /// <summary>
        /// The config goes, so that the port counts as free again, and so does every directory this deployment
        /// created that is left empty; a log redis-server wrote stays to be read, and with it its directory.
        /// </summary>
        private void RemoveFailedStart(NodeDeploymentSpec spec, IEnumerable<string> createdDirectories)
        {
            _target.DeleteFile(spec.ConfigPath);
            foreach (string directory in createdDirectories) _target.DeleteEmptyDirectory(directory);
        }

        /// <summary>
        /// The daemon's pid once it answers PING; a failure as soon as it is seen to have exited. Listening is not
        /// enough: redis-server listens before it loads its data, and a node whose append-only file it cannot read
        /// accepts connections for a moment and then exits.
        /// </summary>
        private async Task<PollResult<int>> LookForListeningProcessAsync(NodeDeploymentSpec spec)
        {
            if (!_target.FileExists(spec.PidPath) ||
                !int.TryParse(_target.ReadFile(spec.PidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int processId))
            {
                return PollResult<int>.Waiting("it wrote no pid file");
            }
            if (!_target.IsProcessRunning(processId))
            {
                throw Failed(spec, $"redis-server exited before it answered on {spec.EndPoint}; {LogHint(spec)}.");
            }
            var settings = new ConnectionSettings(new[] { spec.EndPoint }) { ConnectTimeout = ProbeTimeout, Credential = spec.Credential };
            var problem = await NodeProbe.DiagnoseAsync(spec.EndPoint, settings, CancellationToken.None).ConfigureAwait(false);
            if (problem == null) return PollResult<int>.Done(processId);
            if (problem is RedisServerErrorException refused && refused.Code == ServerErrorCode.Loading)
            {
                return PollResult<int>.Waiting($"process {processId} is loading its data");
            }
            return PollResult<int>.Waiting(problem.Kind == FailureKind.Unreachable
                ? $"process {processId} runs but does not listen"
                : $"process {processId} does not answer PING yet");
        }

        private RedisClusterException ExitedWithError(NodeDeploymentSpec spec, string config, ProgramResult run)
        {
            var refused = RefusedLine.Match(run.Output);
            if (refused.Success && int.TryParse(refused.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int line))
            {
                // The directive's name comes from the config written here, never from the server's echo of the line.
                string directive = RedisConfigSyntax.DirectiveAt(config, line);
                string where = directive == null ? $"line {line}" : $"line {line}, directive '{directive}'";
                return Failed(spec, $"redis-server refused its configuration for {spec.EndPoint} ({where}); nothing was started.");
            }
            return Failed(spec, $"redis-server exited with code {run.ExitCode} without starting {spec.EndPoint}; {LogHint(spec)}.");
        }

        private RedisClusterException NotListening(NodeDeploymentSpec spec, Deadline deadline, string state) =>
            new RedisClusterException(FailureKind.Timeout,
                $"redis-server did not start listening on {spec.EndPoint} within {deadline.Timeout.TotalSeconds:0} s ({state}); {LogHint(spec)}.", spec.EndPoint)
                { ErrorId = "NodeStartTimeout" };

        private static RedisClusterException Failed(NodeDeploymentSpec spec, string message) =>
            new RedisClusterException(FailureKind.InvalidState, message, spec.EndPoint) { ErrorId = "NodeStartFailed" };

        private string LogHint(NodeDeploymentSpec spec) =>
            _target.FileExists(spec.LogPath) ? $"its log is at {spec.LogPath}" : $"it wrote no log at {spec.LogPath}";

        private static async Task<bool> IsListeningAsync(NodeDeploymentSpec spec)
        {
            using (var client = new TcpClient())
            {
                try
                {
                    var connect = client.ConnectAsync(spec.Address, spec.Port);
                    return await Task.WhenAny(connect, Task.Delay(1000)).ConfigureAwait(false) == connect && client.Connected;
                }
                catch (SocketException)
                {
                    return false;
                }
            }
        }
    }
}
