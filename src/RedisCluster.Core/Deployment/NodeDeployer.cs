using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>
    /// Brings one node on a target to what its spec says, and only as far as needed: a new node gets its config (and
    /// unit) and is started; a deployed one is compared directive by directive, and what differs is written and applied
    /// to the running node with CONFIG SET where Redis allows it, or noted as needing a restart; a deployed node that
    /// is not running is started. The same spec twice changes nothing the second time.
    /// </summary>
    public sealed class NodeDeployer
    {
        private static readonly TimeSpan ConfigSetTimeout = TimeSpan.FromSeconds(10);

        private readonly IDeploymentTarget _target;
        private readonly NodeService _service;
        private readonly INodeConnector _connector;
        private readonly string _redisServerPath;
        private readonly HashSet<string> _checkedServiceUsers = new HashSet<string>(StringComparer.Ordinal);

        private NodeDeployer(IDeploymentTarget target, INodeConnector connector, string redisServerPath)
        {
            _target = target;
            _service = new NodeService(target);
            _connector = connector;
            _redisServerPath = redisServerPath;
        }

        /// <param name="connector">Reaches running nodes to apply changed settings.</param>
        /// <param name="redisServerPath">redis-server on the target; null to look for it on the target's PATH.</param>
        /// <exception cref="RedisClusterException">RedisServerNotFound, naming the host.</exception>
        public static async Task<NodeDeployer> CreateAsync(IDeploymentTarget target, INodeConnector connector, string redisServerPath, CancellationToken cancellationToken) =>
            new NodeDeployer(target, connector, await NodeService.FindRedisServerAsync(target, redisServerPath, cancellationToken).ConfigureAwait(false));

        /// <exception cref="RedisClusterException">
        /// PortOutOfRange, PortInUse, ServiceUserNotFound, SettingRefused; NodeStartFailed and NodeStartTimeout from the start.
        /// </exception>
        public async Task<RedisClusterNodeDeployment> DeployAsync(NodeDeploymentSpec spec, CancellationToken cancellationToken)
        {
            spec.CheckPort();
            if (spec.ServiceManager == NodeServiceManager.Systemd) await CheckServiceUserAsync(spec, cancellationToken).ConfigureAwait(false);
            return _target.FileExists(spec.ConfigPath)
                ? await UpdateAsync(spec, cancellationToken).ConfigureAwait(false)
                : await CreateAsync(spec, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The files and commands a deployment of the spec involves, for -WhatIf: each file is written only when it
        /// differs from the host's, each command run only when needed.
        /// </summary>
        public static IReadOnlyList<string> Steps(NodeDeploymentSpec spec, string redisServerPath)
        {
            var steps = new List<string> { $"directory {spec.DataPath}" };
            bool systemd = spec.ServiceManager == NodeServiceManager.Systemd;
            steps.Add($"file {spec.ConfigPath} (mode 0600{(systemd ? ", owner " + spec.ServiceUser : string.Empty)}; written when its directives differ)");
            if (systemd)
            {
                string unitPath = TargetPath.Combine(spec.SystemdUnitDirectory, SystemdUnit.NameOf(spec.Port));
                steps.Add($"file {unitPath} (mode 0644; written when it differs)");
                steps.Add("systemctl daemon-reload (when the unit was written)");
                steps.Add($"systemctl enable {SystemdUnit.NameOf(spec.Port)} (when the unit was written)");
                steps.Add($"chown -R {spec.ServiceUser}: {spec.DataPath} (when not running)");
                steps.Add($"systemctl start {SystemdUnit.NameOf(spec.Port)} (when not running)");
            }
            else
            {
                steps.Add($"{redisServerPath ?? "redis-server"} {spec.ConfigPath} (when not running)");
            }
            steps.Add("CONFIG SET of the changed settings Redis takes at run time (when running)");
            return steps;
        }

        private async Task<RedisClusterNodeDeployment> CreateAsync(NodeDeploymentSpec spec, CancellationToken cancellationToken)
        {
            if (await NodeService.IsListeningAsync(spec.EndPoint).ConfigureAwait(false)) throw PortInUse(spec);
            var node = spec.ToDeployedNode(_redisServerPath);
            var createdDirectories = CreateDirectories(spec.InstallPath, spec.DataPath);
            try
            {
                await WriteAsync(spec, node, node.ConfigText, writeUnit: spec.ServiceManager == NodeServiceManager.Systemd, cancellationToken).ConfigureAwait(false);
                int processId = await _service.StartAsync(node, cancellationToken).ConfigureAwait(false);
                return new RedisClusterNodeDeployment(node, NodeDeploymentStatus.Created, processId);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                // Stopped by the caller, the node may still come up: only a failed start is undone.
                await RemoveFailedStartAsync(node, createdDirectories).ConfigureAwait(false);
                throw;
            }
        }

        private async Task<RedisClusterNodeDeployment> UpdateAsync(NodeDeploymentSpec spec, CancellationToken cancellationToken)
        {
            var existing = RedisConfigFile.Parse(_target.ReadFile(spec.ConfigPath));
            var node = spec.ToDeployedNode(_redisServerPath);
            var desired = RedisConfigFile.Parse(node.ConfigText);
            var changes = NodeConfigComparison.Compare(existing, desired).ToList();
            bool configChanged = changes.Count > 0;
            bool unitChanged = false;
            if (spec.ServiceManager == NodeServiceManager.Systemd)
            {
                var unitChanges = _target.FileExists(node.UnitPath)
                    ? SystemdUnit.Compare(node.UnitName, _target.ReadFile(node.UnitPath), SystemdUnit.Render(spec, _redisServerPath))
                    : new[] { new NodeSettingChange(node.UnitName, null, node.UnitPath, needsRestart: true) };
                changes.AddRange(unitChanges);
                unitChanged = unitChanges.Count > 0;
            }
            // The running node still takes the password of the file it started from, until it takes the new one.
            var desiredCredentials = node.Credentials;
            node.Credentials = new[] { DeployedNode.CredentialOf(existing) }.Concat(desiredCredentials).Distinct(CredentialComparer.Instance).ToList();

            int? running = _service.RunningProcessId(node);
            if (running == null)
            {
                if (await NodeService.IsListeningAsync(spec.EndPoint).ConfigureAwait(false)) throw PortInUse(spec);
                // Starting applies every change.
                foreach (var change in changes) change.NeedsRestart = false;
                string config = configChanged ? RedisConfigFile.Merge(node.ConfigText, existing, OwnDirectives(desired), null, Array.Empty<string>()) : null;
                await WriteAsync(spec, node, config, unitChanged, cancellationToken).ConfigureAwait(false);
                node.Credentials = desiredCredentials;
                int started = await _service.StartAsync(node, cancellationToken).ConfigureAwait(false);
                return new RedisClusterNodeDeployment(node, NodeDeploymentStatus.Started, started, changes);
            }

            int processId = running.Value;
            var pendingBefore = existing.PendingProcessId == processId ? existing.PendingSettings : Array.Empty<string>();
            if (changes.Count == 0)
            {
                var status = pendingBefore.Count > 0 ? NodeDeploymentStatus.RestartNeeded : NodeDeploymentStatus.Unchanged;
                return new RedisClusterNodeDeployment(node, status, processId, null, pendingBefore);
            }
            await ApplyAtRunTimeAsync(node, changes, desired, cancellationToken).ConfigureAwait(false);
            var pending = pendingBefore.Concat(changes.Where(c => c.NeedsRestart).Select(c => c.Setting)).Distinct(StringComparer.Ordinal).ToList();
            if (configChanged || !pending.SequenceEqual(pendingBefore))
            {
                string config = RedisConfigFile.Merge(node.ConfigText, existing, OwnDirectives(desired), pending.Count > 0 ? processId : (int?)null, pending);
                await WriteAsync(spec, node, config, unitChanged, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteAsync(spec, node, null, unitChanged, cancellationToken).ConfigureAwait(false);
            }
            return new RedisClusterNodeDeployment(node, pending.Count > 0 ? NodeDeploymentStatus.RestartNeeded : NodeDeploymentStatus.Updated, processId, changes, pending);
        }

        /// <summary>
        /// Sends the changed settings the node may take at run time as one CONFIG SET, which Redis applies all or none
        /// of. A setting Redis cannot change while running (immutable, or not a run-time setting at all) is left for a
        /// restart and the rest sent again; a value Redis refuses stops the deployment of this node before anything is
        /// written, and names the setting but not the value or Redis's words.
        /// </summary>
        private async Task ApplyAtRunTimeAsync(DeployedNode node, IReadOnlyList<NodeSettingChange> changes, RedisConfigFile desired, CancellationToken cancellationToken)
        {
            var candidates = changes.Where(NodeConfigComparison.IsRunTimeCandidate).ToList();
            foreach (var change in changes.Except(candidates)) change.NeedsRestart = true;
            if (candidates.Count == 0) return;
            using (var client = await NodeService.ConnectAsync(node, _connector, ConfigSetTimeout, cancellationToken).ConfigureAwait(false))
            {
                while (candidates.Count > 0)
                {
                    var arguments = new List<object> { "SET" };
                    foreach (var change in candidates)
                    {
                        arguments.Add(change.Setting);
                        arguments.Add(NodeConfigComparison.ValueOf(desired, change.Setting));
                    }
                    try
                    {
                        await client.CallAsync(cancellationToken, "CONFIG", arguments.ToArray()).ConfigureAwait(false);
                        return;
                    }
                    catch (RedisServerErrorException refused)
                    {
                        var change = candidates.FirstOrDefault(c => ConfigSetRefusal.Names(refused.Reply, c.Setting));
                        if (change == null || !ConfigSetRefusal.IsNotAtRunTime(refused.Reply))
                        {
                            string which = change == null ? "the changed settings" : $"the new value of '{change.Setting}'";
                            throw new RedisClusterException(FailureKind.InvalidArgument,
                                $"{node.EndPoint} refused {which} (CONFIG SET): nothing was changed on it or written. Check -Setting.", node.EndPoint)
                                { ErrorId = "SettingRefused" };
                        }
                        change.NeedsRestart = true;
                        candidates.Remove(change);
                    }
                }
            }
        }

        /// <summary>
        /// Writes the config (when given), handed to the service user who reads it, and the unit (when asked), which
        /// systemd then reads. The node's directory is handed over when the node starts, not here: a node still
        /// running as another user must keep writing there until it stops.
        /// </summary>
        private async Task WriteAsync(NodeDeploymentSpec spec, DeployedNode node, string config, bool writeUnit, CancellationToken cancellationToken)
        {
            bool systemd = spec.ServiceManager == NodeServiceManager.Systemd;
            if (config != null)
            {
                _target.WritePrivateFile(spec.ConfigPath, config);
                if (systemd) await _service.ChangeOwnerAsync(node, spec.ConfigPath, recursive: false, cancellationToken).ConfigureAwait(false);
            }
            if (!writeUnit) return;
            _target.WritePublicFile(node.UnitPath, SystemdUnit.Render(spec, _redisServerPath));
            await _service.RequireSystemctlAsync("daemon-reload", null, cancellationToken).ConfigureAwait(false);
            await _service.RequireSystemctlAsync("enable", node, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The service user must exist on the host before files are handed to it; looked up once per user.</summary>
        private async Task CheckServiceUserAsync(NodeDeploymentSpec spec, CancellationToken cancellationToken)
        {
            if (_checkedServiceUsers.Contains(spec.ServiceUser)) return;
            var run = await _target.RunAsync("id", new[] { "-u", spec.ServiceUser }, new Deadline(TimeSpan.FromSeconds(10)), cancellationToken).ConfigureAwait(false);
            if (!run.Exited || run.ExitCode != 0)
            {
                throw new RedisClusterException(FailureKind.NotFound,
                    $"The service user '{spec.ServiceUser}' does not exist on {_target.ComputerName}: create it (useradd --system {spec.ServiceUser}) or give -ServiceUser.") { ErrorId = "ServiceUserNotFound" };
            }
            _checkedServiceUsers.Add(spec.ServiceUser);
        }

        /// <summary>Creates the directories the paths need; returns those that did not exist, deepest first.</summary>
        private IReadOnlyList<string> CreateDirectories(params string[] paths)
        {
            var created = new List<string>();
            foreach (string path in paths)
            {
                for (string missing = path; !string.IsNullOrEmpty(missing) && !_target.DirectoryExists(missing); missing = TargetPath.Parent(missing))
                {
                    created.Add(missing);
                }
                _target.CreateDirectory(path);
            }
            return created.OrderByDescending(directory => directory.Length).ToList();
        }

        /// <summary>
        /// The config goes, so that the port counts as free again, and so does the unit (disabled first) and every
        /// directory this deployment created that is left empty; a log redis-server wrote stays to be read, and with it
        /// its directory. Clean-up that fails leaves the start's own failure to be reported.
        /// </summary>
        private async Task RemoveFailedStartAsync(DeployedNode node, IEnumerable<string> createdDirectories)
        {
            _target.DeleteFile(node.ConfigPath);
            if (node.UnitPath != null && _target.FileExists(node.UnitPath))
            {
                try
                {
                    await _service.SystemctlAsync("disable", node, null, CancellationToken.None).ConfigureAwait(false);
                    _target.DeleteFile(node.UnitPath);
                    await _service.SystemctlAsync("daemon-reload", null, null, CancellationToken.None).ConfigureAwait(false);
                }
                catch (RedisClusterException)
                {
                    // systemctl itself failed: the start's failure says more.
                }
            }
            foreach (string directory in createdDirectories) _target.DeleteEmptyDirectory(directory);
        }

        /// <summary>Directives the deployment writes: a line CONFIG REWRITE added for one of them is dropped when the config is written again.</summary>
        private static ISet<string> OwnDirectives(RedisConfigFile desired) =>
            new HashSet<string>(desired.Directives.Select(d => d.Name).Concat(NodeSettings.ManagedNames), StringComparer.Ordinal);

        private static RedisClusterException PortInUse(NodeDeploymentSpec spec) =>
            new RedisClusterException(FailureKind.InvalidState, $"Port {spec.Port} on {spec.ComputerName} is already in use.", spec.EndPoint) { ErrorId = "PortInUse" };
    }
}
