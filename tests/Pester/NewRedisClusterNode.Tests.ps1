BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'deploy-pw-1'
    $script:Cred = New-TestCredential $Password
    $script:Deployed = [System.Collections.Generic.List[object]]::new()

    function Deploy {
        param([int[]] $Port, [string] $ComputerName = '127.0.0.1', [hashtable] $Setting, [string] $Root = $TestDrive, [pscredential] $Credential = $Cred)
        $arguments = @{ ComputerName = $ComputerName; Port = $Port; Credential = $Credential; InstallPath = "$Root/conf"; DataPath = "$Root/data" }
        if ($Setting) { $arguments.Setting = $Setting }
        $result = New-RedisClusterNode @arguments
        foreach ($r in $result) { $Deployed.Add($r) }
        $result
    }
}

AfterAll {
    foreach ($d in $Deployed) { Stop-Process -Id $d.ProcessId -Force -ErrorAction SilentlyContinue }
}

Describe 'New-RedisClusterNode' {
    It 'writes the config of the recipe and starts the node' {
        $port = Get-FreeNodePort
        $node = Deploy -Port $port
        $node.EndPoint | Should -Be "127.0.0.1:$port"
        $node.ServiceManager | Should -Be 'Process'
        $node.Status | Should -Be 'Created'
        Get-Process -Id $node.ProcessId | Should -Not -BeNullOrEmpty
        $config = Get-Content $node.ConfigPath
        $config | Should -Contain "port $port"
        $config | Should -Contain 'cluster-enabled yes'
        $config | Should -Contain "cluster-config-file nodes-$port.conf"
        $config | Should -Contain "requirepass `"$Password`""
        $config | Should -Contain "masterauth `"$Password`""
        $config | Should -Contain "pidfile `"$($node.PidPath)`""
        $config | Should -Contain "logfile `"$($node.LogPath)`""
        (Invoke-RedisCli $node.EndPoint $Password PING) | Should -Be 'PONG'
        (Invoke-RedisCli $node.EndPoint $Password INFO cluster) -match '^cluster_enabled:' | Should -Be 'cluster_enabled:1'
    }

    It 'keeps the password off the command line and the config private' {
        $node = Deploy -Port (Get-FreeNodePort)
        $cmdline = [IO.File]::ReadAllText("/proc/$($node.ProcessId)/cmdline")
        $cmdline | Should -Not -BeLike "*$Password*"
        (Get-Item $node.ConfigPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
    }

    It 'binds a second loopback host and sends bus traffic from it' {
        $node = Deploy -Port (Get-FreeNodePort '127.0.0.2') -ComputerName '127.0.0.2' -Root "$TestDrive/host2"
        $config = Get-Content $node.ConfigPath
        $config | Should -Contain 'bind 127.0.0.2'
        $config | Should -Contain 'bind-source-addr 127.0.0.2'
        (Invoke-RedisCli $node.EndPoint $Password PING) | Should -Be 'PONG'
    }

    It 'applies -Setting over the defaults' {
        $node = Deploy -Port (Get-FreeNodePort) -Setting @{ 'cluster-node-timeout' = 3000; maxmemory = '64mb' }
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET cluster-node-timeout)[1] | Should -Be '3000'
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET maxmemory)[1] | Should -Be '67108864'
        @(Get-Content $node.ConfigPath | Where-Object { $_ -like 'cluster-node-timeout*' }).Count | Should -Be 1
    }

    It 'deploys several ports whose output pipes into New-RedisCluster' {
        $ports = 1..6 | ForEach-Object { Get-FreeNodePort }
        $nodes = Deploy -Port $ports
        $nodes.Count | Should -Be 6
        $created = $nodes | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred
        ($created | Where-Object Role -eq Master).Count | Should -Be 3
        $testNodes = $nodes | ForEach-Object { [pscustomobject]@{ EndPoint = $_.EndPoint; Password = $Password } }
        Wait-TestClusterOk -Node $testNodes -Replicas 3
        Assert-ClusterInvariant -Node $testNodes -Password $Password
    }

    It 'deploys and creates with an ACL user, leaving the default user closed' {
        $acl = New-TestCredential 'acl-secret' 'operator'
        $ports = 1..3 | ForEach-Object { Get-FreeNodePort }
        $nodes = New-RedisClusterNode -Port $ports -Credential $acl -InstallPath "$TestDrive/acl/conf" -DataPath "$TestDrive/acl/data"
        foreach ($n in $nodes) { $Deployed.Add($n) }
        $created = $nodes | New-RedisCluster -Credential $acl
        ($created | Where-Object Role -eq Master).Count | Should -Be 3
        # Without a password the default user gets nowhere.
        (& redis-cli -p $ports[0] PING 2>&1) -join ' ' | Should -BeLike '*NOAUTH*'
        $env:REDISCLI_AUTH = 'acl-secret'
        try { (& redis-cli --no-auth-warning --user operator -p $ports[0] CLUSTER INFO) -match '^cluster_state:' | Should -Be 'cluster_state:ok' }
        finally { Remove-Item Env:REDISCLI_AUTH }
    }

    It '-WhatIf lists each node''s files and commands, and writes and starts nothing' {
        $port = Get-FreeNodePort
        # A new process: what-if text shows on its console, which is its output.
        $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
New-RedisClusterNode -Port $port, $($port + 1) -InstallPath '$TestDrive/whatif/conf' -DataPath '$TestDrive/whatif/data' -Setting @{ databases = 4 } -Restart -WhatIf
"@
        $lines = @($output | ForEach-Object { "$_".TrimEnd() })
        $lines | Should -Contain 'What if: Deploy 2 Redis cluster nodes on 127.0.0.1 on this machine:'
        $lines | Should -Contain "  port $port (Process)"
        $lines | Should -Contain "    directory $TestDrive/whatif/data/$port"
        $lines | Should -Contain "    file $TestDrive/whatif/conf/redis_$port.conf (mode 0600; written when its directives differ)"
        $lines | Should -Contain "  port $($port + 1) (Process)"
        $lines | Should -Contain '  then restart the nodes whose changed settings need it, one at a time, each back in its cluster and in sync before the next:'
        $lines | Should -Contain '    a master owning slots: CLUSTER FAILOVER to its best replica in sync (as Invoke-RedisFailover -MasterId), then restart it as a replica (it stays one)'
        Test-Path "$TestDrive/whatif" | Should -BeFalse
        $client = [System.Net.Sockets.TcpClient]::new()
        try { { $client.Connect('127.0.0.1', $port) } | Should -Throw -ExceptionType ([System.Management.Automation.MethodInvocationException]) } finally { $client.Dispose() }
    }
}

