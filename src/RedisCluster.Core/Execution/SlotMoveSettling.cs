using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// The end of a slot move: the masters took the new owners from SETSLOT NODE, replicas learn them by gossip a
    /// moment later. Until every view agrees, the next command (a script's second reshard, Test-RedisCluster) would
    /// find the cluster disagreeing, so a move returns only once they agree, within a short bound.
    /// </summary>
    public static class SlotMoveSettling
    {
        /// <summary>Gossip spreads a slot's new owner within about a second; more than this means a node is stuck.</summary>
        public static readonly TimeSpan AgreementTimeout = TimeSpan.FromSeconds(15);

        /// <summary>
        /// Waits until every reachable node shows the same slot map. Returns what still disagreed when the bound ran
        /// out (empty when they agree): a warning for the caller, not a failure, since the slots and keys have moved.
        /// </summary>
        public static async Task<string> WaitForAgreementAsync(RedisClusterConnection connection, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        {
            try
            {
                await ClusterWait.UntilAsync(token => ClusterSnapshot.ReadAsync(connection, token), snapshot => snapshot.AgreementProblems(),
                    new Deadline(AgreementTimeout), "Waiting for every node to learn the slots' new owners", 99, progress, cancellationToken).ConfigureAwait(false);
                return string.Empty;
            }
            catch (RedisClusterException e) when (e.ErrorId == ClusterWait.TimeoutErrorId)
            {
                return e.Message;
            }
        }
    }
}
