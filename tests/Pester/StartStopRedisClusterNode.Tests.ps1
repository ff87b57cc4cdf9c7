BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/SshTestHost.psm1') -Force
    $script:Password = 'service-pw-1'
    $script:Cred = New-TestCredential $Password
    # Everything in the run folder: a killed run's sshd and nodes are stopped by the next one.
    $script:Root = Join-Path (Get-TestRunFolder) "service-$(New-Guid)"
    $script:Sshd = Start-TestSshd -Root "$Root/sshd"
    $script:Ssh = @{ SshUserName = 'root'; SshKeyFile = $Sshd.ClientKey; SshPort = $Sshd.Port; KnownHostsPath = $Sshd.KnownHosts }
    # A short node timeout: a stopped master's replica takes over within seconds.
    $script:ClusterSetting = @{ 'cluster-node-timeout' = 2000; 'repl-diskless-sync-delay' = 0 }

    # The seed's shape over SSH: two nodes on each of three hosts, one replica per master on another host.
    $hosts = foreach ($address in $Sshd.Address) { [pscustomobject]@{ ComputerName = $address; Port = @((Get-FreeNodePort $address), (Get-FreeNodePort $address)) } }
    $script:ClusterNodes = @($hosts | New-RedisClusterNode -Credential $Cred -InstallPath "$Root/cluster/conf" -DataPath "$Root/cluster/data" -Setting $ClusterSetting @Ssh)
    $null = $ClusterNodes | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred
    $script:TestNodes = @($ClusterNodes | ForEach-Object { [pscustomobject]@{ EndPoint = $_.EndPoint; Password = $Password } })
    Wait-TestClusterOk -Node $TestNodes -Replicas 3 -Synced
    $script:Data = Write-TestData -Node $TestNodes[0] -Password $Password -Count 200

    function Get-Role([string] $EndPoint) { ((Invoke-RedisCli $EndPoint $Password ROLE) | Select-Object -First 1) }

    function Reset-Masters([object[]] $Masters) {
        <# Puts the masters back where they were: a master that became a replica takes its shard back with a manual failover. #>
        foreach ($endPoint in $Masters) {
            if ((Get-Role $endPoint) -eq 'master') { continue }
            Invoke-RedisCli $endPoint $Password CLUSTER FAILOVER | Should -Be 'OK'
            Wait-Until { (Get-Role $endPoint) -eq 'master' } -Because "$endPoint is master again" -TimeoutSeconds 20
        }
        Wait-TestClusterOk -Node $TestNodes -Replicas 3 -Synced
    }

    $script:Masters = @($TestNodes | Where-Object { (Get-Role $_.EndPoint) -eq 'master' } | ForEach-Object EndPoint)
}

AfterAll {
    foreach ($pidFile in @(Get-ChildItem $Root -Recurse -Filter 'redis_*.pid' -ErrorAction SilentlyContinue)) {
        Stop-ProcessById ([int](Get-Content $pidFile.FullName -Raw -ErrorAction SilentlyContinue))
    }
    if ($Sshd) { Stop-TestSshd $Sshd }
}

