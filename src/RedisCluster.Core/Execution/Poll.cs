using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>What one look at a condition found: done (with a value), or the state still in the way.</summary>
    public readonly struct PollResult<T>
    {
        private PollResult(bool done, T value, string state)
        {
            IsDone = done;
            Value = value;
            State = state;
        }

        public bool IsDone { get; }
        public T Value { get; }

        /// <summary>What is still unsettled, in words; the same words while nothing changes.</summary>
        public string State { get; }

        public static PollResult<T> Done(T value) => new PollResult<T>(true, value, null);
        public static PollResult<T> Waiting(string state) => new PollResult<T>(false, default, state);
    }

    /// <summary>
    /// The one bounded wait of the module: look, and look again after an interval, until the condition holds
    /// or the deadline passes. Every wait for nodes (a started process, an agreeing cluster, a synced replica)
    /// goes through here, so none can run unbounded and each one's timeout says what was still unsettled.
    /// </summary>
    public static class Poll
    {
        public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

        /// <param name="probe">Looks once.</param>
        /// <param name="onStateChange">Told the state each time it differs from the last look's.</param>
        /// <param name="onTimeout">Makes the error for a deadline passed, from the last state seen.</param>
        public static async Task<T> UntilAsync<T>(
            Func<CancellationToken, Task<PollResult<T>>> probe,
            Deadline deadline,
            Func<string, Exception> onTimeout,
            CancellationToken cancellationToken,
            Action<string> onStateChange = null,
            TimeSpan? interval = null)
        {
            string last = null;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = await probe(cancellationToken).ConfigureAwait(false);
                if (result.IsDone) return result.Value;
                if (!string.Equals(result.State, last, StringComparison.Ordinal))
                {
                    last = result.State;
                    onStateChange?.Invoke(last);
                }
                if (deadline.HasPassed) throw onTimeout(last);
                await Task.Delay(deadline.Cap(interval ?? DefaultInterval), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
