using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Optimize, "RedisClusterPlacement", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(PlacementStep))]
    public sealed class OptimizeRedisClusterPlacementCommand : ClusterCmdlet
    {
        private HostResolver _hosts;

        /// <summary>Endpoint ("host:port") or host to failure domain (rack, zone), as Test-RedisCluster takes it.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable HostOf { get; set; }

        /// <summary>Seconds each step has to be done and the cluster settled from it.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 60;

        protected override void BeginProcessing() => _hosts = Guard(() => HostMaps.Resolver(HostOf));

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            var placer = new ClusterPlacer(connection, _hosts);
            var plan = Await(token => placer.PlanAsync(token));
            if (plan.Before.Count == 0)
            {
                WriteNothingToDo("The cluster is well placed already: masters are spread evenly over the hosts and no replica runs on its master's host. Nothing was changed.", "NothingToChange");
                return;
            }
            bool whatIf = IsWhatIf;
            foreach (var step in plan.Steps)
            {
                if (!ShouldProcess(step.ToString(), "Optimize Redis cluster placement"))
                {
                    // -WhatIf shows the whole plan as objects; a step declined at -Confirm ends it, since later steps build on it.
                    if (whatIf)
                    {
                        WriteObject(step);
                        continue;
                    }
                    return;
                }
                var deadline = new Deadline(TimeSpan.FromSeconds(TimeoutSeconds));
                WriteObject(Await((token, progress) => placer.ApplyAsync(step, deadline, progress, token)));
            }
            if (plan.IsSearchCut) WriteWarning("The cluster has too many shards to weigh every placement: the plan is the best of the placements tried.");
            if (plan.Remaining.Count > 0)
            {
                WriteWarning($"No placement satisfies every rule with these hosts; {(whatIf ? "after the plan" : "now")} what remains is: {string.Join(" ", plan.Remaining.Select(f => f.Message))}");
            }
        }
    }
}
