using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>
    /// A deployed node and what was just done to it. EndPoint pipes into New-RedisCluster; ComputerName, Port,
    /// InstallPath, ServiceManager, SystemdUnitPath and RedisServerPath pipe into Start- and Stop-RedisClusterNode.
    /// </summary>
    public sealed class RedisClusterNodeDeployment
    {
        public RedisClusterNodeDeployment(DeployedNode node, NodeDeploymentStatus status, int processId,
            IReadOnlyList<NodeSettingChange> changes = null, IReadOnlyList<string> restartNeededFor = null)
        {
            ComputerName = node.ComputerName;
            Port = node.Port;
            EndPoint = node.EndPoint.ToString();
            Status = status;
            ProcessId = processId;
            ServiceManager = node.ServiceManager;
            ConfigPath = node.ConfigPath;
            InstallPath = node.InstallPath;
            DataPath = node.DataPath;
            LogPath = node.LogPath;
            PidPath = node.PidPath;
            UnitPath = node.UnitPath;
            SystemdUnitPath = node.ServiceManager == NodeServiceManager.Systemd ? node.SystemdUnitDirectory : null;
            RedisServerPath = node.RedisServerPath;
            Changes = (changes ?? Array.Empty<NodeSettingChange>()).ToArray();
            RestartNeededFor = (restartNeededFor ?? Array.Empty<string>()).ToArray();
            Node = node;
        }

        /// <summary>The host as it was named.</summary>
        public string ComputerName { get; }
        public int Port { get; }

        /// <summary>The address the node binds to (the one SSH reached) and its port.</summary>
        public string EndPoint { get; }
        public NodeDeploymentStatus Status { get; }

        /// <summary>The node's process; 0 when it is not running.</summary>
        public int ProcessId { get; }
        public NodeServiceManager ServiceManager { get; }

        /// <summary>The settings this run changed (secret values masked).</summary>
        public NodeSettingChange[] Changes { get; }

        /// <summary>The settings written that the running node takes only when restarted; empty unless Status is RestartNeeded.</summary>
        public string[] RestartNeededFor { get; }

        public string ConfigPath { get; }
        public string InstallPath { get; }
        public string DataPath { get; }
        public string LogPath { get; }
        public string PidPath { get; }

        /// <summary>The systemd unit file; null for a node run as a plain process.</summary>
        public string UnitPath { get; }

        /// <summary>The directory of the unit; null for a node run as a plain process.</summary>
        public string SystemdUnitPath { get; }

        /// <summary>redis-server on the host, when it was looked up.</summary>
        public string RedisServerPath { get; }

        /// <summary>The node itself, for a restart that follows within the same run.</summary>
        internal DeployedNode Node { get; }

        internal RedisClusterNodeDeployment With(NodeDeploymentStatus status, int processId) =>
            new RedisClusterNodeDeployment(Node, status, processId, Changes, status == NodeDeploymentStatus.RestartNeeded ? RestartNeededFor : null);
    }
}
