namespace RedisCluster
{
    /// <summary>
    /// A step of long work, reported so the caller can show progress. Status stays the same text while the
    /// state does not change (elapsed time goes in its own field), so a caller can write one verbose line per
    /// change of state rather than one per poll.
    /// </summary>
    public sealed class OperationProgress
    {
        public OperationProgress(string activity, string status, int percentComplete, string detail = null, int secondsRemaining = -1)
        {
            Activity = activity;
            Status = status;
            PercentComplete = percentComplete;
            Detail = detail;
            SecondsRemaining = secondsRemaining;
        }

        /// <summary>Something the user must hear about though the work goes on (or went on): shown as a warning.</summary>
        public static OperationProgress Warning(string message) => new OperationProgress(null, message, 0) { IsWarning = true };

        public bool IsWarning { get; private set; }

        /// <summary>
        /// Which progress line the report updates (Write-Progress -Id): work done in parallel, such as one host
        /// each, reports under an id of its own; everything else under 1.
        /// </summary>
        public int ActivityId { get; set; } = 1;

        public string Activity { get; }
        public string Status { get; }
        public int PercentComplete { get; }

        /// <summary>What changes from report to report (elapsed time, counts), shown but not logged.</summary>
        public string Detail { get; }

        /// <summary>The time the work expects still to take, in whole seconds; -1 when it cannot tell yet (Write-Progress's convention).</summary>
        public int SecondsRemaining { get; }
    }
}
