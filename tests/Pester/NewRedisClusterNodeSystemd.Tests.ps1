BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/SshTestHost.psm1') -Force
    $script:Password = 'systemd-pw-1'
    $script:Cred = New-TestCredential $Password
    # Everything in the run folder: a killed run's sshd and nodes are stopped by the next one.
    $script:Root = Join-Path (Get-TestRunFolder) "systemd-$(New-Guid)"
    $script:Units = (New-Item -ItemType Directory -Force "$Root/units").FullName
    # systemd cannot run here: a stand-in systemctl on the SSH sessions' PATH records its calls and starts and stops
    # the units' redis-server as systemd would.
    $script:Systemctl = New-TestSystemctl -Root "$Root/systemctl" -UnitDirectory $Units
    $script:Sshd = Start-TestSshd -Root "$Root/sshd" -Path $Systemctl.Directory
    $script:Ssh = @{ SshUserName = 'root'; SshKeyFile = $Sshd.ClientKey; SshPort = $Sshd.Port; KnownHostsPath = $Sshd.KnownHosts }
    $script:Deployed = [System.Collections.Generic.List[object]]::new()

    function Deploy {
        <# Deploys with systemd over SSH into a folder of its own, remembering every node for AfterAll. #>
        param([string] $Name, [int[]] $Port, [string] $ComputerName = '127.0.0.2', [hashtable] $Extra = @{})
        $arguments = @{ ComputerName = $ComputerName; Port = $Port; Credential = $Cred; InstallPath = "$Root/$Name/conf"; DataPath = "$Root/$Name/data"; ServiceManager = 'Systemd'; SystemdUnitPath = $Units } + $Ssh + $Extra
        $result = New-RedisClusterNode @arguments
        foreach ($r in $result) { $Deployed.Add($r) }
        $result
    }

    function Get-SystemctlCall { @(Get-Content $Systemctl.Log) }

    function Get-ProcessUserId([int] $ProcessId) { [int]((Select-String -Path "/proc/$ProcessId/status" -Pattern '^Uid:\s+(\d+)').Matches[0].Groups[1].Value) }
}

AfterAll {
    foreach ($d in $Deployed) { if ($d.ProcessId) { Stop-ProcessById $d.ProcessId } }
    # A node the tests restarted has a process of its own: its pid file says which.
    foreach ($pidFile in @(Get-ChildItem $Root -Recurse -Filter 'redis_*.pid' -ErrorAction SilentlyContinue)) { Stop-ProcessById ([int](Get-Content $pidFile.FullName -Raw)) }
    if ($Sshd) { Stop-TestSshd $Sshd }
}

