namespace RedisCluster
{
    /// <summary>A deployed node; EndPoint pipes into New-RedisCluster.</summary>
    public sealed class RedisClusterNodeDeployment
    {
        public RedisClusterNodeDeployment(NodeDeploymentSpec spec, int processId, string serviceManager)
        {
            ComputerName = spec.ComputerName;
            Port = spec.Port;
            EndPoint = spec.EndPoint.ToString();
            ConfigPath = spec.ConfigPath;
            DataPath = spec.DataPath;
            LogPath = spec.LogPath;
            PidPath = spec.PidPath;
            ProcessId = processId;
            ServiceManager = serviceManager;
        }

        public string ComputerName { get; }
        public int Port { get; }
        public string EndPoint { get; }
        public string ConfigPath { get; }
        public string DataPath { get; }
        public string LogPath { get; }
        public string PidPath { get; }
        public int ProcessId { get; }
        public string ServiceManager { get; }
    }
}
