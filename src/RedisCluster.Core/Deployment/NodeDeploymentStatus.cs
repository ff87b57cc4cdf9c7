namespace RedisCluster
{
    /// <summary>What a deployment, start or stop did to a node.</summary>
    public enum NodeDeploymentStatus
    {
        /// <summary>Deployed where there was none: config (and unit) written, node started.</summary>
        Created,

        /// <summary>Already deployed as asked and running: nothing was changed.</summary>
        Unchanged,

        /// <summary>Settings changed, written and applied to the running node with CONFIG SET.</summary>
        Updated,

        /// <summary>Settings written that the running node takes only when restarted (New-RedisClusterNode -Restart does that).</summary>
        RestartNeeded,

        /// <summary>Restarted so that it runs with its written settings.</summary>
        Restarted,

        /// <summary>Was deployed but not running, and was started (with its settings brought up to date first).</summary>
        Started,

        /// <summary>Start-RedisClusterNode found it answering already.</summary>
        AlreadyRunning,

        /// <summary>Stop-RedisClusterNode stopped it.</summary>
        Stopped,

        /// <summary>Stop-RedisClusterNode found it stopped already.</summary>
        AlreadyStopped,
    }
}