Describe 'New-RedisClusterNode on nodes already deployed' {
    BeforeAll {
        function Redeploy([object] $Node, [hashtable] $Setting, [switch] $Restart, [pscredential] $Credential = $Cred) {
            <# The same parameters as the node's first deployment (its folder is two levels above its config), with other settings. #>
            $root = Split-Path (Split-Path $Node.ConfigPath)
            $arguments = @{ Port = $Node.Port; Credential = $Credential; InstallPath = "$root/conf"; DataPath = "$root/data"; Restart = $Restart }
            if ($Setting) { $arguments.Setting = $Setting }
            $result = New-RedisClusterNode @arguments
            foreach ($r in $result) { $Deployed.Add($r) }
            $result
        }
    }

    It 'changes nothing when run again with the same parameters, even after Redis rewrote the config' {
        $node = Deploy -Port (Get-FreeNodePort) -Root "$TestDrive/same" -Setting @{ maxmemory = '64MB'; 'maxmemory-policy' = 'allkeys-lru' }
        # CONFIG REWRITE quotes, respells (64mb) and adds lines of its own: none of that is a change.
        Invoke-RedisCli $node.EndPoint $Password CONFIG REWRITE | Should -Be 'OK'
        $rewritten = Get-Content $node.ConfigPath -Raw
        $rewritten | Should -BeLike '*# Generated by CONFIG REWRITE*'
        $written = (Get-Item $node.ConfigPath).LastWriteTimeUtc
        $again = Redeploy $node -Setting @{ maxmemory = '64MB'; 'maxmemory-policy' = 'allkeys-lru' }
        $again.Status | Should -Be 'Unchanged'
        $again.ProcessId | Should -Be $node.ProcessId
        $again.Changes | Should -BeNullOrEmpty
        Get-Content $node.ConfigPath -Raw | Should -BeExactly $rewritten
        (Get-Item $node.ConfigPath).LastWriteTimeUtc | Should -Be $written
    }

    It 'applies a changed setting to the running node with CONFIG SET and reports it, keeping what Redis added' {
        $node = Deploy -Port (Get-FreeNodePort) -Root "$TestDrive/changed" -Setting @{ maxmemory = '64mb' }
        # A setting an operator made at run time and saved with CONFIG REWRITE stays.
        Invoke-RedisCli $node.EndPoint $Password CONFIG SET hz 20 | Should -Be 'OK'
        Invoke-RedisCli $node.EndPoint $Password CONFIG REWRITE | Should -Be 'OK'
        $updated = Redeploy $node -Setting @{ maxmemory = '128mb'; 'maxmemory-policy' = 'allkeys-lru' }
        $updated.Status | Should -Be 'Updated'
        $updated.ProcessId | Should -Be $node.ProcessId
        @($updated.Changes | ForEach-Object { "$_" }) | Should -Be @('maxmemory: 64mb -> 128mb', 'maxmemory-policy: (not set) -> allkeys-lru')
        $updated.RestartNeededFor | Should -BeNullOrEmpty
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET maxmemory)[1] | Should -Be '134217728'
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET maxmemory-policy)[1] | Should -Be 'allkeys-lru'
        $config = Get-Content $node.ConfigPath
        $config | Should -Contain 'maxmemory 128mb'
        $config | Should -Contain 'hz 20'
        (Get-Item $node.ConfigPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        (Redeploy $node -Setting @{ maxmemory = '128mb'; 'maxmemory-policy' = 'allkeys-lru' }).Status | Should -Be 'Unchanged'
    }

    It 'masks a changed password, applies it at run time and starts needing it' {
        $node = Deploy -Port (Get-FreeNodePort) -Root "$TestDrive/password"
        $newPassword = 'deploy-pw-2'
        $updated = Redeploy $node -Credential (New-TestCredential $newPassword)
        $updated.Status | Should -Be 'Updated'
        @($updated.Changes.Setting) | Should -Be @('requirepass', 'masterauth')
        @($updated.Changes | Where-Object { $_.OldValue -ne '********' -or $_.NewValue -ne '********' }) | Should -BeNullOrEmpty
        ($updated | Out-String) + ($updated.Changes | Out-String) | Should -Not -BeLike "*$newPassword*"
        Invoke-RedisCli $node.EndPoint $newPassword PING | Should -Be 'PONG'
        (Invoke-RedisCli $node.EndPoint $Password PING 2>&1) -join ' ' | Should -BeLike '*WRONGPASS*'
    }

    It 'writes a setting Redis cannot change at run time, says the node needs a restart until -Restart restarts it' {
        $node = Deploy -Port (Get-FreeNodePort) -Root "$TestDrive/restart"
        $pending = Redeploy $node -Setting @{ databases = 4 }
        $pending.Status | Should -Be 'RestartNeeded'
        "$($pending.Changes)" | Should -Be 'databases: (not set) -> 4 (needs a restart)'
        $pending.RestartNeededFor | Should -Be 'databases'
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET databases)[1] | Should -Be '16'
        # Run again, the node still runs without it: the same answer, nothing written.
        $still = Redeploy $node -Setting @{ databases = 4 }
        $still.Status | Should -Be 'RestartNeeded'
        $still.Changes | Should -BeNullOrEmpty
        $still.RestartNeededFor | Should -Be 'databases'
        $restarted = Redeploy $node -Setting @{ databases = 4 } -Restart
        $restarted.Status | Should -Be 'Restarted'
        $restarted.ProcessId | Should -Not -Be $node.ProcessId
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET databases)[1] | Should -Be '4'
        Test-ProcessAlive $node.ProcessId | Should -BeFalse
        (Redeploy $node -Setting @{ databases = 4 }).Status | Should -Be 'Unchanged'
    }

    It 'starts a deployed node that is not running, with its settings brought up to date' {
        $node = Deploy -Port (Get-FreeNodePort) -Root "$TestDrive/stopped"
        Stop-ProcessById $node.ProcessId
        $started = Redeploy $node -Setting @{ databases = 4 }
        $started.Status | Should -Be 'Started'
        "$($started.Changes)" | Should -Be 'databases: (not set) -> 4'
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET databases)[1] | Should -Be '4'
    }

    It 'refuses a value Redis refuses (SettingRefused), changing and writing nothing' {
        $node = Deploy -Port (Get-FreeNodePort) -Root "$TestDrive/refused"
        $before = Get-Content $node.ConfigPath -Raw
        $err = Get-ErrorRecord { Redeploy $node -Setting @{ maxmemory = 'lots'; hz = 20 } }
        $err.FullyQualifiedErrorId | Should -Be 'SettingRefused,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Be "$($node.EndPoint) refused the new value of 'maxmemory' (CONFIG SET): nothing was changed on it or written. Check -Setting."
        Get-Content $node.ConfigPath -Raw | Should -BeExactly $before
        # CONFIG SET takes all or none: hz, a good value sent with it, is not set either.
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET maxmemory)[1] | Should -Be '0'
        (Invoke-RedisCli $node.EndPoint $Password CONFIG GET hz)[1] | Should -Be '10'
    }
}

