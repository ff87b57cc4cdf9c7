BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'deploy-pw-1'
    $script:Cred = New-TestCredential $Password
    $script:Deployed = [System.Collections.Generic.List[object]]::new()

    function Deploy {
        param([int[]] $Port, [string] $ComputerName = '127.0.0.1', [hashtable] $Setting, [string] $Root = $TestDrive)
        $arguments = @{ ComputerName = $ComputerName; Port = $Port; Credential = $Cred; InstallPath = "$Root/conf"; DataPath = "$Root/data" }
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
        $testNodes = $nodes | ForEach-Object { [pscustomobject]@{ EndPoint = $_.EndPoint } }
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

    It '-WhatIf writes nothing and starts nothing' {
        $port = Get-FreeNodePort
        New-RedisClusterNode -Port $port -Credential $Cred -InstallPath "$TestDrive/whatif/conf" -DataPath "$TestDrive/whatif/data" -WhatIf
        Test-Path "$TestDrive/whatif" | Should -BeFalse
        $client = [System.Net.Sockets.TcpClient]::new()
        try { { $client.Connect('127.0.0.1', $port) } | Should -Throw } finally { $client.Dispose() }
    }
}

Describe 'New-RedisClusterNode refuses bad input' {
    It 'refuses a port that is in use, leaving that node alone' {
        $busy = Start-TestNode -Password $Password
        try {
            $err = $null
            New-RedisClusterNode -Port $busy.Port -Credential $Cred -InstallPath "$TestDrive/busy/conf" -DataPath "$TestDrive/busy/data" -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PortInUse*'
            Test-Path "$TestDrive/busy/conf/redis_$($busy.Port).conf" | Should -BeFalse
            (Invoke-RedisCli $busy.EndPoint $Password PING) | Should -Be 'PONG'
        } finally { Stop-TestNode -Node $busy }
    }

    It 'refuses to overwrite a deployed node but goes on with the other ports' {
        $first = Deploy -Port (Get-FreeNodePort) -Root "$TestDrive/again"
        $configBefore = Get-Content $first.ConfigPath -Raw
        $other = Get-FreeNodePort
        $err = $null
        $result = New-RedisClusterNode -Port $first.Port, $other -Credential $Cred -InstallPath "$TestDrive/again/conf" -DataPath "$TestDrive/again/data" -ErrorVariable err -ErrorAction SilentlyContinue
        foreach ($r in $result) { $Deployed.Add($r) }
        $err.Count | Should -Be 1
        @($err[0].FullyQualifiedErrorId -split ',')[0] | Should -BeIn 'NodeAlreadyDeployed', 'PortInUse'
        $result.Port | Should -Be $other
        Get-Content $first.ConfigPath -Raw | Should -Be $configBefore
    }

    It 'refuses a host that is not this machine' {
        { New-RedisClusterNode -ComputerName '192.0.2.10' -Port 7000 -InstallPath "$TestDrive/remote" } | Should -Throw -ErrorId 'RemoteDeploymentNotSupported*'
        Test-Path "$TestDrive/remote" | Should -BeFalse
    }

    It 'refuses a redis-server path that does not exist' {
        { New-RedisClusterNode -Port (Get-FreeNodePort) -RedisServerPath "$TestDrive/no-such-redis-server" -InstallPath "$TestDrive/nors" } | Should -Throw -ErrorId 'RedisServerNotFound*'
        Test-Path "$TestDrive/nors" | Should -BeFalse
    }

    It 'refuses a port out of range' {
        { New-RedisClusterNode -Port 70000 -InstallPath "$TestDrive/range" } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'reports a node that cannot start with the end of its log' {
        $err = $null
        New-RedisClusterNode -Port (Get-FreeNodePort) -Credential $Cred -InstallPath "$TestDrive/bad/conf" -DataPath "$TestDrive/bad/data" -Setting @{ 'no-such-directive' = 'x' } -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NodeStartFailed*'
        "$($err[0])" | Should -BeLike '*no-such-directive*'
        @(Get-ChildItem "$TestDrive/bad/conf" -Filter *.conf).Count | Should -Be 0
    }
}
