BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'failover-pw-1'
    $script:Cred = New-TestCredential $Password

    # Three loopback addresses stand for three hosts, two nodes each: one master and one replica of another host's master.
    $script:Members = @(New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password -Address '127.0.0.1', '127.0.0.2', '127.0.0.3')
    $script:Entry = $Members[0].EndPoint
    $script:Data = Write-TestData -Node $Members -Password $Password -Count 200
    Wait-TestClusterOk -Node $Members -Replicas 3 -Synced

    function Get-View { Get-TestNodeView $Entry $Password }
    function Get-Member([string] $EndPoint) { $Members | Where-Object EndPoint -eq $EndPoint }

    function Assert-Shard([object[]] $Output, [string] $NewMaster, [string] $OldMaster) {
        # What the cmdlet wrote, and what every node says itself.
        $Output[0].NodeId | Should -Be $NewMaster
        $Output[0].Role | Should -Be 'Master'
        ($Output | Where-Object NodeId -eq $OldMaster).MasterId | Should -Be $NewMaster
        foreach ($n in $Members) {
            $view = Get-TestNodeView $n.EndPoint $Password
            ($view | Where-Object Id -eq $NewMaster).IsMaster | Should -BeTrue
            ($view | Where-Object Id -eq $OldMaster).MasterId | Should -Be $NewMaster
        }
    }

    function Assert-Refused([scriptblock] $Attempt, [string] $ErrorId, [string] $Category, [string] $Message) {
        $before = Get-TestNodeState -Node $Members -Password $Password
        $err = Get-ErrorRecord $Attempt
        $err.FullyQualifiedErrorId | Should -Be "$ErrorId,RedisCluster.Commands.InvokeRedisFailoverCommand"
        $err.CategoryInfo.Category | Should -Be $Category
        "$err" | Should -BeLike $Message
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Invoke-RedisFailover' {
    It 'promotes a piped replica in Default mode: its master becomes its replica, and the shard comes out' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $replica = Get-RedisClusterNode -Role Replica | Select-Object -First 1
        $oldMaster = $replica.MasterId
        $shard = @($replica | Invoke-RedisFailover)

        $shard.Count | Should -Be 2
        $shard | ForEach-Object { $_ | Should -BeOfType ([RedisCluster.RedisClusterNode]) }
        Assert-Shard $shard $replica.NodeId $oldMaster
        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'fails over -MasterId to its replica, reached through -EndPoint with -Credential' {
        $master = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -Last 1
        $replica = Get-View | Where-Object MasterId -eq $master.Id
        $shard = @(Invoke-RedisFailover -EndPoint $Entry -Credential $Cred -MasterId $master.Id.Substring(0, 10))

        Assert-Shard $shard $replica.Id $master.Id
        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It '-MasterId passes over a replica that cannot be reached; piped replicas of one master give one failover' {
        $master = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -First 1
        $first = Get-View | Where-Object MasterId -eq $master.Id
        # A second replica for that master, borrowed from another shard; it is then killed.
        $second = Get-View | Where-Object { $_.Flags -contains 'slave' -and $_.MasterId -ne $master.Id } | Select-Object -First 1
        $null = Set-RedisClusterReplica -EndPoint $second.EndPoint -MasterId $master.Id -WarningAction SilentlyContinue
        $secondNode = Get-Member $second.EndPoint
        Stop-TestNode -Node $secondNode
        try {
            $shard = @(Invoke-RedisFailover -MasterId $master.Id)
            $shard[0].NodeId | Should -Be $first.Id
            ($shard | Where-Object NodeId -eq $master.Id).MasterId | Should -Be $first.Id
        }
        finally { Restart-TestNode -Node $secondNode }
        Wait-Until -TimeoutSeconds 30 -Because 'the restarted replica follows the new master' {
            (Get-TestNodeView $second.EndPoint $Password | Where-Object { $_.Flags -contains 'myself' }).MasterId -eq $first.Id
        }
        # Both replicas of the new master piped: the first takes over, the other is left, with a warning.
        $piped = @(Get-RedisClusterNode -Role Replica | Where-Object MasterId -eq $first.Id | Sort-Object { $_.NodeId -ne $master.Id })
        $piped.Count | Should -Be 2
        $out = @($piped | Invoke-RedisFailover -WarningVariable warnings -WarningAction SilentlyContinue)
        $out[0].NodeId | Should -Be $master.Id
        @($warnings | Where-Object { "$_" -like '*one failover per shard*' }).Count | Should -Be 1
        # The borrowed replica goes back to its own master.
        $null = Set-RedisClusterReplica -EndPoint $second.EndPoint -MasterId $second.MasterId -WarningAction SilentlyContinue
        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'fails a shard back at once: the masters'' vote cool-down is waited out, not reported' {
        $master = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -Last 1
        $replica = Get-View | Where-Object MasterId -eq $master.Id
        $there = @(Invoke-RedisFailover -MasterId $master.Id -ErrorAction Stop)
        $there[0].NodeId | Should -Be $replica.Id
        $back = @(Invoke-RedisFailover -MasterId $replica.Id -ErrorAction Stop)
        Assert-Shard $back $master.Id $replica.Id
        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It '-WhatIf prints the plan and changes nothing' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        $before = Get-TestNodeState -Node $Members -Password $Password
        $env:REDISCLUSTER_TEST_PASSWORD = $Password
        $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('default', (ConvertTo-SecureString `$env:REDISCLUSTER_TEST_PASSWORD -AsPlainText -Force))
Invoke-RedisFailover -EndPoint $($replica.EndPoint) -Credential `$cred -WhatIf
"@ | Out-String
        $output | Should -BeLike "*What if*Invoke Redis failover*Promote $($replica.EndPoint) ($($replica.Id.Substring(0, 8))) to master*"
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
    }

    It 'takes -MasterId only as given: it does not bind from piped nodes' {
        $parameter = (Get-Command Invoke-RedisFailover).Parameters['MasterId']
        @($parameter.Attributes | Where-Object { $_ -is [Parameter] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) }) | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-RedisFailover refuses before touching anything' {
    It 'refuses a master, an id no node has, -MasterId of a replica, and a replica with -MasterId' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $master = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -First 1
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        Assert-Refused { Invoke-RedisFailover -NodeId $master.Id } 'NotAReplica' 'InvalidArgument' '*is a master already*-MasterId*nothing was changed.'
        Assert-Refused { Invoke-RedisFailover -NodeId ('f' * 40) } 'NodeNotFound' 'ObjectNotFound' '*No node of the cluster has the id ffffffff*'
        Assert-Refused { Invoke-RedisFailover -MasterId $replica.Id } 'NotAMaster' 'InvalidArgument' "*-MasterId names $($replica.EndPoint)*a replica*"
        Assert-Refused { Invoke-RedisFailover -NodeId $replica.Id -MasterId $master.Id } 'ReplicaAndMasterGiven' 'InvalidArgument' '*not both*'
    }

    It 'refuses in Default mode a replica whose link to its master is down' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        # A wrong masterauth keeps the replica from linking up again once its link is cut.
        $null = Invoke-RedisCli $replica.EndPoint $Password CONFIG SET masterauth wrong-password
        try {
            $null = Invoke-RedisCli $replica.EndPoint $Password CLIENT KILL TYPE master
            Wait-Until { (Invoke-RedisCli $replica.EndPoint $Password INFO replication) -contains 'master_link_status:down' } -Because 'the replica link is down' -TimeoutSeconds 10
            Assert-Refused { Invoke-RedisFailover -NodeId $replica.Id } 'ReplicaLinkDown' 'InvalidOperation' '*has its link to its master down*nothing was changed.'
            Assert-Refused { Invoke-RedisFailover -MasterId $replica.MasterId } 'NoUsableReplica' 'InvalidOperation' '*none of its replicas can take over*link to its master down*'
        }
        finally { $null = Invoke-RedisCli $replica.EndPoint $Password CONFIG SET masterauth $Password }
        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'refuses Default mode for a killed master, promotes its replica with -Mode Force, and the old master comes back as its replica' {
        $master = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -First 1
        $replica = Get-View | Where-Object MasterId -eq $master.Id
        # The replica must not take over by itself before the test asks it to.
        $null = Invoke-RedisCli $replica.EndPoint $Password CONFIG SET cluster-replica-no-failover yes
        $dead = Get-Member $master.EndPoint
        $others = @($Members | Where-Object EndPoint -ne $master.EndPoint)
        try {
            Stop-TestNode -Node $dead
            # Every node must agree on the failure (and have heard of nofailover) first, or the state compared below moves on its own.
            Wait-Until -TimeoutSeconds 20 -Because 'every node flags the killed master as failing and knows the replica will not fail over by itself' {
                @(foreach ($n in $others) {
                    $view = Get-TestNodeView $n.EndPoint $Password
                    ($view | Where-Object Id -eq $master.Id).Flags -contains 'fail' -and ($view | Where-Object Id -eq $replica.Id).Flags -contains 'nofailover'
                }) -notcontains $false
            }
            $before = Get-TestNodeState -Node $others -Password $Password
            $err = Get-ErrorRecord { Invoke-RedisFailover -NodeId $replica.Id -EndPoint $replica.EndPoint -Credential $Cred }
            $err.FullyQualifiedErrorId | Should -Be 'MasterDown,RedisCluster.Commands.InvokeRedisFailoverCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            "$err" | Should -BeLike '*-Mode Force*'
            Get-TestNodeState -Node $others -Password $Password | Should -Be $before

            $shard = @(Invoke-RedisFailover -NodeId $replica.Id -EndPoint $replica.EndPoint -Credential $Cred -Mode Force -Force)
            $shard[0].NodeId | Should -Be $replica.Id
            $shard[0].Role | Should -Be 'Master'
            foreach ($n in $others) { (Get-TestNodeView $n.EndPoint $Password | Where-Object Id -eq $replica.Id).IsMaster | Should -BeTrue }
        }
        finally {
            $null = Invoke-RedisCli $replica.EndPoint $Password CONFIG SET cluster-replica-no-failover no
            Restart-TestNode -Node $dead
        }
        Wait-Until { (Get-TestNodeView $dead.EndPoint $Password | Where-Object { $_.Flags -contains 'myself' }).MasterId -eq $replica.Id } -Because 'the old master rejoins as a replica' -TimeoutSeconds 30
        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }
}

Describe 'Invoke-RedisFailover in Default mode under a writer' {
    It 'loses no acknowledged write in 10 failovers in a row of the shard the writer writes to' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $key = 'failover:counter'
        $null = Invoke-RedisCli $Entry $Password -c DEL $key
        # redis-cli -c follows MOVED; every reply it prints is an acknowledged INCR. The password travels in the environment only.
        $replies = Join-Path ([IO.Path]::GetTempPath()) "failover-writer-$([guid]::NewGuid()).txt"
        $env:REDISCLI_AUTH = $Password
        try {
            $writer = Start-Process redis-cli -ArgumentList '-h', ($Entry -split ':')[0], '-p', ($Entry -split ':')[1], '--no-auth-warning', '-c', '-r', '-1', '-i', '0.005', 'INCR', $key `
                -RedirectStandardOutput $replies -PassThru
        }
        finally { Remove-Item Env:REDISCLI_AUTH }
        try {
            Wait-Until { (Test-Path $replies) -and @(Get-Content $replies).Count -gt 20 } -Because 'the writer is acknowledged' -TimeoutSeconds 10
            foreach ($round in 1..10) {
                $owner = (Get-RedisKeySlot -Key $key).NodeId
                $shard = @(Invoke-RedisFailover -MasterId $owner -ErrorAction Stop)
                $shard[0].NodeId | Should -Not -Be $owner
                ($shard | Where-Object NodeId -eq $owner).MasterId | Should -Be $shard[0].NodeId
            }
            $seen = @(Get-Content $replies).Count
            Wait-Until { @(Get-Content $replies).Count -gt $seen + 20 } -Because 'the writer goes on after the last failover' -TimeoutSeconds 10
        }
        finally { Stop-Process -Id $writer.Id -Force -ErrorAction SilentlyContinue; $writer.WaitForExit() }

        $lines = @(Get-Content $replies)
        Remove-Item $replies
        $acknowledged = @($lines | Where-Object { $_ -match '^\d+$' } | ForEach-Object { [long]$_ })
        $errors = @($lines | Where-Object { $_ -notmatch '^\d+$' })
        $final = [long](Invoke-RedisCli $Entry $Password -c GET $key)
        # Every acknowledged INCR is in the final value, each once: the replies count up 1, 2, 3, ... with no gap or repeat.
        $acknowledged.Count | Should -BeGreaterThan 100
        $acknowledged[-1] | Should -Be $acknowledged.Count
        ($final - $acknowledged[-1]) | Should -BeIn 0, 1 -Because 'only the INCR in flight when the writer was stopped may be unacknowledged'
        $errors | Should -BeNullOrEmpty -Because 'a Default failover pauses writes and redirects them; none fails'
        $null = Invoke-RedisCli $Entry $Password -c DEL $key
        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }
}
