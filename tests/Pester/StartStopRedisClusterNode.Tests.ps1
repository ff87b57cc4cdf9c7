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
    BeforeAll {
        function Start-SlotOwnerWatch([string[]] $EndPoint) {
            <#
            .SYNOPSIS
                Asks every node for CLUSTER NODES, round after round on a thread of its own, until $Watch.State.Stop, and
                notes each round in which a node that answered lists as owner of slots a master that was down in that
                round (its port refused, or it was still loading): slots no one served at that moment. A node merely slow
                to answer (a busy machine) proves nothing and is not judged. Only a view that still names a stopped node
                as owner can be noted, so a hand-over done before each stop notes nothing, however the rounds fall.
            #>
            $state = [hashtable]::Synchronized(@{ Stop = $false; Rounds = 0; Uncovered = [System.Collections.Generic.List[string]]::new(); Down = @{} })
            $shell = [powershell]::Create().AddScript({
                param($EndPoints, $Password, $State)
                function Read-ClusterNodes([string] $EndPoint) {
                    # The view's text, 'down' or 'unknown'.
                    $address, $port = $EndPoint -split ':'
                    $client = [Net.Sockets.TcpClient]::new()
                    try {
                        try {
                            if (-not $client.ConnectAsync($address, [int]$port).Wait(2000)) { return 'unknown' }
                        } catch {
                            $refused = $_.Exception.InnerException.InnerException -is [Net.Sockets.SocketException] -and
                                $_.Exception.InnerException.InnerException.SocketErrorCode -eq 'ConnectionRefused'
                            return $(if ($refused) { 'down' } else { 'unknown' })
                        }
                        $client.ReceiveTimeout = 2000
                        $stream = $client.GetStream()
                        $text = foreach ($command in @(@('AUTH', $Password), @('CLUSTER', 'NODES'))) {
                            "*$($command.Count)`r`n" + (($command | ForEach-Object { "`$$([Text.Encoding]::UTF8.GetByteCount($_))`r`n$_`r`n" }) -join '')
                        }
                        $bytes = [Text.Encoding]::UTF8.GetBytes(($text -join ''))
                        $stream.Write($bytes, 0, $bytes.Length)
                        $reader = [IO.StreamReader]::new($stream, [Text.Encoding]::ASCII)
                        $auth = $reader.ReadLine()
                        if ($auth -like '-LOADING*') { return 'down' }
                        if ($auth -ne '+OK') { return 'unknown' }
                        $header = $reader.ReadLine()
                        if ($header -notmatch '^\$(\d+)$') { return 'unknown' }
                        $buffer = [char[]]::new([int]$Matches[1])
                        $read = 0
                        while ($read -lt $buffer.Length) { $read += $reader.Read($buffer, $read, $buffer.Length - $read) }
                        [string]::new($buffer)
                    } catch { 'unknown' } finally { $client.Dispose() }
                }
                while (-not $State.Stop) {
                    $views = @{}
                    foreach ($endPoint in $EndPoints) { $views[$endPoint] = Read-ClusterNodes $endPoint }
                    $down = @($EndPoints | Where-Object { $views[$_] -eq 'down' })
                    foreach ($node in $down) { $State.Down[$node] = $true }
                    foreach ($viewer in @($EndPoints | Where-Object { $views[$_] -notin 'down', 'unknown' })) {
                        foreach ($line in ($views[$viewer] -split "`n")) {
                            $fields = $line.Trim() -split ' '
                            if ($fields.Count -lt 9 -or $fields[2] -notmatch 'master') { continue }
                            $owner = ($fields[1] -split '@')[0]
                            if ($owner -in $down) { $State.Uncovered.Add("round $($State.Rounds): $viewer lists $owner as owning $($fields[8..($fields.Count - 1)]) but it was down") }
                        }
                    }
                    $State.Rounds++
                }
            }).AddArgument($EndPoint).AddArgument($Password).AddArgument($state)
            @{ Shell = $shell; Handle = $shell.BeginInvoke(); State = $state }
        }

        function Stop-SlotOwnerWatch([hashtable] $Watch) {
            $Watch.State.Stop = $true
            $null = $Watch.Shell.EndInvoke($Watch.Handle)
            $Watch.Shell.Dispose()
            $Watch.State
        }
    }

    AfterEach { Reset-Masters $Masters }

    It 'hands each master''s slots to its replica before restarting it, replicas first, and no slot goes unserved' {
        $hosts = $ClusterNodes | Group-Object ComputerName | ForEach-Object { [pscustomobject]@{ ComputerName = $_.Name; Port = @($_.Group.Port) } }
        $redeploy = @{ Credential = $Cred; InstallPath = "$Root/cluster/conf"; DataPath = "$Root/cluster/data"; Setting = $ClusterSetting + @{ databases = 4 } } + $Ssh
        $pending = @($hosts | New-RedisClusterNode @redeploy)
        @($pending.Status | Sort-Object -Unique) | Should -Be 'RestartNeeded'
        $replicaOf = @{}
        foreach ($master in $Masters) {
            $id = Invoke-RedisCli $master $Password CLUSTER MYID
            $replicaOf[$master] = @(Get-TestNodeView $master $Password | Where-Object MasterId -eq $id | ForEach-Object EndPoint)
        }
        $watch = Start-SlotOwnerWatch @($TestNodes.EndPoint)
        try {
            $restarted = @($hosts | New-RedisClusterNode @redeploy -Restart -Verbose 4>&1 3>&1)
        } finally {
            $watched = Stop-SlotOwnerWatch $watch
        }
        $nodes = @($restarted | Where-Object { $_ -is [RedisCluster.RedisClusterNodeDeployment] })
        $nodes.Count | Should -Be 6
        @($nodes.Status | Sort-Object -Unique) | Should -Be 'Restarted'
        foreach ($node in $nodes) { $node.ProcessId | Should -Not -Be ($pending | Where-Object EndPoint -eq $node.EndPoint).ProcessId }
        @($restarted | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }) | Should -BeNullOrEmpty
        $steps = @($restarted | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^(restarting|handing) ' } | ForEach-Object Message)
        $steps.Count | Should -Be 9
        @($steps[0..2] | Where-Object { $_ -like 'restarting * (replica, * of 6)' }).Count | Should -Be 3
        # Each master: its slots handed to its replica, then it restarted as that replica's replica.
        for ($i = 0; $i -lt 3; $i++) {
            $handing = $steps[3 + 2 * $i]
            $handing -match '^handing (\S+)''s slots to its replica (\S+) \(CLUSTER FAILOVER\) before its restart \(\d of 6\)$' | Should -BeTrue -Because $handing
            $master, $replica = $Matches[1], $Matches[2]
            $master | Should -BeIn $Masters
            $replicaOf[$master] | Should -Contain $replica
            $steps[4 + 2 * $i] | Should -BeLike "restarting $master (now a replica of $replica, * of 6)"
        }
        foreach ($node in $TestNodes) { (Invoke-RedisCli $node.EndPoint $Password CONFIG GET databases)[1] | Should -Be '4' }
        # The former masters stay replicas: placement is Optimize-RedisClusterPlacement's business.
        foreach ($master in $Masters) { Get-Role $master | Should -Be 'slave' }
        $watched.Rounds | Should -BeGreaterThan 10
        $watched.Uncovered | Should -BeNullOrEmpty
        Wait-TestClusterOk -Node $TestNodes -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $TestNodes -Password $Password -ExpectedData $Data
    }
}

