# Wait-RedisCluster, Invoke-RedisClusterCommand and Set-RedisClusterConfig against real nodes.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'wide-pw-1'
    $script:Cred = New-TestCredential $Password
    $script:Nodes = New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password
    $script:Connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
    $script:View = Get-TestNodeView $Nodes[0].EndPoint $Password

    function Get-Setting([string] $Name) {
        foreach ($n in $Nodes) { (Invoke-RedisCli $n.EndPoint $Password CONFIG GET $Name)[1] }
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Wait-RedisCluster' {
    It 'returns at once on a settled cluster, and with -PassThru writes its nodes' {
        Wait-RedisCluster -Connection $Connection | Should -BeNullOrEmpty
        (Wait-RedisCluster -Connection $Connection -PassThru).Count | Should -Be 6
    }

    It 'waits while a slot is uncovered and returns once it is covered again' {
        $owner = $View | Where-Object { $_.Slots -contains '10923-16383' }
        $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER DELSLOTS 16383
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
            $null = $shell.AddCommand('Wait-RedisCluster').AddParameter('EndPoint', $Nodes[0].EndPoint).AddParameter('Credential', $Cred).AddParameter('Timeout', 60)
            $running = $shell.BeginInvoke()
            # Still waiting while the slot is uncovered: it says so in its progress, it does not return.
            Wait-Until { $shell.Streams.Progress | Where-Object { $_.StatusDescription -like 'Waiting for the cluster to settle: *' } } -Because 'the wait reports what is unsettled'
            $running.IsCompleted | Should -BeFalse
            $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER ADDSLOTS 16383
            Wait-Until { $running.IsCompleted } -Because 'the wait returns once the slot is covered' -TimeoutSeconds 30
            $shell.EndInvoke($running)
            $shell.HadErrors | Should -BeFalse
        } finally { $shell.Dispose() }
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    It 'times out with ClusterNotSettled naming what is unsettled' {
        $owner = $View | Where-Object { $_.Slots -contains '10923-16383' }
        $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER DELSLOTS 16383
        try {
            $err = Get-ErrorRecord { Wait-RedisCluster -Connection $Connection -Timeout 1 }
            $err.FullyQualifiedErrorId | Should -Be 'ClusterNotSettled,RedisCluster.Commands.WaitRedisClusterCommand'
            $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
            "$err" | Should -BeLike "Waiting for the cluster to settle: not done after 1 s. Still unsettled: *$($owner.EndPoint) sees other owners for slots 16383*"
        } finally {
            $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER ADDSLOTS 16383
        }
        Wait-RedisCluster -Connection $Connection
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    It 'takes piped nodes and waits once for their cluster; -Debug alone never prompts' {
        # -Debug without -Verbose would turn each verbose line into a prompt, fatal in a scheduled script.
        $debug = Get-RedisClusterNode -Connection $Connection | Wait-RedisCluster -Debug 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        "$debug" | Should -BeLike '*Waiting for the cluster to settle*'
        # One snapshot: each node asked for INFO once.
        @($debug | Where-Object { "$_" -like "$($Nodes[0].EndPoint) <- INFO" }).Count | Should -Be 1
    }

    It 'refuses a timeout out of range' {
        $err = Get-ErrorRecord { Wait-RedisCluster -Connection $Connection -Timeout 0 }
        $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentValidationError,RedisCluster.Commands.WaitRedisClusterCommand'
    }
}

Describe 'Invoke-RedisClusterCommand' {
    It 'runs a command on every node at once, one result per node' {
        $results = Invoke-RedisClusterCommand -Connection $Connection -Command PING
        $results.Count | Should -Be 6
        @($results.EndPoint | Sort-Object) | Should -Be @($Nodes.EndPoint | Sort-Object)
        $results | ForEach-Object { $_.Reply | Should -Be 'PONG'; $_.Succeeded | Should -BeTrue; $_.Command | Should -Be 'PING' }
    }

    It 'chooses masters or replicas with -Role, "slave" included' {
        $masters = Invoke-RedisClusterCommand -Connection $Connection -Command 'INFO replication' -Role Master
        @($masters.EndPoint | Sort-Object) | Should -Be @(($View | Where-Object IsMaster).EndPoint | Sort-Object)
        $masters | ForEach-Object { $_.Reply | Should -BeLike '*role:master*' }
        $replicas = Invoke-RedisClusterCommand -Connection $Connection -Command 'INFO', 'replication' -Role slave
        @($replicas.EndPoint | Sort-Object) | Should -Be @(($View | Where-Object { -not $_.IsMaster }).EndPoint | Sort-Object)
    }

    It 'gives replies as PowerShell values: numbers, strings, arrays' {
        $result = Invoke-RedisClusterCommand -Connection $Connection -Command 'CONFIG GET "cluster-node-timeout"' -Role Master | Select-Object -First 1
        $result.Reply | Should -Be @('cluster-node-timeout', '2000')
        (Invoke-RedisClusterCommand -Connection $Connection -Command DBSIZE -Role Master | Select-Object -First 1).Reply | Should -BeOfType ([long])
    }

    It 'makes a node''s error that node''s result, and goes on with the others' {
        # GET of a key only its owner serves: the other masters answer MOVED, as their result.
        $owner = (Get-RedisKeySlot -Key probe -Connection $Connection).EndPoint
        $results = Invoke-RedisClusterCommand -Connection $Connection -Command GET, probe -Role Master
        $results.Count | Should -Be 3
        ($results | Where-Object EndPoint -eq $owner).Succeeded | Should -BeTrue
        $failed = @($results | Where-Object EndPoint -ne $owner)
        $failed.Count | Should -Be 2
        $failed | ForEach-Object { $_.ErrorId | Should -Be 'ServerMoved'; $_.Error | Should -BeLike '*answered GET with MOVED*' }
    }

    It 'reports an unreachable node as its result' {
        $spare = New-TestCluster -Masters 3 -ReplicasPerMaster 0 -Password $Password
        try {
            # Stopped before connecting, so no client to it exists: one made earlier may not have noticed the drop yet
            # when PING goes out, and then reports NodeUnreachable (dropped during PING) rather than a refused connect.
            Stop-TestNode -Node $spare[2]
            $connection = Connect-RedisCluster -EndPoint $spare[0].EndPoint -Credential $Cred -ConnectTimeoutSeconds 2
            $results = Invoke-RedisClusterCommand -Connection $connection -Command PING
            ($results | Where-Object EndPoint -eq $spare[2].EndPoint).ErrorId | Should -Be 'ConnectionRefused'
            @($results | Where-Object Succeeded).Count | Should -Be 2
        } finally { Stop-TestNode -Node $spare }
    }

    It 'masks secrets in the command it reports' {
        $result = Invoke-RedisClusterCommand -Connection $Connection -Command 'AUTH', $Password -Role Master | Select-Object -First 1
        $result.Command | Should -Be 'AUTH ********'
        $result.Reply | Should -Be 'OK'
    }

    It '-WhatIf runs nothing' {
        $null = Invoke-RedisCli $Nodes[0].EndPoint $Password -c SET whatif-probe 1
        Invoke-RedisClusterCommand -Connection $Connection -Command FLUSHALL -Role Master -WhatIf
        Invoke-RedisCli $Nodes[0].EndPoint $Password -c EXISTS whatif-probe | Should -Be 1
        $null = Invoke-RedisCli $Nodes[0].EndPoint $Password -c DEL whatif-probe
    }

    It 'refuses an empty command or an unclosed quote' -ForEach @(@{ Text = '   ' }, @{ Text = 'SET "a b' }) {
        $err = Get-ErrorRecord { Invoke-RedisClusterCommand -Connection $Connection -Command $Text }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidCommandLine,RedisCluster.Commands.InvokeRedisClusterCommandCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'has a table view' {
        (Invoke-RedisClusterCommand -Connection $Connection -Command PING -Role Master | Format-Table | Out-String) | Should -BeLike '*EndPoint*Role*Succeeded*Reply*PONG*'
    }
}

Describe 'Set-RedisClusterConfig' {
    AfterEach {
        foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint $Password CONFIG SET maxmemory 0 }
    }

    It 'sets a directive on every node and reports old and new values' {
        $results = Set-RedisClusterConfig -Connection $Connection -Name maxmemory -Value 64mb
        $results.Count | Should -Be 6
        $results | ForEach-Object { $_.OldValue | Should -Be '0'; $_.NewValue | Should -Be '67108864'; $_.Succeeded | Should -BeTrue; $_.Rewritten | Should -BeFalse }
        Get-Setting maxmemory | Should -Be (@('67108864') * 6)
    }

    It 'sets only masters or replicas with -Role' {
        $results = Set-RedisClusterConfig -Connection $Connection -Name maxmemory -Value 32mb -Role Replica
        @($results.EndPoint | Sort-Object) | Should -Be @(($View | Where-Object { -not $_.IsMaster }).EndPoint | Sort-Object)
        foreach ($n in $View) {
            (Invoke-RedisCli $n.EndPoint $Password CONFIG GET maxmemory)[1] | Should -Be $(if ($n.IsMaster) { '0' } else { '33554432' })
        }
    }

    It 'writes the change to the config files with -Rewrite' {
        $rewritable = Start-TestNode -Password $Password
        try {
            $result = Set-RedisClusterConfig -EndPoint $rewritable.EndPoint -Credential $Cred -Name maxmemory-policy -Value allkeys-lru -Rewrite
            $result.Rewritten | Should -BeTrue
            Get-Content "$($rewritable.Dir)/redis.conf" | Should -Contain 'maxmemory-policy allkeys-lru'
        } finally { Stop-TestNode -Node $rewritable }
    }

    It '-WhatIf lists each node''s change and changes nothing' {
        $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('default', (ConvertTo-SecureString '$Password' -AsPlainText -Force))
Set-RedisClusterConfig -EndPoint '$($Nodes[0].EndPoint)' -Credential `$cred -Name maxmemory -Value 64mb -WhatIf
"@ | Out-String
        foreach ($n in $Nodes) { $output | Should -BeLike "*What if: Performing the operation ""Set maxmemory from '0' to '64mb'"" on target ""$($n.EndPoint)""*" }
        Get-Setting maxmemory | Should -Be (@('0') * 6)
    }

    It 'refuses password directives before touching any node' -ForEach @(@{ Name = 'requirepass' }, @{ Name = 'masterauth' }, @{ Name = 'MasterUser' }, @{ Name = 'aclfile' }) {
        $err = Get-ErrorRecord { Set-RedisClusterConfig -Connection $Connection -Name $Name -Value 'x' }
        $err.FullyQualifiedErrorId | Should -Be 'PasswordSettingRefused,RedisCluster.Commands.SetRedisClusterConfigCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Invoke-RedisCli $Nodes[0].EndPoint $Password PING) | Should -Be 'PONG'
    }

    It 'refuses an unknown directive, naming it, and changes nothing' {
        $err = Get-ErrorRecord { Set-RedisClusterConfig -Connection $Connection -Name no-such-setting -Value 1 }
        $err.FullyQualifiedErrorId | Should -Be 'UnknownSetting,RedisCluster.Commands.SetRedisClusterConfigCommand'
        "$err" | Should -BeLike 'no-such-setting is not a setting the nodes know*nothing was changed.'
    }

    It 'refuses a value the server refuses, and no node is changed' {
        $err = Get-ErrorRecord { Set-RedisClusterConfig -Connection $Connection -Name maxmemory -Value 'lots' }
        $err.FullyQualifiedErrorId | Should -Be 'SettingRefused,RedisCluster.Commands.SetRedisClusterConfigCommand'
        "$err" | Should -BeLike '*refused maxmemory lots*No node was changed.'
        Get-Setting maxmemory | Should -Be (@('0') * 6)
    }

    It 'refuses a value with a line break' {
        $err = Get-ErrorRecord { Set-RedisClusterConfig -Connection $Connection -Name maxmemory -Value "1`n2" }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidSettingValue,RedisCluster.Commands.SetRedisClusterConfigCommand'
    }
}
