BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/SshTestHost.psm1') -Force
    $script:Password = 'ssh-deploy-pw-1'
    $script:Cred = New-TestCredential $Password
    # One sshd on 127.0.0.1, 127.0.0.2 and 127.0.0.3: three hosts as far as SSH and the nodes can tell. Its folder is
    # in the run folder, so that a killed run's sshd is stopped by the next run.
    $script:SshdRoot = Join-Path (Get-TestRunFolder) "sshd-$(New-Guid)"
    $script:Sshd = Start-TestSshd -Root $SshdRoot
    $script:Deployed = [System.Collections.Generic.List[object]]::new()
    # The fingerprint as ssh-keygen prints it: what the refusals must show.
    $script:HostFingerprint = (-split (& ssh-keygen -lf $Sshd.HostPublicKey))[1]

    function Get-SshParameter([hashtable] $Change = @{}) {
        <# The fixture's SSH login (root, its client key, its port and known_hosts), with some parameters changed or added. #>
        $parameters = @{ SshUserName = 'root'; SshKeyFile = $Sshd.ClientKey; SshPort = $Sshd.Port; KnownHostsPath = $Sshd.KnownHosts }
        foreach ($name in $Change.Keys) { $parameters[$name] = $Change[$name] }
        $parameters
    }

    function Deploy {
        <# Deploys over SSH with the fixture's login, remembering every node for AfterAll. #>
        [CmdletBinding()]
        param([string[]] $ComputerName = '127.0.0.1', [int[]] $Port, [string] $Root, [hashtable] $Ssh = (Get-SshParameter), [object[]] $InputObject)
        $arguments = @{ Credential = $Cred; InstallPath = "$Root/conf"; DataPath = "$Root/data" } + $Ssh
        $result = if ($InputObject) { $InputObject | New-RedisClusterNode @arguments } else { New-RedisClusterNode -ComputerName $ComputerName -Port $Port @arguments }
        foreach ($r in $result) { $Deployed.Add($r) }
        $result
    }

    function Assert-NothingDeployed([string] $Root, [int] $Port, [string] $Address = '127.0.0.1') {
        Test-Path $Root | Should -BeFalse
        Test-PortFree $Address $Port | Should -BeTrue
    }
}

AfterAll {
    foreach ($d in $Deployed) { Stop-ProcessById $d.ProcessId }
    if ($Sshd) { Stop-TestSshd $Sshd }
}