Describe 'New-RedisClusterNode refuses bad input' {
    It 'refuses a port that is in use, leaving that node alone' {
        $busy = Start-TestNode -Password $Password
        try {
            $err = $null
            New-RedisClusterNode -Port $busy.Port -Credential $Cred -InstallPath "$TestDrive/busy/conf" -DataPath "$TestDrive/busy/data" -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'PortInUse,RedisCluster.Commands.NewRedisClusterNodeCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            Test-Path "$TestDrive/busy/conf/redis_$($busy.Port).conf" | Should -BeFalse
            (Invoke-RedisCli $busy.EndPoint $Password PING) | Should -Be 'PONG'
        } finally { Stop-TestNode -Node $busy }
    }

    It 'refuses a host that is not this machine when no SSH parameter says how to reach it' {
        $err = Get-ErrorRecord { New-RedisClusterNode -ComputerName '192.0.2.10' -Port 7000 -InstallPath "$TestDrive/remote" }
        $err.FullyQualifiedErrorId | Should -Be 'SshParametersMissing,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "'192.0.2.10' is not an address of this machine: *-SshUserName*"
        Test-Path "$TestDrive/remote" | Should -BeFalse
    }

    It 'refuses a redis-server path that does not exist' {
        $err = Get-ErrorRecord { New-RedisClusterNode -Port (Get-FreeNodePort) -RedisServerPath "$TestDrive/no-such-redis-server" -InstallPath "$TestDrive/nors" }
        $err.FullyQualifiedErrorId | Should -Be 'RedisServerNotFound,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Test-Path "$TestDrive/nors" | Should -BeFalse
    }

    It 'refuses a port out of range' {
        $err = Get-ErrorRecord { New-RedisClusterNode -Port 70000 -InstallPath "$TestDrive/range" }
        $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentValidationError,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'refuses port 60000, naming the bus port 70000 it would need, before writing anything' {
        $err = $null
        New-RedisClusterNode -Port 60000 -Credential $Cred -InstallPath "$TestDrive/high/conf" -DataPath "$TestDrive/high/data" -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'PortOutOfRange,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -BeLike 'Port 60000 is too high for a cluster node: its cluster bus port would be 70000 (port + 10000), above 65535. *'
        Test-Path "$TestDrive/high" | Should -BeFalse
    }

    It 'refuses -Setting <Name>, which it manages, before writing anything' -ForEach @(
        @{ Name = 'requirepass' }, @{ Name = 'port' }, @{ Name = 'dir' }, @{ Name = 'daemonize' }, @{ Name = 'include' }, @{ Name = 'bind' }
    ) {
        $root = Join-Path $TestDrive "managed-$Name"
        $port = Get-FreeNodePort
        $err = { New-RedisClusterNode -Port $port -Credential $Cred -InstallPath "$root/conf" -DataPath "$root/data" -Setting @{ $Name = 'x' } } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'ManagedSetting,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "-Setting cannot set '$Name': New-RedisClusterNode *"
        Test-Path $root | Should -BeFalse
    }

    It 'refuses a -Setting value that would add a line to the config, without showing it' {
        $err = { New-RedisClusterNode -Port (Get-FreeNodePort) -Credential $Cred -InstallPath "$TestDrive/injected/conf" -DataPath "$TestDrive/injected/data" -Setting @{ maxmemory = "1gb`nrequirepass injected-pw" } } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'InvalidSettingValue,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Not -BeLike '*injected-pw*'
        Test-Path "$TestDrive/injected" | Should -BeFalse
    }
}

Describe 'New-RedisClusterNode with passwords redis.conf must quote' {
    It 'starts a node for <Case> that accepts exactly that password' -ForEach @(
        @{ Case = 'user default, spaces, quotes, symbols, backslashes and non-ASCII'; UserName = 'default'; Secret = 'p w "q" #h >g $x \b\ ü€ 😀' }
        @{ Case = 'an ACL user, spaces, quotes, symbols, backslashes and non-ASCII'; UserName = 'operator'; Secret = 'p w "q" #h >g $x \b\ ü€ 😀' }
        @{ Case = 'user default, a tab'; UserName = 'default'; Secret = "tab`there" }
        @{ Case = 'an ACL user, a tab'; UserName = 'operator'; Secret = "tab`there" }
    ) {
        $node = Deploy -Port (Get-FreeNodePort) -Credential (New-TestCredential $Secret $UserName) -Root (Join-Path $TestDrive "quoted-$([guid]::NewGuid().ToString('N'))")
        Invoke-RedisCli $node.EndPoint $Secret -UserName $UserName PING | Should -Be 'PONG'
        (Invoke-RedisCli $node.EndPoint "$Secret-wrong" -UserName $UserName PING 2>&1) -join ' ' | Should -BeLike '*WRONGPASS*'
        # masterauth stays plaintext for the replica to send: the node must have read back every byte of it.
        (Invoke-RedisCli $node.EndPoint $Secret -UserName $UserName CONFIG GET masterauth)[1] | Should -BeExactly $Secret
    }
}

Describe 'New-RedisClusterNode when redis-server does not start' {
    It 'names the line and directive of <Case> redis-server refused, none of its output, and leaves nothing behind' -ForEach @(
        @{ Case = 'an unknown directive'; Setting = @{ 'no-such-directive' = 'x' }; Directive = 'no-such-directive' }
        @{ Case = 'a value the directive does not take'; Setting = @{ maxmemory = 'lots' }; Directive = 'maxmemory' }
    ) {
        $root = Join-Path $TestDrive "refused-$Directive"
        $port = Get-FreeNodePort
        $err = $null
        New-RedisClusterNode -Port $port -Credential $Cred -InstallPath "$root/conf" -DataPath "$root/data" -Setting $Setting -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NodeStartFailed,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        # The whole message is ours: anything redis-server printed (the line, its value, FATAL ...) would break the match.
        $err[0].Exception.Message | Should -Match "^redis-server refused its configuration for 127\.0\.0\.1:$port \(line \d+, directive '$Directive'\); nothing was started\.$"
        # No log was written, so the config goes and with it every folder the deployment created.
        Test-Path $root | Should -BeFalse
    }

    It 'points to the log of a node that exits after it started, and keeps that log' {
        $root = Join-Path $TestDrive 'exits'
        $port = Get-FreeNodePort
        # An append-only manifest redis-server cannot read: it daemonizes, logs why, and exits.
        $aof = New-Item -ItemType Directory "$root/data/$port/appendonlydir"
        Set-Content "$aof/appendonly.aof.manifest" 'not a manifest'
        $err = $null
        New-RedisClusterNode -Port $port -Credential $Cred -InstallPath "$root/conf" -DataPath "$root/data" -ErrorVariable err -ErrorAction SilentlyContinue
        $log = Join-Path $root "data/$port/redis_$port.log"
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NodeStartFailed,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].Exception.Message | Should -BeExactly "redis-server exited before it answered on 127.0.0.1:${port}; its log is at $log."
        (Get-Item $log).Length | Should -BeGreaterThan 0
        Test-Path "$root/conf/redis_$port.conf" | Should -BeFalse
        Test-Path "$root/conf" | Should -BeFalse
    }

    It 'stops a redis-server that does not return, and says so within the start timeout' {
        $root = Join-Path $TestDrive 'hangs'
        $port = Get-FreeNodePort
        # A stand-in for redis-server that never returns: it records its pid and becomes a long sleep.
        $fake = New-Item -ItemType File -Force "$TestDrive/hanging-redis-server/redis-server" -Value "#!/bin/sh`necho `$`$ > '$TestDrive/hanging-redis-server/pid'`nexec sleep 300`n"
        $fake.UnixFileMode = 'UserRead, UserWrite, UserExecute'
        $err = $null
        New-RedisClusterNode -Port $port -Credential $Cred -RedisServerPath $fake.FullName -InstallPath "$root/conf" -DataPath "$root/data" -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NodeStartTimeout,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err[0].Exception.Message | Should -BeExactly ("redis-server did not start listening on 127.0.0.1:$port within 15 s (the starting redis-server had not returned and was stopped); " +
            "it wrote no log at $(Join-Path $root "data/$port/redis_$port.log").")
        $fakePid = [int](Get-Content "$TestDrive/hanging-redis-server/pid" -Raw)
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ((Test-Path "/proc/$fakePid") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Test-Path "/proc/$fakePid" | Should -BeFalse
        Test-Path $root | Should -BeFalse
    }
}
