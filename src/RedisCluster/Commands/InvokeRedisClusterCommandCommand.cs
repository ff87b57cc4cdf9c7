using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsLifecycle.Invoke, "RedisClusterCommand", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterCommandResult))]
    public sealed class InvokeRedisClusterCommandCommand : ClusterCmdlet
    {
        private readonly HashSet<RedisClusterConnection> _done = new HashSet<RedisClusterConnection>();

        /// <summary>The command: one word per element ('CONFIG','GET','maxmemory'), or one line split as redis-cli splits it ('CONFIG GET maxmemory').</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Command { get; set; }

        /// <summary>The nodes to run it on: All (default), Master or Replica ("slave" accepted).</summary>
        [Parameter]
        [NodeRoleTransformation]
        public NodeRoleSelection Role { get; set; } = NodeRoleSelection.All;

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            // Piped nodes of one cluster are one cluster: the command runs once on each chosen node.
            if (!_done.Add(connection)) return;
            var words = Command.Length == 1 ? Guard(() => ClusterCommandRunner.SplitCommandLine(Command[0])) : Command;
            if (words.Count == 0) ThrowInvalidArgument("InvalidCommandLine", "The command is empty.", Command);
            var command = new RedisCommand(words[0], words.Skip(1).Cast<object>().ToArray());
            var nodes = Role.Select(TopologyOf(connection));
            if (!ShouldProcess($"{nodes.Count} node(s): {string.Join(", ", nodes.Select(n => n.EndPoint))}", $"Run {command.Describe()}")) return;
            var results = Await(token => ClusterCommandRunner.RunAsync(connection, nodes, command, token));
            WriteObject(results, enumerateCollection: true);
        }
    }
}
