using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsCommon.Set, "RedisClusterConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterConfigResult))]
    public sealed class SetRedisClusterConfigCommand : ClusterCmdlet
    {
        private readonly HashSet<RedisClusterConnection> _done = new HashSet<RedisClusterConnection>();

        /// <summary>The directive, as CONFIG SET takes it (cluster-node-timeout, maxmemory, ...). Password directives are refused.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        [Parameter(Mandatory = true, Position = 1)]
        [AllowEmptyString]
        public string Value { get; set; }

        /// <summary>Also CONFIG REWRITE, so the change outlives a restart.</summary>
        [Parameter]
        public SwitchParameter Rewrite { get; set; }

        /// <summary>The nodes to change: All (default), Master or Replica ("slave" accepted).</summary>
        [Parameter]
        [NodeRoleTransformation]
        public NodeRoleSelection Role { get; set; } = NodeRoleSelection.All;

        protected override void ProcessRecord()
        {
            Guard(() => ClusterConfigurator.EnsureSettable(Name, Value));
            var connection = ResolveConnection();
            if (!_done.Add(connection)) return;
            var nodes = Role.Select(TopologyOf(connection));
            var plan = Await(token => ClusterConfigurator.PlanAsync(connection, nodes, Name, Value, token));
            var approved = plan.Where(change => ShouldProcess(change.Node.EndPoint,
                $"Set {change.Name} from '{change.OldValue}' to '{change.Value}'{(Rewrite ? " and rewrite the config file" : string.Empty)}")).ToList();
            var results = Await(token => ClusterConfigurator.ApplyAsync(connection, approved, Rewrite, token));
            WriteObject(results, enumerateCollection: true);
        }
    }
}
