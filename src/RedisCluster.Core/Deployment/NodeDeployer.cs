using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>Writes a node's config on a target and starts redis-server there as a plain process.</summary>
    public sealed class NodeDeployer
    {
        public const string ProcessServiceManager = "Process";
        private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
        private readonly IDeploymentTarget _target;
        private readonly string _redisServerPath;

        public NodeDeployer(IDeploymentTarget target, string redisServerPath)
        {
            _target = target;
            _redisServerPath = redisServerPath ?? target.FindProgram("redis-server") ??
                throw new RedisClusterException(FailureKind.InvalidArgument,
                    $"redis-server was not found on {target.ComputerName}: install it (apt-get install redis-server) or give -RedisServerPath.") { ErrorId = "RedisServerNotFound" };
            if (!_target.FileExists(_redisServerPath))
            {
                throw new RedisClusterException(FailureKind.InvalidArgument, $"{_redisServerPath} does not exist on {target.ComputerName}.") { ErrorId = "RedisServerNotFound" };
            }
        }

        /// <summary>Refuses a port that something already listens on or a node that is already deployed.</summary>
        public async Task CheckAsync(NodeDeploymentSpec spec)
        {
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
            _target.CreateDirectory(spec.InstallPath);
            _target.CreateDirectory(spec.DataPath);
            _target.WritePrivateFile(spec.ConfigPath, spec.RenderConfig());
            // Only the config path goes on the command line: the password stays in the file.
            var (exitCode, output) = await _target.RunAsync(_redisServerPath, new[] { spec.ConfigPath }, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0) throw StartFailed(spec, output);

            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < StartTimeout)
            {
                if (_target.FileExists(spec.PidPath) && int.TryParse(_target.ReadFile(spec.PidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int processId))
                {
                    if (!_target.IsProcessRunning(processId)) break;
                    if (await IsListeningAsync(spec).ConfigureAwait(false)) return new RedisClusterNodeDeployment(spec, processId, ProcessServiceManager);
                }
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            throw StartFailed(spec, output);
        }

        private RedisClusterException StartFailed(NodeDeploymentSpec spec, string output)
        {
            // The config goes, so that the port counts as free again; the log stays for the post-mortem.
            _target.DeleteFile(spec.ConfigPath);
            string log = _target.FileExists(spec.LogPath) ? _target.ReadFile(spec.LogPath) : output;
            string lastLines = string.Join(" | ", log.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Reverse().Take(3).Reverse());
            return new RedisClusterException(FailureKind.InvalidState,
                $"redis-server did not start on {spec.EndPoint}; its log ({spec.LogPath}) ends: {lastLines}", spec.EndPoint) { ErrorId = "NodeStartFailed" };
        }

        private static async Task<bool> IsListeningAsync(NodeDeploymentSpec spec)
        {
            using (var client = new TcpClient())
            {
                try
                {
                    var connect = client.ConnectAsync(spec.ComputerName, spec.Port);
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