Describe 'New-RedisClusterNode -ServiceManager Systemd' {
    It 'writes a unit per port, then daemon-reload, enable and start; the node runs as the service user, who owns its config and directory' {
        $ports = (Get-FreeNodePort '127.0.0.2'), (Get-FreeNodePort '127.0.0.2')
        $callsBefore = (Get-SystemctlCall).Count
        $nodes = Deploy -Name 'units' -Port $ports
        $nodes.Count | Should -Be 2
        $redisUserId = [int](& id -u redis)
        foreach ($node in $nodes) {
            $node.Status | Should -Be 'Created'
            $node.ServiceManager | Should -Be 'Systemd'
            $node.UnitPath | Should -Be "$Units/redis_$($node.Port).service"
            $node.SystemdUnitPath | Should -Be $Units
            $unit = Get-Content $node.UnitPath
            $unit | Should -Contain 'Type=forking'
            $unit | Should -Contain 'User=redis'
            $unit | Should -Contain "PIDFile=$($node.PidPath)"
            $unit | Should -Contain "ExecStart=$($node.RedisServerPath) $($node.ConfigPath)"
            $unit | Should -Contain 'WantedBy=multi-user.target'
            (Get-Item $node.UnitPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
            # systemd's own reading of the unit, where the machine has it: no complaint.
            if (Get-Command systemd-analyze -ErrorAction SilentlyContinue) {
                (& systemd-analyze verify $node.UnitPath 2>&1) | Should -BeNullOrEmpty
                $LASTEXITCODE | Should -Be 0
            }
            Get-ProcessUserId $node.ProcessId | Should -Be $redisUserId
            (Get-Item $node.ConfigPath).User | Should -Be 'redis'
            (Get-Item $node.ConfigPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
            (Get-Item $node.DataPath).User | Should -Be 'redis'
            (Get-Item $node.LogPath).User | Should -Be 'redis'
            Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
        }
        (Get-SystemctlCall)[$callsBefore..($callsBefore + 5)] | Should -Be @(
            'daemon-reload', "enable redis_$($ports[0]).service", "start redis_$($ports[0]).service"
            'daemon-reload', "enable redis_$($ports[1]).service", "start redis_$($ports[1]).service")
    }

    It 'runs again as Unchanged without calling systemctl; a changed unit needs a restart, which -Restart does with systemctl stop and start' {
        $port = Get-FreeNodePort '127.0.0.2'
        $node = Deploy -Name 'again' -Port $port
        $callsBefore = (Get-SystemctlCall).Count
        (Deploy -Name 'again' -Port $port).Status | Should -Be 'Unchanged'
        (Get-SystemctlCall).Count | Should -Be $callsBefore

        $pending = Deploy -Name 'again' -Port $port -Extra @{ ServiceUser = 'root' }
        $pending.Status | Should -Be 'RestartNeeded'
        "$($pending.Changes)" | Should -Be "redis_$port.service [Service] User: redis -> root (needs a restart)"
        Get-Content $node.UnitPath | Should -Contain 'User=root'
        Get-ProcessUserId $node.ProcessId | Should -Not -Be 0
        @(Get-SystemctlCall | Select-Object -Skip $callsBefore) | Should -Be @('daemon-reload', "enable redis_$port.service")

        $restarted = Deploy -Name 'again' -Port $port -Extra @{ ServiceUser = 'root'; Restart = $true }
        $restarted.Status | Should -Be 'Restarted'
        Get-ProcessUserId $restarted.ProcessId | Should -Be 0
        @(Get-SystemctlCall | Select-Object -Skip ($callsBefore + 2)) | Should -Be @("stop redis_$port.service", "start redis_$port.service")
        Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
    }

    It 'is stopped and started with systemctl by Stop- and Start-RedisClusterNode, which find the unit on the host' {
        $port = Get-FreeNodePort '127.0.0.3'
        $node = Deploy -Name 'service' -Port $port -ComputerName '127.0.0.3'
        $callsBefore = (Get-SystemctlCall).Count
        # Named by host and port, not piped: the unit file on the host says it is a systemd service.
        $stopped = Stop-RedisClusterNode -ComputerName '127.0.0.3' -Port $port -InstallPath "$Root/service/conf" -SystemdUnitPath $Units @Ssh
        $stopped.Status | Should -Be 'Stopped'
        $stopped.ServiceManager | Should -Be 'Systemd'
        Test-ProcessAlive $node.ProcessId | Should -BeFalse
        Test-PortFree '127.0.0.3' $port | Should -BeTrue
        $started = Start-RedisClusterNode -ComputerName '127.0.0.3' -Port $port -InstallPath "$Root/service/conf" -SystemdUnitPath $Units @Ssh
        $started.Status | Should -Be 'Started'
        Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
        @(Get-SystemctlCall | Select-Object -Skip $callsBefore) | Should -Be @("stop redis_$port.service", "start redis_$port.service")
    }

    It 'refuses a service user the host does not have (ServiceUserNotFound), writing nothing' {
        $port = Get-FreeNodePort '127.0.0.2'
        $callsBefore = (Get-SystemctlCall).Count
        $err = Get-ErrorRecord { Deploy -Name 'nouser' -Port $port -Extra @{ ServiceUser = 'no-such-user-x' } }
        $err.FullyQualifiedErrorId | Should -Be 'ServiceUserNotFound,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeLike "The service user 'no-such-user-x' does not exist on 127.0.0.2: *"
        Test-Path "$Root/nouser" | Should -BeFalse
        Test-Path "$Units/redis_$port.service" | Should -BeFalse
        (Get-SystemctlCall).Count | Should -Be $callsBefore
    }
}
