namespace RedisCluster
{
    /// <summary>How a deployed node's redis-server is run.</summary>
    public enum NodeServiceManager
    {
        /// <summary>redis-server started directly as a daemon, for hosts without systemd.</summary>
        Process,

        /// <summary>A systemd service, redis_PORT.service, enabled at boot and started and stopped with systemctl.</summary>
        Systemd,
    }
}