Describe 'New-RedisClusterNode -Restart of a master without a replica' {
    It 'restarts it in place, warning that its slots are unavailable meanwhile, and the cluster is whole again' {
        $deploy = @{ Credential = $Cred; InstallPath = "$Root/bare/conf"; DataPath = "$Root/bare/data"; Setting = $ClusterSetting }
        $port = Get-FreeNodePort
        $bare = @(New-RedisClusterNode -Port $port, ($port + 1), ($port + 2) @deploy)
        # All three on one host: New-RedisCluster's warning about that is not this test's business.
        $null = $bare | New-RedisCluster -ReplicasPerMaster 0 -Credential $Cred 3>$null
        $nodes = @($bare | ForEach-Object { [pscustomobject]@{ EndPoint = $_.EndPoint; Password = $Password } })
        Wait-TestClusterOk -Node $nodes
        $data = Write-TestData -Node $nodes[0] -Password $Password -Count 50
        $slotsBefore = (Get-TestNodeView $bare[0].EndPoint $Password | Where-Object EndPoint -eq $bare[0].EndPoint).Slots

        $deploy.Setting = $ClusterSetting + @{ databases = 4 }
        $restarted = New-RedisClusterNode -Port $port @deploy -Restart -WarningVariable warnings 3>$null
        $restarted.Status | Should -Be 'Restarted'
        $restarted.ProcessId | Should -Not -Be $bare[0].ProcessId
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike "The master $($bare[0].EndPoint) (*) owns * slots and it has no replica: it is restarted in place, and its slots are unavailable to clients until it is back and the cluster sees it ok."
        Get-Role $bare[0].EndPoint | Should -Be 'master'
        (Get-TestNodeView $bare[0].EndPoint $Password | Where-Object EndPoint -eq $bare[0].EndPoint).Slots | Should -Be $slotsBefore
        Wait-TestClusterOk -Node $nodes
        Assert-ClusterInvariant -Node $nodes -Password $Password -ExpectedData $data
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