Describe 'New-RedisClusterNode over SSH' {
    It 'deploys six nodes on three hosts at once, each bound to the address SSH reached, and they make a cluster' {
        $acceptedBefore = @(Select-String -Path $Sshd.Log -Pattern 'Accepted publickey for root').Count
        # Two nodes per host; the hosts share this machine's disk, so each node has ports (and so files) of its own.
        $hosts = foreach ($address in $Sshd.Address) { [pscustomobject]@{ ComputerName = $address; Port = @((Get-FreeNodePort $address), (Get-FreeNodePort $address)) } }
        $nodes = Deploy -InputObject $hosts -Root "$TestDrive/hosts"
        $nodes.Count | Should -Be 6
        foreach ($node in $nodes) {
            $node.EndPoint | Should -Be "$($node.ComputerName):$($node.Port)"
            $node.ServiceManager | Should -Be 'Process'
            $config = Get-Content $node.ConfigPath
            $config | Should -Contain "bind $($node.ComputerName)"
            $config | Should -Contain "bind-source-addr $($node.ComputerName)"
            $config | Should -Contain "requirepass `"$Password`""
            (Get-Item $node.ConfigPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
            [IO.File]::ReadAllText("/proc/$($node.ProcessId)/cmdline") | Should -Not -BeLike "*$Password*"
        }
        # Written beside the target and renamed: no temporary file is left.
        @(Get-ChildItem -Force "$TestDrive/hosts/conf").Name | Sort-Object | Should -Be (@($nodes | ForEach-Object { "redis_$($_.Port).conf" }) | Sort-Object)
        # Through sshd, every host: a command and an SFTP connection each.
        @(Select-String -Path $Sshd.Log -Pattern 'Accepted publickey for root').Count - $acceptedBefore | Should -Be 6
        Get-Content $Sshd.Log -Raw | Should -Not -BeLike "*$Password*"

        $created = $nodes | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred
        ($created | Where-Object Role -eq Master).Count | Should -Be 3
        $testNodes = $nodes | ForEach-Object { [pscustomobject]@{ EndPoint = $_.EndPoint; Password = $Password } }
        Wait-TestClusterOk -Node $testNodes -Replicas 3
        Assert-ClusterInvariant -Node $testNodes -Password $Password
    }

    It 'logs in with <Case>' -ForEach @(
        @{ Case = 'an ECDSA key protected by a passphrase'; Type = 'ecdsa'; Passphrase = 'key-phrase-1' }
        @{ Case = 'an RSA key'; Type = 'rsa'; Passphrase = '' }
    ) {
        $key = New-TestSshKey (Join-Path $TestDrive "client_$Type") $Type $Passphrase
        Add-Content (Join-Path $SshdRoot 'authorized_keys_root') (Get-Content "$key.pub")
        $ssh = Get-SshParameter @{ SshKeyFile = $key }
        if ($Passphrase) { $ssh.SshCredential = New-TestCredential $Passphrase 'passphrase' }
        $node = Deploy -ComputerName '127.0.0.2' -Port (Get-FreeNodePort '127.0.0.2') -Root "$TestDrive/key-$Type" -Ssh $ssh
        Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
    }

    It '-AcceptNewHostKey trusts and records an unknown host key; the hashed entry then suffices' {
        $knownHosts = Join-Path $TestDrive 'accept/known_hosts'
        $null = New-Item -ItemType Directory -Force (Split-Path $knownHosts)
        # An entry for another host stays as it is.
        Set-Content $knownHosts (Get-KnownHostsLine "$(New-TestSshKey (Join-Path $TestDrive 'other_host_key')).pub" '10.9.9.9' 22)
        $before = Get-Content $knownHosts
        $warnings = $null
        $first = Deploy -ComputerName '127.0.0.3' -Port (Get-FreeNodePort '127.0.0.3') -Root "$TestDrive/accept/first" -Ssh (Get-SshParameter @{ KnownHostsPath = $knownHosts; AcceptNewHostKey = $true }) -WarningVariable warnings
        Invoke-RedisCli $first.EndPoint $Password PING | Should -Be 'PONG'
        Get-Content $knownHosts | Should -Be (@($before) + (Get-KnownHostsLine $Sshd.HostPublicKey '127.0.0.3' $Sshd.Port))
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "*$HostFingerprint*$knownHosts*"
        # ssh itself reads the recorded line; hashed by ssh-keygen it still trusts the host.
        & ssh-keygen -F "[127.0.0.3]:$($Sshd.Port)" -f $knownHosts | Should -Not -BeNullOrEmpty
        & ssh-keygen -H -f $knownHosts 2>&1 | Out-Null
        Get-Content $knownHosts -Raw | Should -Not -BeLike '*127.0.0.3*'
        $second = Deploy -ComputerName '127.0.0.3' -Port (Get-FreeNodePort '127.0.0.3') -Root "$TestDrive/accept/second" -Ssh (Get-SshParameter @{ KnownHostsPath = $knownHosts })
        Invoke-RedisCli $second.EndPoint $Password PING | Should -Be 'PONG'
    }

    It 'binds a node to the address the SSH connection reached, not to the host name given' {
        $knownHosts = Join-Path $TestDrive 'by-name/known_hosts'
        $null = New-Item -ItemType Directory -Force (Split-Path $knownHosts)
        Set-Content $knownHosts (Get-KnownHostsLine $Sshd.HostPublicKey 'localhost' $Sshd.Port)
        $port = Get-FreeNodePort
        $node = Deploy -ComputerName 'localhost' -Port $port -Root "$TestDrive/by-name" -Ssh (Get-SshParameter @{ KnownHostsPath = $knownHosts })
        $node.ComputerName | Should -Be 'localhost'
        $node.EndPoint | Should -Be "127.0.0.1:$port"
        Get-Content $node.ConfigPath | Should -Contain 'bind 127.0.0.1'
        Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
    }

    It 'runs again over SSH as Unchanged, and applies a changed setting to the running node' {
        $port = Get-FreeNodePort '127.0.0.2'
        $node = Deploy -ComputerName '127.0.0.2' -Port $port -Root "$TestDrive/again"
        $node.Status | Should -Be 'Created'
        $again = Deploy -ComputerName '127.0.0.2' -Port $port -Root "$TestDrive/again"
        $again.Status | Should -Be 'Unchanged'
        $again.ProcessId | Should -Be $node.ProcessId
        $ssh = Get-SshParameter
        $changed = New-RedisClusterNode -ComputerName '127.0.0.2' -Port $port -Credential $Cred -InstallPath "$TestDrive/again/conf" -DataPath "$TestDrive/again/data" -Setting @{ 'maxmemory-policy' = 'volatile-lru' } @ssh
        $changed.Status | Should -Be 'Updated'
        "$($changed.Changes)" | Should -Be 'maxmemory-policy: (not set) -> volatile-lru'
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET maxmemory-policy)[1] | Should -Be 'volatile-lru'
        Get-Content $node.ConfigPath | Should -Contain 'maxmemory-policy volatile-lru'
        # Written beside the target and renamed over it: no temporary file is left.
        @(Get-ChildItem -Force "$TestDrive/again/conf").Name | Should -Be "redis_$port.conf"
    }

    It 'deploys the hosts it reaches when another is unreachable, with an error naming that host' {
        $port = Get-FreeNodePort '127.0.0.2'
        $err = $null
        $nodes = Deploy -ComputerName '127.0.0.2', '127.0.0.4' -Port $port -Root "$TestDrive/partial" -ErrorVariable err -ErrorAction SilentlyContinue
        $nodes.EndPoint | Should -Be "127.0.0.2:$port"
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SshConnectionRefused,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err[0].TargetObject | Should -Be '127.0.0.4'
        $err[0].Exception.Message | Should -BeLike '127.0.0.4 *'
    }

    It '-WhatIf connects to no host and writes nothing' {
        $connectionsBefore = @(Select-String -Path $Sshd.Log -Pattern 'Connection from').Count
        $port = Get-FreeNodePort
        $ssh = Get-SshParameter
        New-RedisClusterNode -ComputerName '127.0.0.1' -Port $port -Credential $Cred -InstallPath "$TestDrive/whatif/conf" -DataPath "$TestDrive/whatif/data" @ssh -WhatIf
        Assert-NothingDeployed "$TestDrive/whatif" $port
        @(Select-String -Path $Sshd.Log -Pattern 'Connection from').Count | Should -Be $connectionsBefore
    }
}

Describe 'New-RedisClusterNode over SSH refuses' {
    It 'an unknown host key, showing its fingerprint, and deploys nothing' {
        $knownHosts = Join-Path $TestDrive 'unknown/known_hosts'
        $port = Get-FreeNodePort
        $err = Get-ErrorRecord { Deploy -Port $port -Root "$TestDrive/unknown/node" -Ssh (Get-SshParameter @{ KnownHostsPath = $knownHosts }) }
        $err.FullyQualifiedErrorId | Should -Be 'SshHostKeyUnknown,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -BeLike "*ssh-ed25519 key $HostFingerprint*-AcceptNewHostKey*$knownHosts*"
        Test-Path $knownHosts | Should -BeFalse
        Assert-NothingDeployed "$TestDrive/unknown/node" $port
    }

    It 'a changed host key even with -AcceptNewHostKey, leaving known_hosts as it was' {
        $knownHosts = Join-Path $TestDrive 'changed_known_hosts'
        Set-Content $knownHosts (Get-KnownHostsLine "$(New-TestSshKey (Join-Path $TestDrive 'impostor_key')).pub" '127.0.0.1' $Sshd.Port)
        $before = Get-Content $knownHosts -Raw
        $port = Get-FreeNodePort
        $err = Get-ErrorRecord { Deploy -Port $port -Root "$TestDrive/changed" -Ssh (Get-SshParameter @{ KnownHostsPath = $knownHosts; AcceptNewHostKey = $true }) }
        $err.FullyQualifiedErrorId | Should -Be 'SshHostKeyChanged,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -BeLike "*CHANGED*$HostFingerprint*line 1 of $knownHosts*"
        Get-Content $knownHosts -Raw | Should -BeExactly $before
        Assert-NothingDeployed "$TestDrive/changed" $port
    }

    It '<Case> with <ErrorId> (<Category>), deploying nothing' -ForEach @(
        @{ Case = 'a key the host does not accept'; ErrorId = 'SshAuthenticationFailed'; Category = 'SecurityError'; Message = "*login as user 'root' with key *"
            Ssh = { @{ SshKeyFile = (New-TestSshKey (Join-Path $TestDrive "stranger_$(New-Guid)")) } } }
        @{ Case = 'a user the host does not know'; ErrorId = 'SshAuthenticationFailed'; Category = 'SecurityError'; Message = "*login as user 'nosuchuser'*"
            Ssh = { @{ SshUserName = 'nosuchuser' } } }
        @{ Case = 'a port no SSH server listens on'; ErrorId = 'SshConnectionRefused'; Category = 'ConnectionError'; Message = '127.0.0.1 (SSH port *) refused the connection*-SshPort*'
            Ssh = { @{ SshPort = (Get-FreeSshPort '127.0.0.1') } } }
        @{ Case = 'a host name that does not resolve'; ErrorId = 'SshHostNotFound'; Category = 'ObjectNotFound'; Message = "*'no-such-host.invalid'*"; ComputerName = 'no-such-host.invalid'
            Ssh = { @{} } }
        @{ Case = 'a host that never answers'; ErrorId = 'SshConnectTimeout'; Category = 'OperationTimeout'; Message = '127.0.0.1 (SSH port *) did not complete an SSH connection and login within 1 s*'
            Ssh = { @{ SshPort = $Silent.LocalEndpoint.Port; SshConnectTimeoutSeconds = 1 } } }
    ) {
        # A host that drops everything: a listener that accepts and never says a word.
        $script:Silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $Silent.Start()
        try {
            $port = Get-FreeNodePort
            $root = Join-Path $TestDrive "refused-$ErrorId-$(New-Guid)"
            $target = if ($ComputerName) { $ComputerName } else { '127.0.0.1' }
            $err = Get-ErrorRecord { Deploy -ComputerName $target -Port $port -Root $root -Ssh (Get-SshParameter (& $Ssh)) }
            $err.FullyQualifiedErrorId | Should -Be "$ErrorId,RedisCluster.Commands.NewRedisClusterNodeCommand"
            $err.CategoryInfo.Category | Should -Be $Category
            $err.Exception.Message | Should -BeLike $Message
            $err.TargetObject | Should -Be $target
            Assert-NothingDeployed $root $port
        } finally { $Silent.Stop() }
    }

    It 'a redis-server the host does not have, naming the host' {
        $port = Get-FreeNodePort '127.0.0.3'
        $ssh = Get-SshParameter
        $err = Get-ErrorRecord { New-RedisClusterNode -ComputerName '127.0.0.3' -Port $port -RedisServerPath '/no/such/redis-server' -InstallPath "$TestDrive/no-server/conf" @ssh }
        $err.FullyQualifiedErrorId | Should -Be 'RedisServerNotFound,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Be '/no/such/redis-server does not exist on 127.0.0.3.'
        Assert-NothingDeployed "$TestDrive/no-server" $port '127.0.0.3'
    }

    It 'a relative path, which only this machine could make sense of' {
        $ssh = Get-SshParameter
        $err = Get-ErrorRecord { New-RedisClusterNode -Port (Get-FreeNodePort) -InstallPath 'redis/conf' @ssh }
        $err.FullyQualifiedErrorId | Should -Be 'RemotePathNotAbsolute,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "-InstallPath 'redis/conf' *"
    }

    It 'a key file that does not exist, before any host is contacted' {
        $err = Get-ErrorRecord { New-RedisClusterNode -Port (Get-FreeNodePort) -SshKeyFile "$TestDrive/no-such-key" -InstallPath '/tmp/never' }
        $err.FullyQualifiedErrorId | Should -Be 'SshKeyFileNotFound,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'a key protected by a passphrase when none is given' {
        $key = New-TestSshKey (Join-Path $TestDrive 'locked_key') 'ed25519' 'locked-phrase'
        $err = Get-ErrorRecord { New-RedisClusterNode -Port (Get-FreeNodePort) -SshKeyFile $key -InstallPath '/tmp/never' }
        $err.FullyQualifiedErrorId | Should -Be 'SshKeyPassphraseRequired,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike '*-SshCredential*'
    }
}

Describe 'The SSH test host' {
    It 'is stopped by the next run''s fixture when its run was killed: sshd works in /, so its pid file in the run''s folder finds it' {
        # A run folder whose owner cannot be alive: pids stay below pid_max (32768 here, at most 4194304).
        $deadRun = Join-Path ([IO.Path]::GetTempPath()) "redis-cluster-tests-$(Get-Random -Minimum 4200000 -Maximum 4300000)"
        $orphan = Start-TestSshd -Root "$deadRun/sshd" -Address '127.0.0.1'
        try {
            [IO.Directory]::ResolveLinkTarget("/proc/$($orphan.ProcessId)/cwd", $false).FullName | Should -Be '/'
            # A new run: loading the node fixture sweeps what dead runs left.
            $null = Invoke-FreshPwsh "Import-Module '$(Join-Path $PSScriptRoot 'TestHelpers/RedisTestNodes.psm1')'"
            Wait-Until { -not (Test-ProcessAlive $orphan.ProcessId) } -Because 'the dead run''s sshd is stopped' -TimeoutSeconds 10
            Test-Path $deadRun | Should -BeFalse
        } finally { Stop-ProcessById $orphan.ProcessId; Remove-Item $deadRun -Recurse -Force -ErrorAction SilentlyContinue }
    }
}
