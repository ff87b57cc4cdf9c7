BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    . (Join-Path $PSScriptRoot 'TestHelpers/FailoverTestHelpers.ps1')
    $script:Password = 'placement-pw-1'
    $script:Cred = New-TestCredential $Password
    # The seed's shape, made by redis-cli: one master per host, each replica on another host than its master.
    New-FailoverTestCluster -Password $Password -KeyCount 300

    function Get-View { Get-TestNodeView $Entry $Password }

    function Get-MastersPerHost {
        $masters = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 }
        ('127.0.0.1', '127.0.0.2', '127.0.0.3' | ForEach-Object { $h = $_; @($masters | Where-Object { $_.EndPoint -like "${h}:*" }).Count }) -join ','
    }

    function Get-PlacementFinding {
        @(Test-RedisCluster -EndPoint $Entry -Credential $Cred | Where-Object { $_.Check -in 'MasterPlacement', 'ReplicaPlacement' -and $_.Severity -ne 'Ok' })
    }

    function Stop-MasterUntilReplaced([object] $Master) {
        # kill -9 the master, wait for its replica's promotion, start it again, wait until it is back as that replica's replica.
        $replica = Get-View | Where-Object MasterId -eq $Master.Id
        $node = $Members | Where-Object EndPoint -eq $Master.EndPoint
        Stop-TestNode -Node $node
        $alive = @($Members | Where-Object EndPoint -ne $Master.EndPoint)
        Wait-Until -TimeoutSeconds 30 -Because "the replica of $($Master.EndPoint) is promoted" {
            ((Get-TestNodeView $alive[0].EndPoint $Password) | Where-Object Id -eq $replica.Id).IsMaster
        }
        Restart-TestNode -Node $node
        Wait-Until -TimeoutSeconds 30 -Because "$($Master.EndPoint) is back as a replica of $($replica.EndPoint)" {
            (Get-TestNodeView $node.EndPoint $Password | Where-Object { $_.Flags -contains 'myself' }).MasterId -eq $replica.Id
        }
        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Optimize-RedisClusterPlacement' {
    BeforeEach { Reset-FailoverTestCluster }

    It 'changes nothing on a well-placed cluster, writes no object and says so on the information stream' {
        $before = Get-TestNodeState -Node $Members -Password $Password
        $out = @(Optimize-RedisClusterPlacement -EndPoint $Entry -Credential $Cred -InformationVariable said -InformationAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        @($said).Count | Should -Be 1
        $said[0].Tags | Should -Contain 'NothingToChange'
        $said[0].Tags | Should -Contain 'PSHOST'
        "$($said[0].MessageData)" | Should -BeLike '*well placed already*Nothing was changed.'
        Assert-NothingChanged $before
    }

    It 'mends the seed''s drill: a master killed and back as a replica leaves one host with two masters; one failover restores one per host' {
        $master = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -First 1
        Stop-MasterUntilReplaced $master
        Get-MastersPerHost | Should -Not -Be '1,1,1'
        (Get-PlacementFinding).Check | Should -Be 'MasterPlacement'

        # -WhatIf, and $WhatIfPreference as a script sets it: the plan as objects, nothing changed.
        $before = Get-TestNodeState -Node $Members -Password $Password
        $planned = @(Optimize-RedisClusterPlacement -EndPoint $Entry -Credential $Cred -WhatIf)
        $planned.Count | Should -Be 1
        $planned[0] | Should -BeOfType ([RedisCluster.PlacementStep])
        $planned[0].Action | Should -Be 'Failover'
        $planned[0].NodeId | Should -Be $master.Id
        $WhatIfPreference = $true
        try { $preferred = @(Optimize-RedisClusterPlacement -EndPoint $Entry -Credential $Cred) }
        finally { $WhatIfPreference = $false }
        $preferred.NodeId | Should -Be $master.Id
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before

        $done = @(Optimize-RedisClusterPlacement -EndPoint $Entry -Credential $Cred)
        $done.Count | Should -Be 1
        $done[0].NodeId | Should -Be $master.Id
        Get-MastersPerHost | Should -Be '1,1,1'
        Get-PlacementFinding | Should -BeNullOrEmpty
        Test-RedisCluster -EndPoint $Entry -Credential $Cred -Quiet | Should -BeTrue
        # Idempotent: a second run finds nothing to do.
        @(Optimize-RedisClusterPlacement -EndPoint $Entry -Credential $Cred -InformationAction Ignore) | Should -BeNullOrEmpty
        Complete-FailoverTest
    }

    It 'mends two masters on different hosts killed one after the other' {
        $first = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -First 1
        $replacement = (Get-View | Where-Object MasterId -eq $first.Id).Id
        Stop-MasterUntilReplaced $first
        # Not the node that took over from the first: killing it would hand the shard back to the first's host and mend it.
        $second = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 -and $_.Id -ne $replacement -and ($_.EndPoint -split ':')[0] -ne ($first.EndPoint -split ':')[0] } |
            Select-Object -First 1
        Stop-MasterUntilReplaced $second
        Get-PlacementFinding | Should -Not -BeNullOrEmpty

        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $done = @(Optimize-RedisClusterPlacement)
        $done.Count | Should -BeGreaterThan 0
        Get-MastersPerHost | Should -Be '1,1,1'
        Get-PlacementFinding | Should -BeNullOrEmpty
        Test-RedisCluster -Quiet | Should -BeTrue
        Complete-FailoverTest
    }

    It 'refuses a cluster that has not settled, changing nothing' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        $null = Invoke-RedisCli $replica.EndPoint $Password CONFIG SET masterauth wrong-password
        try {
            $null = Invoke-RedisCli $replica.EndPoint $Password CLIENT KILL TYPE master
            Wait-Until { (Invoke-RedisCli $replica.EndPoint $Password INFO replication) -contains 'master_link_status:down' } -Because 'the replica link is down' -TimeoutSeconds 10
            $before = Get-TestNodeState -Node $Members -Password $Password
            $err = Get-ErrorRecord { Optimize-RedisClusterPlacement -EndPoint $Entry -Credential $Cred }
            $err.FullyQualifiedErrorId | Should -Be 'ClusterNotReady,RedisCluster.Commands.OptimizeRedisClusterPlacementCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            "$err" | Should -BeLike "*has not settled*$($replica.EndPoint) has its master link down*"
            Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
        }
        finally { $null = Invoke-RedisCli $replica.EndPoint $Password CONFIG SET masterauth $Password }
        Complete-FailoverTest
    }
}
