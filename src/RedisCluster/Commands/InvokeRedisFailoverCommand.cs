using System;
using System.Collections.Generic;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsLifecycle.Invoke, "RedisFailover", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterNode))]
    public sealed class InvokeRedisFailoverCommand : ClusterNodeCmdlet
    {
        /// <summary>Replicas this invocation promoted: a piped sibling of one of them is not failed over again.</summary>
        private readonly HashSet<NodeId> _promoted = new HashSet<NodeId>();

        /// <summary>
        /// Fail over this master to its best replica instead of naming the replica. Never bound from the pipeline: a piped
        /// replica's own MasterId would otherwise name its master.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(MasterIdCompleter))]
        public string MasterId { get; set; }

        [Parameter]
        public FailoverMode Mode { get; set; } = FailoverMode.Default;

        /// <summary>Skip the question a Force or Takeover failover asks (they can lose acknowledged writes).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Seconds every node has to follow the new master.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 60;

        protected override void ProcessRecord()
        {
            if (MasterId != null && NodeId != null)
            {
                ThrowInvalidArgument("ReplicaAndMasterGiven",
                    "Give either the replica to promote (-NodeId, or piped nodes) or -MasterId to have the master's best replica chosen, not both.", NodeId);
            }
            var connection = ResolveConnection();
            var topology = TopologyOf(connection);
            // With -MasterId, -EndPoint is only the way in; without it, it names the replica.
            var named = MasterId != null ? FindNode(topology, MasterId) : TargetNode(topology);
            if (named == null) return;

            var runner = new FailoverRunner(connection);
            if (!TryAwait(token => MasterId != null ? runner.PlanForMasterAsync(named.Id, Mode, token) : runner.PlanForReplicaAsync(named.Id, Mode, token), named.EndPoint, out var plan)) return;
            if (_promoted.Contains(plan.Master.Id))
            {
                // Piped replicas of one master: the first takes over, the others now replicate it and stay so.
                WriteWarning($"{plan.Replica.EndPoint} now replicates {plan.Master.EndPoint}, which this command just promoted: one failover per shard; {plan.Replica.EndPoint} is left as it is.");
                return;
            }
            foreach (var warning in plan.Warnings) WriteWarning(warning);
            if (!ShouldProcess(plan.ToString(), "Invoke Redis failover")) return;
            if (plan.MayLoseWrites && !Force && !ShouldContinue(
                    $"A {Mode} failover of {plan.Master.EndPoint} to {plan.Replica.EndPoint} does not wait for the replica to catch up: writes the master acknowledged but had not passed on are lost. Go on?",
                    $"{Mode} failover"))
            {
                return;
            }
            var deadline = new Deadline(TimeSpan.FromSeconds(TimeoutSeconds));
            if (!TryAwait((token, progress) => runner.ApplyAsync(plan, deadline, progress, token), named.EndPoint, out var shard)) return;
            _promoted.Add(plan.Replica.Id);
            WriteObject(shard, enumerateCollection: true);
        }
    }
}
