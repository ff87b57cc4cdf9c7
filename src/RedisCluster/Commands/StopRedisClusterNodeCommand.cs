using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsLifecycle.Stop, "RedisClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ComputerNameSet)]
    [OutputType(typeof(RedisClusterNodeDeployment))]
    public sealed class StopRedisClusterNodeCommand : NodeServiceCmdlet
    {
        protected override string Action => "Stop";

        protected override Task<IReadOnlyList<NodeDeploymentOutcome>> RunAsync(IReadOnlyList<HostPlan<NodeServiceRequest>> hosts, IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
            NodeServiceRun.StopAsync(hosts, Targets, progress, cancellationToken);
    }
}
