using System;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Starts and stops a deployed node on its host, with systemctl or as a plain process, and waits until it answers
    /// or is gone. What redis-server and systemctl print is never passed on: a config line redis-server quotes can hold a
    /// password. A failure is told in this module's words, with the path of the node's log for the rest.
    /// </summary>
    public sealed class NodeService
    {
        public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
        public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);
        private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

        /// <summary>
        /// redis-server names the config line it refuses ("Reading the configuration file, at line 14"); the number
        /// is all that is taken from its output.
        /// </summary>
        private static readonly Regex RefusedLine = new Regex(@"\bat line (\d+)", RegexOptions.CultureInvariant);

        private readonly IDeploymentTarget _target;
        private string _systemctl;

        public NodeService(IDeploymentTarget target) => _target = target;

        /// <summary>The process its pid file names, while it runs; null when there is none.</summary>
        public int? RunningProcessId(DeployedNode node)
        {
            if (!_target.FileExists(node.PidPath)) return null;
            string text;
            try
            {
                text = _target.ReadFile(node.PidPath);
            }
            catch (System.IO.FileNotFoundException)
            {
                // It stopped between the look and the read.
                return null;
            }
            return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int processId) && _target.IsProcessRunning(processId)
                ? processId
                : (int?)null;
        }

        /// <summary>Starts the node and returns its process id once it answers PING.</summary>
        /// <exception cref="RedisClusterException">NodeStartFailed, NodeStartTimeout, RedisServerNotFound, SystemctlNotFound.</exception>
        public async Task<int> StartAsync(DeployedNode node, CancellationToken cancellationToken)
        {
            var deadline = new Deadline(StartTimeout);
            // A pid file an earlier run left behind would pass for the new process's.
            if (_target.FileExists(node.PidPath)) _target.DeleteFile(node.PidPath);
            if (node.ServiceManager == NodeServiceManager.Systemd)
            {
                // The service user must own what the node writes: a directory it cannot write stops even its shutdown save.
                if (node.DataPath != null && node.ServiceUser != null) await ChangeOwnerAsync(node, node.DataPath, recursive: true, cancellationToken).ConfigureAwait(false);
                var run = await SystemctlAsync("start", node, deadline, cancellationToken).ConfigureAwait(false);
                if (!run.Exited) throw NotAnswering(node, deadline, "systemctl start had not returned and was stopped");
                if (run.ExitCode != 0)
                {
                    throw Failed(node, $"systemctl start {node.UnitName} failed with exit code {run.ExitCode} on {node.ComputerName}; " +
                        $"journalctl -u {node.UnitName} tells why, and {LogHint(node)}.", "NodeStartFailed");
                }
            }
            else
            {
                string redisServer = node.RedisServerPath ?? await FindRedisServerAsync(_target, null, cancellationToken).ConfigureAwait(false);
                // Only the config path goes on the command line: the password stays in the file.
                var run = await _target.RunAsync(redisServer, new[] { node.ConfigPath }, deadline, cancellationToken).ConfigureAwait(false);
                if (!run.Exited) throw NotAnswering(node, deadline, "the starting redis-server had not returned and was stopped");
                if (run.ExitCode != 0) throw ExitedWithError(node, run);
            }
            return await Poll.UntilAsync(
                token => LookForAnsweringProcessAsync(node, token),
                deadline,
                state => NotAnswering(node, deadline, state),
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Stops the node (systemctl stop, or SIGTERM to its process, on which Redis saves and exits) and waits until it is gone.</summary>
        /// <exception cref="RedisClusterException">NodeStopFailed, NodeStopTimeout, NodeProcessUnknown, SystemctlNotFound.</exception>
        public async Task StopAsync(DeployedNode node, CancellationToken cancellationToken)
        {
            var deadline = new Deadline(StopTimeout);
            int? processId = RunningProcessId(node);
            if (processId == null && await IsListeningAsync(node.EndPoint).ConfigureAwait(false))
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"Something answers on {node.EndPoint}, but {node.PidPath} on {node.ComputerName} names no running process: it was not started from {node.ConfigPath}. Stop it yourself.",
                    node.EndPoint) { ErrorId = "NodeProcessUnknown" };
            }
            if (node.ServiceManager == NodeServiceManager.Systemd)
            {
                var run = await SystemctlAsync("stop", node, deadline, cancellationToken).ConfigureAwait(false);
                if (run.Exited && run.ExitCode != 0)
                {
                    throw Failed(node, $"systemctl stop {node.UnitName} failed with exit code {run.ExitCode} on {node.ComputerName}; journalctl -u {node.UnitName} tells why.", "NodeStopFailed");
                }
            }
            // Also after systemctl: a node started by hand, or before the unit existed, is not the service's.
            if (processId != null && _target.IsProcessRunning(processId.Value))
            {
                var run = await _target.RunAsync("kill", new[] { "-TERM", processId.Value.ToString(CultureInfo.InvariantCulture) }, deadline, cancellationToken).ConfigureAwait(false);
                if (run.Exited && run.ExitCode != 0 && _target.IsProcessRunning(processId.Value))
                {
                    throw Failed(node, $"Process {processId} of {node.EndPoint} on {node.ComputerName} could not be sent SIGTERM (kill exited with code {run.ExitCode}).", "NodeStopFailed");
                }
            }
            await Poll.UntilAsync(
                async token =>
                {
                    if (processId != null && _target.IsProcessRunning(processId.Value)) return PollResult<bool>.Waiting($"process {processId} is saving and exiting");
                    if (await IsListeningAsync(node.EndPoint).ConfigureAwait(false)) return PollResult<bool>.Waiting($"port {node.Port} still accepts connections");
                    return PollResult<bool>.Done(true);
                },
                deadline,
                state => new RedisClusterException(FailureKind.Timeout,
                    $"{node.EndPoint} on {node.ComputerName} was not gone {deadline.Timeout.TotalSeconds:0} s after it was told to stop ({state}); {LogHint(node)}.", node.EndPoint)
                    { ErrorId = "NodeStopTimeout" },
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Runs systemctl VERB [the node's unit] on the host; daemon-reload takes no unit.</summary>
        public async Task<ProgramResult> SystemctlAsync(string verb, DeployedNode node, Deadline deadline, CancellationToken cancellationToken)
        {
            if (_systemctl == null)
            {
                _systemctl = await _target.FindProgramAsync("systemctl", cancellationToken).ConfigureAwait(false) ??
                    throw new RedisClusterException(FailureKind.NotFound,
                        $"systemctl was not found on {_target.ComputerName}: the host does not run systemd. Deploy with -ServiceManager Process.") { ErrorId = "SystemctlNotFound" };
            }
            var arguments = node == null ? new[] { verb } : new[] { verb, node.UnitName };
            return await _target.RunAsync(_systemctl, arguments, deadline ?? new Deadline(CommandTimeout), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Runs a systemctl step of a deployment (daemon-reload, enable, disable) and refuses a failure.</summary>
        /// <exception cref="RedisClusterException">SystemctlFailed.</exception>
        public async Task RequireSystemctlAsync(string verb, DeployedNode node, CancellationToken cancellationToken)
        {
            var run = await SystemctlAsync(verb, node, null, cancellationToken).ConfigureAwait(false);
            if (!run.Exited || run.ExitCode != 0)
            {
                string command = node == null ? $"systemctl {verb}" : $"systemctl {verb} {node.UnitName}";
                throw new RedisClusterException(FailureKind.InvalidState,
                    run.Exited ? $"{command} failed with exit code {run.ExitCode} on {_target.ComputerName}." : $"{command} did not return on {_target.ComputerName} within {CommandTimeout.TotalSeconds:0} s.",
                    node?.EndPoint) { ErrorId = "SystemctlFailed" };
            }
        }

        /// <summary>Hands a path (and, recursively, what it holds) to the node's service user.</summary>
        /// <exception cref="RedisClusterException">ChangeOwnerFailed.</exception>
        public async Task ChangeOwnerAsync(DeployedNode node, string path, bool recursive, CancellationToken cancellationToken)
        {
            var arguments = recursive ? new[] { "-R", node.ServiceUser + ":", path } : new[] { node.ServiceUser + ":", path };
            var run = await _target.RunAsync("chown", arguments, new Deadline(CommandTimeout), cancellationToken).ConfigureAwait(false);
            if (!run.Exited || run.ExitCode != 0)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{path} on {_target.ComputerName} could not be handed to the service user '{node.ServiceUser}' (chown).", node.EndPoint) { ErrorId = "ChangeOwnerFailed" };
            }
        }

        /// <param name="redisServerPath">redis-server on the target; null to look for it on the target's PATH.</param>
        /// <exception cref="RedisClusterException">RedisServerNotFound, naming the host.</exception>
        public static async Task<string> FindRedisServerAsync(IDeploymentTarget target, string redisServerPath, CancellationToken cancellationToken)
        {
            string path = redisServerPath ?? await target.FindProgramAsync("redis-server", cancellationToken).ConfigureAwait(false) ??
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"redis-server was not found on {target.ComputerName}: install it (apt-get install redis-server) or give -RedisServerPath.") { ErrorId = "RedisServerNotFound" };
            if (!target.FileExists(path))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, $"{path} does not exist on {target.ComputerName}.") { ErrorId = "RedisServerNotFound" };
            }
            return path;
        }

        /// <summary>
        /// A connection to the running node with the first of its credentials it takes, which then becomes the first
        /// tried: while a new password waits for a restart the node still takes the old one.
        /// </summary>
        public static async Task<INodeClient> ConnectAsync(DeployedNode node, INodeConnector connector, TimeSpan commandTimeout, CancellationToken cancellationToken)
        {
            var settings = await SettingsAsync(node, commandTimeout, cancellationToken).ConfigureAwait(false);
            return await connector.ConnectAsync(node.EndPoint, settings, commandTimeout, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The settings that reach the running node with the first of its credentials it takes (which then goes first),
        /// seeded with it alone: for a cluster connection through it.
        /// </summary>
        public static async Task<ConnectionSettings> SettingsAsync(DeployedNode node, TimeSpan commandTimeout, CancellationToken cancellationToken)
        {
            var (settings, problem) = await ProbeAsync(node, new ConnectionSettings(new[] { node.EndPoint }) { CommandTimeout = commandTimeout }, cancellationToken).ConfigureAwait(false);
            if (problem != null) throw problem;
            return settings;
        }

        /// <summary>
        /// Asks the node (TCP, AUTH, PING) with each of its credentials in turn until one is taken, which then goes first;
        /// stops at the first failure that is not a refused password. Returns the settings that worked, or the last problem.
        /// </summary>
        private static async Task<(ConnectionSettings Settings, RedisClusterException Problem)> ProbeAsync(DeployedNode node, ConnectionSettings template, CancellationToken cancellationToken)
        {
            RedisClusterException problem = null;
            foreach (var credential in node.Credentials)
            {
                var settings = new ConnectionSettings(new[] { node.EndPoint })
                {
                    Credential = credential, ConnectTimeout = template.ConnectTimeout, CommandTimeout = template.CommandTimeout,
                };
                problem = await NodeProbe.DiagnoseAsync(node.EndPoint, settings, cancellationToken).ConfigureAwait(false);
                if (problem == null)
                {
                    node.Credentials = new[] { credential }.Concat(node.Credentials.Where(c => c != credential)).ToList();
                    return (settings, null);
                }
                if (problem.Kind != FailureKind.Authentication) break;
            }
            return (null, problem);
        }

        /// <summary>Whether anything accepts connections on the node's port, from this machine.</summary>
        public static async Task<bool> IsListeningAsync(NodeEndPoint endPoint)
        {
            using (var client = new TcpClient())
            {
                try
                {
                    var connect = client.ConnectAsync(endPoint.Host, endPoint.Port);
                    bool connected = await Task.WhenAny(connect, Task.Delay(1000)).ConfigureAwait(false) == connect && client.Connected;
                    if (!connected) _ = connect.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                    return connected;
                }
                catch (SocketException)
                {
                    return false;
                }
            }
        }

        /// <summary>
        /// The daemon's pid once it answers PING; a failure as soon as it is seen to have exited. Listening is not
        /// enough: redis-server listens before it loads its data, and a node whose append-only file it cannot read
        /// accepts connections for a moment and then exits.
        /// </summary>
        private async Task<PollResult<int>> LookForAnsweringProcessAsync(DeployedNode node, CancellationToken cancellationToken)
        {
            if (!_target.FileExists(node.PidPath) ||
                !int.TryParse(_target.ReadFile(node.PidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int processId))
            {
                return PollResult<int>.Waiting("it wrote no pid file");
            }
            if (!_target.IsProcessRunning(processId))
            {
                throw Failed(node, $"redis-server exited before it answered on {node.EndPoint}; {LogHint(node)}.", "NodeStartFailed");
            }
            var (_, problem) = await ProbeAsync(node, new ConnectionSettings(new[] { node.EndPoint }) { ConnectTimeout = ProbeTimeout }, cancellationToken).ConfigureAwait(false);
            if (problem == null) return PollResult<int>.Done(processId);
            if (problem is RedisServerErrorException refused && refused.Code == ServerErrorCode.Loading)
            {
                return PollResult<int>.Waiting($"process {processId} is loading its data");
            }
            switch (problem.Kind)
            {
                case FailureKind.Unreachable: return PollResult<int>.Waiting($"process {processId} runs but does not listen");
                case FailureKind.Authentication: return PollResult<int>.Waiting($"process {processId} refuses the password of its config");
                default: return PollResult<int>.Waiting($"process {processId} does not answer PING yet");
            }
        }

        private RedisClusterException ExitedWithError(DeployedNode node, ProgramResult run)
        {
            var refused = RefusedLine.Match(run.Output);
            if (refused.Success && node.ConfigText != null && int.TryParse(refused.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int line))
            {
                // The directive's name comes from the config written here, never from the server's echo of the line.
                string directive = RedisConfigSyntax.DirectiveAt(node.ConfigText, line);
                string where = directive == null ? $"line {line}" : $"line {line}, directive '{directive}'";
                return Failed(node, $"redis-server refused its configuration for {node.EndPoint} ({where}); nothing was started.", "NodeStartFailed");
            }
            return Failed(node, $"redis-server exited with code {run.ExitCode} without starting {node.EndPoint}; {LogHint(node)}.", "NodeStartFailed");
        }

        private RedisClusterException NotAnswering(DeployedNode node, Deadline deadline, string state) =>
            new RedisClusterException(FailureKind.Timeout,
                $"redis-server did not start listening on {node.EndPoint} within {deadline.Timeout.TotalSeconds:0} s ({state}); {LogHint(node)}.", node.EndPoint)
                { ErrorId = "NodeStartTimeout" };

        private static RedisClusterException Failed(DeployedNode node, string message, string errorId) =>
            new RedisClusterException(FailureKind.InvalidState, message, node.EndPoint) { ErrorId = errorId };

        private string LogHint(DeployedNode node)
        {
            if (node.LogPath == null) return "it logs to standard output";
            return _target.FileExists(node.LogPath) ? $"its log is at {node.LogPath}" : $"it wrote no log at {node.LogPath}";
        }
    }
}
