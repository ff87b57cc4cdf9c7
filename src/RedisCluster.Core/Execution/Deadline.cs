using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>A point in time work must be done by, started once and shared by every phase of that work.</summary>
    public sealed class Deadline
    {
        private readonly Stopwatch _elapsed = Stopwatch.StartNew();

        public Deadline(TimeSpan timeout) => Timeout = timeout;

        public TimeSpan Timeout { get; }
        public TimeSpan Elapsed => _elapsed.Elapsed;
        public TimeSpan Remaining => Timeout > Elapsed ? Timeout - Elapsed : TimeSpan.Zero;
        public bool HasPassed => Elapsed >= Timeout;

        /// <summary>The shorter of a limit and the time left.</summary>
        public TimeSpan Cap(TimeSpan limit) => limit < Remaining ? limit : Remaining;

        /// <summary>
        /// Runs work that has no wait of its own to bound (connecting, inspecting) within the time left: when
        /// the deadline passes first, the work is cancelled and a Timeout failure says which phase it was.
        /// </summary>
        public async Task<T> RunAsync<T>(string phase, string errorId, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        {
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(Remaining);
                try
                {
                    return await work(limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new RedisClusterException(FailureKind.Timeout,
                        $"{phase}: not done after {Timeout.TotalSeconds:0.#} s.") { ErrorId = errorId };
                }
            }
        }
    }
}