Describe 'Stop-RedisClusterNode and Start-RedisClusterNode over SSH' {
    AfterEach { Reset-Masters $Masters }

    It 'stops a master: its replica takes over; started again it answers and comes back as a replica, nothing lost' {
        $master = $ClusterNodes | Where-Object EndPoint -eq $Masters[0]
        $masterId = (Invoke-RedisCli $master.EndPoint $Password CLUSTER MYID)
        $slots = (Get-TestNodeView $master.EndPoint $Password | Where-Object Id -eq $masterId).Slots
        $stopped = $master | Stop-RedisClusterNode @Ssh
        $stopped.Status | Should -Be 'Stopped'
        $stopped.ProcessId | Should -Be 0
        $stopped.EndPoint | Should -Be $master.EndPoint
        Test-ProcessAlive $master.ProcessId | Should -BeFalse
        Test-PortFree $master.ComputerName $master.Port | Should -BeTrue
        $others = @($TestNodes | Where-Object EndPoint -ne $master.EndPoint)
        Wait-Until { @(Get-TestNodeView $others[0].EndPoint $Password | Where-Object { $_.Id -ne $masterId -and $_.IsMaster -and "$($_.Slots)" -eq "$slots" }).Count -eq 1 } `
            -Because 'a replica took over the stopped master''s slots' -TimeoutSeconds 20

        $started = $stopped | Start-RedisClusterNode @Ssh
        $started.Status | Should -Be 'Started'
        $started.ProcessId | Should -BeGreaterThan 0
        Invoke-RedisCli $master.EndPoint $Password PING | Should -Be 'PONG'
        Wait-Until { (Get-Role $master.EndPoint) -eq 'slave' } -Because 'the old master rejoins as a replica' -TimeoutSeconds 20
        Wait-TestClusterOk -Node $TestNodes -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $TestNodes -Password $Password -ExpectedData $Data
    }

    It 'says AlreadyRunning and AlreadyStopped for nodes already so, and -WhatIf stops nothing' {
        $node = $ClusterNodes[1]
        ($node | Start-RedisClusterNode @Ssh).Status | Should -Be 'AlreadyRunning'
        $node | Stop-RedisClusterNode @Ssh -WhatIf
        Test-ProcessAlive $node.ProcessId | Should -BeTrue
        Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
        $err = Get-ErrorRecord { Stop-RedisClusterNode -ComputerName $node.ComputerName -Port (Get-FreeNodePort $node.ComputerName) -InstallPath "$Root/cluster/conf" @Ssh }
        $err.FullyQualifiedErrorId | Should -Be 'NodeNotDeployed,RedisCluster.Commands.StopRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeLike "No node is deployed on port * of $($node.ComputerName): $Root/cluster/conf/redis_*.conf does not exist (check -InstallPath)."
        Assert-ClusterInvariant -Node $TestNodes -Password $Password -ExpectedData $Data
    }
}

Describe 'New-RedisClusterNode -Restart in a cluster' {
    It 'restarts the nodes whose settings need it one at a time, replicas first, masters last, and the cluster stays whole' {
        $hosts = $ClusterNodes | Group-Object ComputerName | ForEach-Object { [pscustomobject]@{ ComputerName = $_.Name; Port = @($_.Group.Port) } }
        $redeploy = @{ Credential = $Cred; InstallPath = "$Root/cluster/conf"; DataPath = "$Root/cluster/data"; Setting = $ClusterSetting + @{ databases = 4 } } + $Ssh
        $pending = @($hosts | New-RedisClusterNode @redeploy)
        @($pending.Status | Sort-Object -Unique) | Should -Be 'RestartNeeded'
        $restarted = @($hosts | New-RedisClusterNode @redeploy -Restart -Verbose 4>&1)
        $nodes = @($restarted | Where-Object { $_ -is [RedisCluster.RedisClusterNodeDeployment] })
        $nodes.Count | Should -Be 6
        @($nodes.Status | Sort-Object -Unique) | Should -Be 'Restarted'
        $order = @($restarted | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'restarting *' } | ForEach-Object Message)
        $order.Count | Should -Be 6
        @($order[0..2] | Where-Object { $_ -like '*(replica,*' }).Count | Should -Be 3
        @($order[3..5] | Where-Object { $_ -like '*(master or alone,*' }).Count | Should -Be 3
        foreach ($node in $TestNodes) { (Invoke-RedisCli $node.EndPoint $Password CONFIG GET databases)[1] | Should -Be '4' }
        # Each master was back before its replicas could replace it.
        @($TestNodes | Where-Object { (Get-Role $_.EndPoint) -eq 'master' } | ForEach-Object EndPoint | Sort-Object) | Should -Be @($Masters | Sort-Object)
        Wait-TestClusterOk -Node $TestNodes -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $TestNodes -Password $Password -ExpectedData $Data
    }
}

Describe 'Stop-RedisClusterNode and Start-RedisClusterNode on this machine' {
    It 'stops and starts a node piped from New-RedisClusterNode, waiting until it is gone and until it answers' {
        $node = New-RedisClusterNode -Port (Get-FreeNodePort) -Credential $Cred -InstallPath "$Root/local/conf" -DataPath "$Root/local/data"
        $stopped = $node | Stop-RedisClusterNode
        $stopped.Status | Should -Be 'Stopped'
        Test-ProcessAlive $node.ProcessId | Should -BeFalse
        Test-PortFree '127.0.0.1' $node.Port | Should -BeTrue
        ($stopped | Stop-RedisClusterNode).Status | Should -Be 'AlreadyStopped'
        $started = $stopped | Start-RedisClusterNode
        $started.Status | Should -Be 'Started'
        $started.ServiceManager | Should -Be 'Process'
        Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
        # By host and port alone, the config on the host says the rest.
        (Stop-RedisClusterNode -Port $node.Port -InstallPath "$Root/local/conf").Status | Should -Be 'Stopped'
    }
}

Describe 'Stop-RedisClusterNode and Start-RedisClusterNode refuse bad input' {
    It 'refuses a host that is not this machine without SSH parameters' {
        $err = Get-ErrorRecord { Start-RedisClusterNode -ComputerName '192.0.2.10' -Port 7000 }
        $err.FullyQualifiedErrorId | Should -Be 'SshParametersMissing,RedisCluster.Commands.StartRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses a port out of range' {
        $err = Get-ErrorRecord { Stop-RedisClusterNode -Port 0 }
        $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentValidationError,RedisCluster.Commands.StopRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'refuses a relative path over SSH' {
        $err = Get-ErrorRecord { Start-RedisClusterNode -Port 7000 -InstallPath 'conf' @Ssh }
        $err.FullyQualifiedErrorId | Should -Be 'RemotePathNotAbsolute,RedisCluster.Commands.StartRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses a node whose pid file names no process while something answers on its port (NodeProcessUnknown)' {
        $node = New-RedisClusterNode -Port (Get-FreeNodePort) -Credential $Cred -InstallPath "$Root/unknown/conf" -DataPath "$Root/unknown/data"
        Remove-Item $node.PidPath
        try {
            $err = Get-ErrorRecord { $node | Stop-RedisClusterNode }
            $err.FullyQualifiedErrorId | Should -Be 'NodeProcessUnknown,RedisCluster.Commands.StopRedisClusterNodeCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
        } finally { Stop-ProcessById $node.ProcessId }
    }
}
