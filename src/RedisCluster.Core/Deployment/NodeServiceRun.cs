using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>A deployed node to start or stop: where its config is and, if known, how it is run.</summary>
    public sealed class NodeServiceRequest
    {
        public NodeServiceRequest(int port, string installPath)
        {
            Port = port;
            InstallPath = installPath;
        }

        public int Port { get; }
        public string InstallPath { get; }

        /// <summary>How the node is run; null to tell from the host (a unit file for its port means systemd).</summary>
        public NodeServiceManager? ServiceManager { get; set; }
        public string SystemdUnitDirectory { get; set; } = SystemdUnit.DefaultDirectory;

        /// <summary>redis-server on the host, for a plain process; null to look for it on the host's PATH.</summary>
        public string RedisServerPath { get; set; }

        public string ConfigPath => TargetPath.Combine(InstallPath, $"redis_{Port.ToString(CultureInfo.InvariantCulture)}.conf");
    }

    /// <summary>Start-RedisClusterNode's and Stop-RedisClusterNode's work: deployed nodes found from their config on each host, started or stopped, all hosts at once.</summary>
    public static class NodeServiceRun
    {
        public const string StartActivity = "Starting Redis cluster nodes";
        public const string StopActivity = "Stopping Redis cluster nodes";

        public static Task<IReadOnlyList<NodeDeploymentOutcome>> StartAsync(IReadOnlyList<HostPlan<NodeServiceRequest>> hosts, IDeploymentTargetSource targets,
            IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
            RunAsync(hosts, targets, StartActivity, "starting", async (service, node, token) =>
            {
                int? running = service.RunningProcessId(node);
                if (running != null) return new RedisClusterNodeDeployment(node, NodeDeploymentStatus.AlreadyRunning, running.Value);
                int processId = await service.StartAsync(node, token).ConfigureAwait(false);
                return new RedisClusterNodeDeployment(node, NodeDeploymentStatus.Started, processId);
            }, progress, cancellationToken);

        public static Task<IReadOnlyList<NodeDeploymentOutcome>> StopAsync(IReadOnlyList<HostPlan<NodeServiceRequest>> hosts, IDeploymentTargetSource targets,
            IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
            RunAsync(hosts, targets, StopActivity, "stopping", async (service, node, token) =>
            {
                if (service.RunningProcessId(node) == null && !await NodeService.IsListeningAsync(node.EndPoint).ConfigureAwait(false))
                {
                    return new RedisClusterNodeDeployment(node, NodeDeploymentStatus.AlreadyStopped, 0);
                }
                await service.StopAsync(node, token).ConfigureAwait(false);
                return new RedisClusterNodeDeployment(node, NodeDeploymentStatus.Stopped, 0);
            }, progress, cancellationToken);

        private static Task<IReadOnlyList<NodeDeploymentOutcome>> RunAsync(IReadOnlyList<HostPlan<NodeServiceRequest>> hosts, IDeploymentTargetSource targets,
            string activity, string verb, Func<NodeService, DeployedNode, CancellationToken, Task<RedisClusterNodeDeployment>> work,
            IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
            HostRun.RunAsync(hosts, targets, activity,
                (target, token) =>
                {
                    var service = new NodeService(target);
                    return Task.FromResult<Func<NodeServiceRequest, CancellationToken, Task<RedisClusterNodeDeployment>>>(
                        (request, nodeToken) => work(service, Find(target, request), nodeToken));
                },
                request => $"{verb} port {request.Port.ToString(CultureInfo.InvariantCulture)}",
                (target, request) => $"{target.Address}:{request.Port.ToString(CultureInfo.InvariantCulture)}",
                progress, cancellationToken);

        /// <summary>The node as its config on the host describes it.</summary>
        /// <exception cref="RedisClusterException">NodeNotDeployed, UnitNotFound.</exception>
        public static DeployedNode Find(IDeploymentTarget target, NodeServiceRequest request)
        {
            if (!target.FileExists(request.ConfigPath))
            {
                throw new RedisClusterException(FailureKind.NotFound,
                    $"No node is deployed on port {request.Port} of {target.ComputerName}: {request.ConfigPath} does not exist (check -InstallPath).") { ErrorId = "NodeNotDeployed" };
            }
            string unitPath = TargetPath.Combine(request.SystemdUnitDirectory, SystemdUnit.NameOf(request.Port));
            bool hasUnit = target.FileExists(unitPath);
            var manager = request.ServiceManager ?? (hasUnit ? NodeServiceManager.Systemd : NodeServiceManager.Process);
            var node = DeployedNode.FromConfig(target.ComputerName, target.Address, request.Port, request.ConfigPath, target.ReadFile(request.ConfigPath), manager, request.SystemdUnitDirectory);
            node.RedisServerPath = request.RedisServerPath;
            if (manager == NodeServiceManager.Systemd)
            {
                if (!hasUnit)
                {
                    throw new RedisClusterException(FailureKind.NotFound,
                        $"The node on port {request.Port} of {target.ComputerName} has no systemd unit: {unitPath} does not exist (check -SystemdUnitPath, or use -ServiceManager Process).")
                        { ErrorId = "UnitNotFound" };
                }
                // A unit without User= runs its service as root.
                SystemdUnit.Parse(target.ReadFile(unitPath)).TryGetValue("[Service] User", out string user);
                node.ServiceUser = string.IsNullOrEmpty(user) ? "root" : user;
            }
            return node;
        }
    }
}
