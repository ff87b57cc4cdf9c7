BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/SshTestHost.psm1') -Force
    $script:Password = "session-node-pw-$(New-Guid)"
    $script:Cred = New-TestCredential $Password
    # One sshd on 127.0.0.1, 127.0.0.2 and 127.0.0.3 serving PowerShell remoting: three hosts, each reached through
    # a session of its own, as an operator's New-PSSession -HostName would. Its folder is in the run folder, so that
    # a killed run's sshd is stopped by the next run.
    $script:Root = Join-Path (Get-TestRunFolder) "session-$(New-Guid)"
    $script:Sshd = Start-TestSshd -Root "$Root/sshd" -PowerShellSubsystem
    $script:Sessions = @(New-TestPSSession $Sshd $Sshd.Address)
    $script:Deployed = [System.Collections.Generic.List[object]]::new()

    function Deploy {
        <# Deploys through the sessions into a folder of its own, remembering every node for AfterAll. #>
        [CmdletBinding()]
        param([Parameter(Mandatory)] [object[]] $InputObject, [Parameter(Mandatory)] [string] $Name, [object[]] $Session = $Sessions, [pscredential] $Credential = $Cred)
        $result = $InputObject | New-RedisClusterNode -Session $Session -Credential $Credential -InstallPath "$Root/$Name/conf" -DataPath "$Root/$Name/data"
        foreach ($r in $result) { $Deployed.Add($r) }
        $result
    }

    function Assert-NothingDeployed([string] $Path, [int] $Port, [string] $Address = '127.0.0.1') {
        Test-Path $Path | Should -BeFalse
        Test-PortFree $Address $Port | Should -BeTrue
    }
}

AfterAll {
    foreach ($d in $Deployed) { Stop-ProcessById $d.ProcessId }
    if ($Sessions) { $Sessions | Remove-PSSession }
    if ($Sshd) { Stop-TestSshd $Sshd }
}

