using System;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>Reaches the hosts of a deployment: this machine, or hosts over SSH.</summary>
    public interface IDeploymentTargetSource
    {
        /// <summary>How the hosts are reached, for -WhatIf and progress: "on this machine", "over SSH (port 22) as user 'root' ...".</summary>
        string Description { get; }

        /// <summary>Reaches one host, ready to deploy to; what it must tell the user (a host key it recorded) goes to progress as a warning.</summary>
        Task<IDeploymentTarget> OpenAsync(string computerName, IProgress<OperationProgress> progress, CancellationToken cancellationToken);
    }

    /// <summary>This machine, under the names and addresses it answers to.</summary>
    public sealed class LocalDeploymentTargets : IDeploymentTargetSource
    {
        public string Description => "on this machine";

        public Task<IDeploymentTarget> OpenAsync(string computerName, IProgress<OperationProgress> progress, CancellationToken cancellationToken) =>
            Task.FromResult<IDeploymentTarget>(new LocalDeploymentTarget(computerName));
    }
}
