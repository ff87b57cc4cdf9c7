BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'create-pw-1'
    $script:Cred = New-TestCredential $Password

    function Get-NodeState([object[]] $Node) {
        # What must not change when New-RedisCluster refuses: known nodes, slots, keys.
        foreach ($n in $Node) {
            $view = @(Get-TestNodeView $n.EndPoint $Password)
            '{0}|{1}|{2}|{3}' -f $n.EndPoint, $view.Count, (($view | ForEach-Object { $_.Slots -join ',' }) -join ';'), (Invoke-RedisCli $n.EndPoint $Password DBSIZE)
        }
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'New-RedisCluster on three hosts' {
    BeforeAll {
        # Two nodes on each of three loopback "hosts", the operator's recipe in miniature.
        $script:Nodes = foreach ($address in '127.0.0.1', '127.0.0.2', '127.0.0.3') { Start-TestNode -Count 2 -Address $address -Password $Password }
        $script:Created = $Nodes | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred
    }
    AfterAll { Stop-TestNode -Node $Nodes }

    It 'splits the slots as redis-cli does' {
        $masters = $Created | Where-Object Role -eq Master | Sort-Object { $_.Slots[0].Start }
        ($masters | ForEach-Object { $_.Slots -join ',' }) -join ' ' | Should -Be '0-5460 5461-10922 10923-16383'
    }

    It 'puts one master on each host and every replica on another host than its master' {
        $masters = $Created | Where-Object Role -eq Master
        @($masters.Host | Select-Object -Unique).Count | Should -Be 3
        foreach ($replica in $Created | Where-Object Role -eq Replica) {
            $master = $Created | Where-Object { $_.NodeId -eq $replica.MasterId }
            $replica.Host | Should -Not -Be $master.Host
        }
    }

    It 'gives every node its own config epoch' {
        $view = Get-TestNodeView $Nodes[0].EndPoint $Password
        $epochs = foreach ($n in $Created | Where-Object Role -eq Master) { $n.ConfigEpoch }
        @($epochs | Select-Object -Unique).Count | Should -Be 3
    }

    It 'leaves a cluster that keeps every invariant once its replicas have synced' {
        # New-RedisCluster returns when the slot map agrees and every replica is attached; a replica appears
        # in CLUSTER SLOTS only after its first sync, which the invariants include.
        Wait-TestClusterOk -Node $Nodes -Replicas 3
        $data = Write-TestData -Node $Nodes -Password $Password -Count 300
        Assert-ClusterInvariant -Node $Nodes -Password $Password -ExpectedData $data
    }

    It 'returns nodes that pipe on without credentials' {
        ($Created | Get-RedisClusterNode -Role Master).Count | Should -Be 3
    }
}

Describe 'New-RedisCluster -WhatIf' {
    It 'prints the plan and changes nothing' {
        $nodes = Start-TestNode -Count 3 -Password $Password
        try {
            $before = Get-NodeState $nodes
            # What-if text goes to the host, not to a stream: read it from a child process's console.
            $env:REDISCLUSTER_TEST_PASSWORD = $Password
            $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('default', (ConvertTo-SecureString `$env:REDISCLUSTER_TEST_PASSWORD -AsPlainText -Force))
New-RedisCluster -EndPoint $($nodes.EndPoint -join ',') -Credential `$cred -WhatIf
"@ | Out-String
            $output | Should -BeLike '*What if*master*0-5460*master*5461-10922*master*10923-16383*'
            Get-NodeState $nodes | Should -Be $before
        } finally { Stop-TestNode -Node $nodes }
    }
}

Describe 'New-RedisCluster when nodes cannot reach each other' {
    BeforeAll {
        # One node announces a bus port where nothing listens: the others can never finish the handshake.
        $script:Cut = @(Start-TestNode -Count 2 -Password $Password) + @(Start-TestNode -Password $Password -Setting @{ 'cluster-announce-bus-port' = 9 })
    }
    AfterAll { Stop-TestNode -Node $Cut }

    It 'gives up after -TimeoutSeconds with OperationTimeout and says why' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $err = $null
        try { $Cut | New-RedisCluster -Credential $Cred -TimeoutSeconds 2 } catch { $err = $_ }
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
        $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err.FullyQualifiedErrorId | Should -Be 'ClusterNotSettled,RedisCluster.Commands.NewRedisClusterCommand'
        # It says which node has not met which, and what usually causes that.
        "$err" | Should -BeLike "Waiting for every node to know the others: not done after 2 s. Still unsettled: *$($Cut[0].EndPoint) has not yet met $($Cut[2].EndPoint)*"
        "$err" | Should -BeLike '*cluster bus port (port + 10000, or cluster-announce-bus-port)*'
    }

    It 'counts connecting in -TimeoutSeconds: a node that accepts but never answers ends the run at the deadline' {
        $frozen = Start-TestNode -Password $Password
        & kill -STOP $frozen.ProcessId
        try {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $err = Get-ErrorRecord { New-RedisCluster -EndPoint ($Cut[0..1].EndPoint + $frozen.EndPoint) -Credential $Cred -TimeoutSeconds 1 -ConnectTimeoutSeconds 60 }
            # Far below the 60 s connect timeout: the deadline, not the connect timeout, ended it.
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
            $err.FullyQualifiedErrorId | Should -Be 'ClusterNotSettled,RedisCluster.Commands.NewRedisClusterCommand'
            $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
            "$err" | Should -Be 'Connecting to the nodes and checking them: not done after 1 s.'
        } finally {
            & kill -CONT $frozen.ProcessId
            Stop-TestNode -Node $frozen
        }
    }

    It 'stops promptly when the pipeline is stopped (Ctrl+C)' {
        foreach ($n in $Cut) { $null = Invoke-RedisCli $n.EndPoint $Password CLUSTER RESET HARD }
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
            $null = $shell.AddCommand('New-RedisCluster').AddParameter('EndPoint', [string[]]$Cut.EndPoint).AddParameter('Credential', $Cred).AddParameter('TimeoutSeconds', 600)
            $running = $shell.BeginInvoke()
            # Wait until it is in the waiting phase: slots are assigned by then.
            Wait-Until { (Invoke-RedisCli $Cut[0].EndPoint $Password CLUSTER INFO) -match '^cluster_slots_assigned:[1-9]' } -Because 'slots are assigned' -TimeoutSeconds 20
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            # The invocation's handle is signalled on another thread, a moment after Stop() returns.
            Wait-Until { $running.IsCompleted } -Because 'the stopped creation has ended' -TimeoutSeconds 5
        } finally { $shell.Dispose() }
    }
}

Describe 'New-RedisCluster finishes a creation that stopped' {
    BeforeEach {
        $script:Six = Start-TestNode -Count 6 -Password $Password
        function Get-SettleSettings {
            # What the creation lowers while it settles, node by node: it must be back afterwards.
            foreach ($n in $Six) {
                '{0} {1}' -f (Invoke-RedisCli $n.EndPoint $Password CONFIG GET cluster-node-timeout)[1], (Invoke-RedisCli $n.EndPoint $Password CONFIG GET repl-diskless-sync-delay)[1]
            }
        }
    }
    AfterEach { Stop-TestNode -Node $Six }

    It 'after a timeout: the same command again completes that cluster' {
        # One node announces a bus port nothing listens on: the handshakes with it cannot finish.
        $null = Invoke-RedisCli $Six[5].EndPoint $Password CONFIG SET cluster-announce-bus-port 9
        $err = Get-ErrorRecord { $Six | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred -TimeoutSeconds 2 }
        $err.FullyQualifiedErrorId | Should -Be 'ClusterNotSettled,RedisCluster.Commands.NewRedisClusterCommand'
        "$err" | Should -BeLike "*has not yet met $($Six[5].EndPoint)*Running the same New-RedisCluster again finishes the creation from where it stopped."
        Get-SettleSettings | Should -Be (@('2000 5') * 6)
        $null = Invoke-RedisCli $Six[5].EndPoint $Password CONFIG SET cluster-announce-bus-port 0
        $verbose = $Six | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred -Verbose 4>&1
        $created = @($verbose | Where-Object { $_ -is [RedisCluster.RedisClusterNode] })
        $messages = @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $created.Count | Should -Be 6
        $messages | Should -Contain 'Some nodes already carry part of this cluster (an earlier run stopped): finishing it.'
        # One verbose line per change of state, never the same line twice in a row however often it polled.
        for ($i = 1; $i -lt $messages.Count; $i++) { $messages[$i] | Should -Not -Be $messages[$i - 1] }
        Get-SettleSettings | Should -Be (@('2000 5') * 6)
        Wait-TestClusterOk -Node $Six -Replicas 3
        Assert-ClusterInvariant -Node $Six -Password $Password
    }

    It 'after Ctrl+C: the same command again completes that cluster' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
            $null = $shell.AddCommand('New-RedisCluster').AddParameter('EndPoint', [string[]]$Six.EndPoint).AddParameter('Credential', $Cred).AddParameter('ReplicasPerMaster', 1)
            $running = $shell.BeginInvoke()
            Wait-Until { (Invoke-RedisCli $Six[0].EndPoint $Password CLUSTER INFO) -match '^cluster_slots_assigned:[1-9]' } -Because 'slots are assigned' -TimeoutSeconds 20
            $shell.Stop()
            Wait-Until { $running.IsCompleted } -Because 'the stopped creation has ended' -TimeoutSeconds 5
            # Stopping waits for the clean-up: the lowered settings are back on every node.
            Get-SettleSettings | Should -Be (@('2000 5') * 6)
        } finally { $shell.Dispose() }
        $created = $Six | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred
        $created.Count | Should -Be 6
        ($created | Where-Object Role -eq Master | Sort-Object { $_.Slots[0].Start } | ForEach-Object { "$($_.Slots)" }) -join ' ' | Should -Be '0-5460 5461-10922 10923-16383'
        Wait-TestClusterOk -Node $Six -Replicas 3
        Assert-ClusterInvariant -Node $Six -Password $Password
    }

    It 'on a finished cluster: changes nothing and returns it' {
        $first = $Six | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred
        $again = $Six | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred
        @($again.NodeId | Sort-Object) | Should -Be @($first.NodeId | Sort-Object)
        @($again | ForEach-Object { "$($_.NodeId) $($_.Role) $($_.MasterId) $($_.Slots)" } | Sort-Object) | Should -Be @($first | ForEach-Object { "$($_.NodeId) $($_.Role) $($_.MasterId) $($_.Slots)" } | Sort-Object)
    }

    It 'refuses when the nodes carry another plan than the one asked for' {
        $null = $Six | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred
        $before = Get-NodeState $Six
        $err = Get-ErrorRecord { $Six | New-RedisCluster -ReplicasPerMaster 0 -Credential $Cred }
        $err.FullyQualifiedErrorId | Should -Be 'NodeNotEmpty,RedisCluster.Commands.NewRedisClusterCommand'
        "$err" | Should -BeLike '*which this plan does not give it: it is part of another cluster.*'
        Get-NodeState $Six | Should -Be $before
    }
}

