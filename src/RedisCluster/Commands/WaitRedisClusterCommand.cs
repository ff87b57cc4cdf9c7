using System;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    [Cmdlet(VerbsLifecycle.Wait, "RedisCluster", DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(RedisClusterNode))]
    public sealed class WaitRedisClusterCommand : ClusterCmdlet
    {
        private readonly System.Collections.Generic.HashSet<RedisClusterConnection> _waited = new System.Collections.Generic.HashSet<RedisClusterConnection>();

        /// <summary>Seconds to wait for the cluster to settle before giving up with ClusterNotSettled.</summary>
        [Parameter(Position = 0)]
        [ValidateRange(1, 86400)]
        [Alias("TimeoutSeconds")]
        public int Timeout { get; set; } = 60;

        /// <summary>Write the settled cluster's nodes.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var connection = ResolveConnection();
            // Piped nodes of one cluster are one cluster to wait for.
            if (!_waited.Add(connection)) return;
            var deadline = new Deadline(TimeSpan.FromSeconds(Timeout));
            var settled = Await((token, progress) => ClusterWait.UntilAsync(
                t => ClusterSnapshot.ReadAsync(connection, t), snapshot => snapshot.SettledProblems(),
                deadline, "Waiting for the cluster to settle", 0, progress, token));
            if (PassThru) WriteObject(settled.Reference.Nodes, enumerateCollection: true);
        }
    }
}
