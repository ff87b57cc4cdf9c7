using System;
using System.Diagnostics;

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
    }
}
