using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Waits for a cluster to settle by reading snapshots until a list of problems comes back empty, within a
    /// deadline. Progress is reported once per change of the problems (not once per poll); on timeout the
    /// error names every problem still open: which node, what it reported.
    /// </summary>
    public static class ClusterWait
    {
        /// <summary>The ErrorId of every wait for a cluster that ran out of time, whatever it waited for: one id for scripts to catch.</summary>
        public const string TimeoutErrorId = "ClusterNotSettled";

        /// <summary>What usually keeps nodes from finishing a handshake: said whenever a wait for nodes to meet times out.</summary>
        public const string HandshakeAdvice =
            "Nodes that never finish the handshake usually cannot reach each other's cluster bus port (port + 10000, or cluster-announce-bus-port).";

        public static Task<ClusterSnapshot> UntilAsync(
            Func<CancellationToken, Task<ClusterSnapshot>> read,
            Func<ClusterSnapshot, IEnumerable<string>> problems,
            Deadline deadline,
            string activity,
            int percentComplete,
            IProgress<OperationProgress> progress,
            CancellationToken cancellationToken,
            string timeoutAdvice = null,
            TimeSpan? interval = null)
        {
            return Poll.UntilAsync(
                async token =>
                {
                    var snapshot = await read(token).ConfigureAwait(false);
                    var open = problems(snapshot).ToList();
                    progress?.Report(new OperationProgress(activity, open.Count == 0 ? activity : $"{activity}: {Summarize(open)}", percentComplete,
                        $"{deadline.Elapsed.TotalSeconds:0} s of {deadline.Timeout.TotalSeconds:0} s"));
                    return open.Count == 0 ? PollResult<ClusterSnapshot>.Done(snapshot) : PollResult<ClusterSnapshot>.Waiting(string.Join("; ", open));
                },
                deadline,
                state => new RedisClusterException(FailureKind.Timeout,
                    $"{activity}: not done after {deadline.Timeout.TotalSeconds:0.#} s. Still unsettled: {state}.{(timeoutAdvice == null ? string.Empty : " " + timeoutAdvice)}") { ErrorId = TimeoutErrorId },
                cancellationToken,
                interval: interval);
        }

        private static string Summarize(IReadOnlyList<string> problems) =>
            problems.Count <= 2 ? string.Join("; ", problems) : $"{problems[0]}; {problems[1]}; and {problems.Count - 2} more";
    }
}