Describe 'New-RedisCluster refuses bad input and changes nothing' {
    BeforeAll { $script:Spare = Start-TestNode -Count 6 -Password $Password }
    AfterAll { Stop-TestNode -Node $Spare }

    It 'refuses fewer nodes than three masters need' {
        $before = Get-NodeState $Spare
        foreach ($attempt in { $Spare | Select-Object -First 5 | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred },
            { $Spare | Select-Object -First 2 | New-RedisCluster -Credential $Cred }) {
            $err = Get-ErrorRecord $attempt
            $err.FullyQualifiedErrorId | Should -Be 'TooFewNodes,RedisCluster.Commands.NewRedisClusterCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
        Get-NodeState $Spare | Should -Be $before
    }

    It 'refuses the same endpoint twice' {
        $before = Get-NodeState $Spare
        $endPoints = @($Spare[0].EndPoint, $Spare[1].EndPoint, $Spare[2].EndPoint, $Spare[0].EndPoint)
        $err = $null
        try { New-RedisCluster -EndPoint $endPoints -Credential $Cred } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'DuplicateEndPoint,RedisCluster.Commands.NewRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-NodeState $Spare | Should -Be $before
    }

    It 'refuses two names for the same node' {
        $before = Get-NodeState $Spare
        $endPoints = @($Spare[0].EndPoint, "localhost:$($Spare[0].Port)", $Spare[1].EndPoint, $Spare[2].EndPoint)
        $err = Get-ErrorRecord { New-RedisCluster -EndPoint $endPoints -Credential $Cred }
        $err.FullyQualifiedErrorId | Should -Be 'DuplicateEndPoint,RedisCluster.Commands.NewRedisClusterCommand'
        "$err" | Should -Be "These endpoints reach the same node: $($Spare[0].EndPoint) = localhost:$($Spare[0].Port)."
        Get-NodeState $Spare | Should -Be $before
    }

    It 'refuses an unreachable node' {
        $before = Get-NodeState $Spare
        $dead = "127.0.0.1:$(Get-FreeNodePort)"
        $err = $null
        try { New-RedisCluster -EndPoint ($Spare[0..2].EndPoint + $dead) -Credential $Cred -ConnectTimeoutSeconds 2 } catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.FullyQualifiedErrorId | Should -Be 'ConnectionRefused,RedisCluster.Commands.NewRedisClusterCommand'
        "$err" | Should -BeLike "*$dead refused the connection*"
        Get-NodeState $Spare | Should -Be $before
    }

    It 'refuses a node that holds keys' {
        # A node without slots takes no writes: serve the key's slot for a moment, write, give it up.
        $slot = Invoke-RedisCli $Spare[3].EndPoint $Password CLUSTER KEYSLOT '{x}'
        $null = Invoke-RedisCli $Spare[3].EndPoint $Password CONFIG SET cluster-require-full-coverage no
        $null = Invoke-RedisCli $Spare[3].EndPoint $Password CLUSTER ADDSLOTS $slot
        Wait-Until { (Invoke-RedisCli $Spare[3].EndPoint $Password SET '{x}' 1) -eq 'OK' } -Because 'the node serves the slot' -IntervalMilliseconds 200
        Invoke-RedisCli $Spare[3].EndPoint $Password DBSIZE | Should -Be 1
        $null = Invoke-RedisCli $Spare[3].EndPoint $Password CLUSTER DELSLOTS $slot
        try {
            $before = Get-NodeState $Spare
            $err = $null
            try { New-RedisCluster -EndPoint $Spare[1..3].EndPoint -Credential $Cred } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'NodeNotEmpty,RedisCluster.Commands.NewRedisClusterCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            "$err" | Should -BeLike "*$($Spare[3].EndPoint): it holds 1 key(s)*"
            Get-NodeState $Spare | Should -Be $before
        } finally { $null = Invoke-RedisCli $Spare[3].EndPoint $Password DEL '{x}' }
    }

    It 'refuses a node that is already in another cluster' {
        $null = Invoke-RedisCli $Spare[4].EndPoint $Password CLUSTER MEET $Spare[5].Host ($Spare[5].Port)
        Wait-Until { @(Get-TestNodeView $Spare[4].EndPoint $Password | Where-Object { $_.Flags -notcontains 'handshake' }).Count -eq 2 } -Because 'the two nodes have met'
        $before = Get-NodeState $Spare[0..4]
        $err = Get-ErrorRecord { New-RedisCluster -EndPoint ($Spare[0..2].EndPoint + $Spare[4].EndPoint) -Credential $Cred }
        $err.FullyQualifiedErrorId | Should -Be 'NodeNotEmpty,RedisCluster.Commands.NewRedisClusterCommand'
        "$err" | Should -BeLike "*$($Spare[4].EndPoint): it already knows 1 node(s) outside this set ($($Spare[5].EndPoint)): it is part of another cluster.*"
        Get-NodeState $Spare[0..4] | Should -Be $before
    }

    It 'refuses a node without cluster support' {
        $plain = Start-TestNode -NoCluster -Password $Password
        try {
            $before = Get-NodeState $Spare[0..2]
            $err = $null
            try { New-RedisCluster -EndPoint ($Spare[0..2].EndPoint + $plain.EndPoint) -Credential $Cred } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'ClusterSupportDisabled,RedisCluster.Commands.NewRedisClusterCommand'
            "$err" | Should -BeLike "*$($plain.EndPoint): cluster support is disabled*"
            Get-NodeState $Spare[0..2] | Should -Be $before
        } finally { Stop-TestNode -Node $plain }
    }

    It 'refuses a wrong password before touching any node' {
        $before = Get-NodeState $Spare[0..2]
        $err = Get-ErrorRecord { New-RedisCluster -EndPoint $Spare[0..2].EndPoint -Credential (New-TestCredential 'wrong') }
        $err.FullyQualifiedErrorId | Should -Be 'AuthenticationFailed,RedisCluster.Commands.NewRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        Get-NodeState $Spare[0..2] | Should -Be $before
    }

    It 'refuses a negative replica count' {
        $err = Get-ErrorRecord { New-RedisCluster -EndPoint $Spare[0..2].EndPoint -ReplicasPerMaster -1 -Credential $Cred }
        $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentValidationError,RedisCluster.Commands.NewRedisClusterCommand'
    }
}
