using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsLifecycle.Start, "RedisClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ComputerNameSet)]
    [OutputType(typeof(RedisClusterNodeDeployment))]
    public sealed class StartRedisClusterNodeCommand : NodeServiceCmdlet
    {
        protected override string Action => "Start";

        protected override Task<IReadOnlyList<NodeDeploymentOutcome>> RunAsync(IReadOnlyList<HostPlan<NodeServiceRequest>> hosts, IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
            NodeServiceRun.StartAsync(hosts, Targets, progress, cancellationToken);
    }
}