Describe 'New-RedisClusterNode -Session' {
    It 'deploys six nodes through sessions to three hosts at once, each bound to its session''s address, with the password on no command line; they make a cluster' {
        # Two nodes per host; the hosts share this machine's disk, so each node has ports (and so files) of its own.
        $hosts = foreach ($address in $Sshd.Address) { [pscustomobject]@{ ComputerName = $address; Port = @((Get-FreeNodePort $address), (Get-FreeNodePort $address)) } }
        $audit = Invoke-CommandLineAudit { Deploy -InputObject $hosts -Name 'hosts' }
        $nodes = $audit.Result
        $nodes.Count | Should -Be 6
        foreach ($node in $nodes) {
            $node.Status | Should -Be 'Created'
            $node.EndPoint | Should -Be "$($node.ComputerName):$($node.Port)"
            $config = Get-Content $node.ConfigPath
            $config | Should -Contain "bind $($node.ComputerName)"
            $config | Should -Contain "requirepass `"$Password`""
            (Get-Item $node.ConfigPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        }
        # Written beside the target and renamed: no temporary file is left.
        @(Get-ChildItem -Force "$Root/hosts/conf").Name | Sort-Object | Should -Be (@($nodes | ForEach-Object { "redis_$($_.Port).conf" }) | Sort-Object)
        # The far side's work was seen (its redis-server starts), and the password was on none of it.
        $audit.Samples | Should -BeGreaterThan 1
        $audit.CommandLines | Where-Object { $_ -like '*redis-server*' } | Should -Not -BeNullOrEmpty
        $audit.CommandLines | Where-Object { $_.Contains($Password) } | Should -BeNullOrEmpty
        Get-Content $Sshd.Log -Raw | Should -Not -BeLike "*$Password*"
        # The sessions are the caller's: still open.
        $Sessions.State | Should -Be @('Opened', 'Opened', 'Opened')

        $created = $nodes | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred
        ($created | Where-Object Role -eq Master).Count | Should -Be 3
        $testNodes = $nodes | ForEach-Object { [pscustomobject]@{ EndPoint = $_.EndPoint; Password = $Password } }
        Wait-TestClusterOk -Node $testNodes -Replicas 3
        Assert-ClusterInvariant -Node $testNodes -Password $Password
    }

    It 'runs again as Unchanged, and Stop- and Start-RedisClusterNode work through the session of a piped node''s host' {
        $node = Deploy -InputObject ([pscustomobject]@{ ComputerName = '127.0.0.2'; Port = (Get-FreeNodePort '127.0.0.2') }) -Name 'again'
        $node.Status | Should -Be 'Created'
        $again = Deploy -InputObject $node -Name 'again'
        $again.Status | Should -Be 'Unchanged'
        $again.ProcessId | Should -Be $node.ProcessId

        # Piped, the node's ComputerName picks its session among all given.
        $stopped = $node | Stop-RedisClusterNode -Session $Sessions
        $stopped.Status | Should -Be 'Stopped'
        $stopped.EndPoint | Should -Be $node.EndPoint
        Test-ProcessAlive $node.ProcessId | Should -BeFalse
        Test-PortFree '127.0.0.2' $node.Port | Should -BeTrue

        $session = $Sessions | Where-Object ComputerName -eq '127.0.0.2'
        $started = Start-RedisClusterNode -Session $session -Port $node.Port -InstallPath "$Root/again/conf"
        $Deployed.Add($started)
        $started.Status | Should -Be 'Started'
        $started.EndPoint | Should -Be $node.EndPoint
        Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
        (Start-RedisClusterNode -Session $session -Port $node.Port -InstallPath "$Root/again/conf").Status | Should -Be 'AlreadyRunning'
    }

    It '-WhatIf lists each file and command per host and changes nothing' {
        $port = Get-FreeNodePort '127.0.0.3'
        # What-if text reaches only a console: a fresh PowerShell, with a session of its own, shows it.
        $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
Import-Module '$(Join-Path $PSScriptRoot 'TestHelpers/SshTestHost.psm1')'
`$sshd = [pscustomobject]@{ Port = $($Sshd.Port); ClientKey = '$($Sshd.ClientKey)'; KnownHosts = '$($Sshd.KnownHosts)' }
`$session = New-TestPSSession `$sshd '127.0.0.3'
New-RedisClusterNode -Session `$session -Port $port -InstallPath '$Root/whatif/conf' -DataPath '$Root/whatif/data' -WhatIf
"@
        $text = $output -join "`n"
        $text | Should -BeLike "*Deploy 1 Redis cluster node on 127.0.0.3 through its PowerShell session:*"
        $text | Should -BeLike "*file $Root/whatif/conf/redis_$port.conf (mode 0600*"
        $text | Should -BeLike "*redis-server $Root/whatif/conf/redis_$port.conf*"
        Assert-NothingDeployed "$Root/whatif" $port '127.0.0.3'
    }
}

Describe 'New-RedisClusterNode -Session refuses' {
    It 'a session that is not open, with SessionNotOpened (InvalidArgument), before anything is done on any host' {
        $closed = New-TestPSSession $Sshd '127.0.0.3'
        $closed | Remove-PSSession
        $port = Get-FreeNodePort
        $err = Get-ErrorRecord { New-RedisClusterNode -Session $Sessions[0], $closed -Port $port -Credential $Cred -InstallPath "$Root/closed/conf" -DataPath "$Root/closed/data" }
        $err.FullyQualifiedErrorId | Should -Be 'SessionNotOpened,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "The PowerShell session * to 127.0.0.3 is Closed, not Opened*"
        # Not even the open session's host was touched.
        Assert-NothingDeployed "$Root/closed" $port
    }

    It 'a host that no session reaches, with SessionNotFound (InvalidArgument)' {
        $port = Get-FreeNodePort
        $err = Get-ErrorRecord { Deploy -InputObject ([pscustomobject]@{ ComputerName = '127.0.0.9'; Port = $port }) -Name 'unreached' }
        $err.FullyQualifiedErrorId | Should -Be 'SessionNotFound,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be '127.0.0.9'
        Test-Path "$Root/unreached" | Should -BeFalse
    }

    It 'SSH parameters beside -Session: they belong to another parameter set' {
        $err = Get-ErrorRecord { New-RedisClusterNode -Session $Sessions[0] -SshUserName root -Port (Get-FreeNodePort) }
        $err.FullyQualifiedErrorId | Should -Be 'AmbiguousParameterSet,RedisCluster.Commands.NewRedisClusterNodeCommand'
    }
}
