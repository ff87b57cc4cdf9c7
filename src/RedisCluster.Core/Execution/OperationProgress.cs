namespace RedisCluster
{
    /// <summary>A step of long work, reported so the caller can show progress and verbose messages.</summary>
    public sealed class OperationProgress
    {
        public OperationProgress(string activity, string status, int percentComplete)
        {
            Activity = activity;
            Status = status;
            PercentComplete = percentComplete;
        }

        public string Activity { get; }
        public string Status { get; }
        public int PercentComplete { get; }
    }
}
