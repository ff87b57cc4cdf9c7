BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    . (Join-Path $PSScriptRoot 'TestHelpers/FailoverTestHelpers.ps1')
    $script:Password = 'failover-pw-1'
    $script:Cred = New-TestCredential $Password
    New-FailoverTestCluster -Password $Password -KeyCount 200

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

    function Assert-Refused([scriptblock] $Attempt, [string] $ErrorId, [string] $Category, [string] $Message, [string[]] $Before = (Get-TestNodeState -Node $Members -Password $Password)) {
        $err = Get-ErrorRecord $Attempt
        $err.FullyQualifiedErrorId | Should -Be "$ErrorId,RedisCluster.Commands.InvokeRedisFailoverCommand"
        $err.CategoryInfo.Category | Should -Be $Category
        "$err" | Should -BeLike $Message
        Assert-NothingChanged $Before
    }

}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Invoke-RedisFailover' {
    BeforeEach { Reset-FailoverTestCluster }

    It 'promotes a piped replica in Default mode; -MasterId, through -EndPoint with -Credential, then fails the shard back' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $replica = Get-RedisClusterNode -Role Replica | Select-Object -First 1
        $oldMaster = $replica.MasterId
        $shard = @($replica | Invoke-RedisFailover)
        $shard.Count | Should -Be 2
        $shard | ForEach-Object { $_ | Should -BeOfType ([RedisCluster.RedisClusterNode]) }
        Assert-Shard $shard $replica.NodeId $oldMaster

        # The old master is now the shard's only replica, so its best one: named by a prefix of the new master's id.
        $back = @(Invoke-RedisFailover -EndPoint $Entry -Credential $Cred -MasterId $replica.NodeId.Substring(0, 10))
        Assert-Shard $back $oldMaster $replica.NodeId
        Complete-FailoverTest
    }

    It 'reports a promotion whose old master cannot link to the new one as done, with a warning naming it' {
        $shard = $Shards[1]
        $master = Get-View | Where-Object { $_.Id -in $shard.MasterId, $shard.ReplicaId -and $_.IsMaster }
        $replica = Get-View | Where-Object MasterId -eq $master.Id
        # A wrong masterauth keeps the old master from ever linking to its new master.
        $null = Invoke-RedisCli $master.EndPoint $Password CONFIG SET masterauth wrong-password
        try {
            $out = @(Invoke-RedisFailover -EndPoint $Entry -Credential $Cred -MasterId $master.Id -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop)
            Assert-Shard $out $replica.Id $master.Id
            @($warnings).Count | Should -Be 1
            "$warnings" | Should -BeLike "*took over*$($master.EndPoint)*link*Wait-RedisCluster*"
            (Invoke-RedisCli $master.EndPoint $Password INFO replication) | Should -Contain 'master_link_status:down'
        }
        finally { $null = Invoke-RedisCli $master.EndPoint $Password CONFIG SET masterauth $Password }
        Complete-FailoverTest
    }

    It '-MasterId passes over a replica that cannot be reached; piped replicas of one master give one failover' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
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
        Wait-Until -TimeoutSeconds 30 -Because 'every node lists the restarted replica under the new master' {
            @(foreach ($n in $Members) { (Get-TestNodeView $n.EndPoint $Password | Where-Object Id -eq $second.Id).MasterId -eq $first.Id }) -notcontains $false
        }
        # Both replicas of the new master piped: the first takes over, the other is left, with a warning.
        $piped = @(Get-RedisClusterNode -Role Replica | Where-Object MasterId -eq $first.Id | Sort-Object { $_.NodeId -ne $master.Id })
        $piped.Count | Should -Be 2
        $out = @($piped | Invoke-RedisFailover -WarningVariable warnings -WarningAction SilentlyContinue)
        $out[0].NodeId | Should -Be $master.Id
        @($warnings | Where-Object { "$_" -like '*one failover per shard*' }).Count | Should -Be 1
        # The borrowed replica goes back to its own master.
        $null = Set-RedisClusterReplica -EndPoint $second.EndPoint -MasterId $second.MasterId -WarningAction SilentlyContinue
        Complete-FailoverTest
    }

    It 'asks a replica elected moments ago again only once Redis lets it stand: after an election it did not see, and before one it saw' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $shard = $Shards[2]
        $master = Get-View | Where-Object { $_.Id -in $shard.MasterId, $shard.ReplicaId -and $_.IsMaster }
        $replica = Get-View | Where-Object MasterId -eq $master.Id
        function Restore-Master {
            # Back by TAKEOVER: no election, so no node's election interval is spent and none stands in the way.
            $null = Invoke-RedisCli $master.EndPoint $Password CLUSTER FAILOVER TAKEOVER
            Wait-Until -TimeoutSeconds 10 -IntervalMilliseconds 20 -Because "every node sees $($replica.EndPoint) replicating $($master.EndPoint), its link up" {
                @(foreach ($n in $Members) { (Get-TestNodeView $n.EndPoint $Password | Where-Object Id -eq $replica.Id).MasterId -eq $master.Id }) -notcontains $false -and
                    (Invoke-RedisCli $replica.EndPoint $Password INFO replication) -contains 'master_link_status:up'
            }
        }

        # Over with redis-cli, so the replica wins an election this process knows nothing of. (Should an earlier test
        # have had it elected moments ago, Redis drops this request after 5 s; it is sent again then.)
        $asked = [Diagnostics.Stopwatch]::StartNew()
        $null = Invoke-RedisCli $replica.EndPoint $Password CLUSTER FAILOVER
        Wait-Until -TimeoutSeconds 20 -IntervalMilliseconds 20 -Because "$($master.EndPoint) replicates $($replica.EndPoint)" {
            if ($asked.Elapsed.TotalSeconds -gt 6) { $null = Invoke-RedisCli $replica.EndPoint $Password CLUSTER FAILOVER; $asked.Restart() }
            (Get-TestNodeView $master.EndPoint $Password | Where-Object { $_.Flags -contains 'myself' }).MasterId -eq $replica.Id
        }
        Restore-Master
        # Within Redis's election interval (4 s here) of that election, the replica claims the shard without one and is
        # overruled, or lets the request expire: never reported done; asked again once the interval has passed.
        $said = @(Invoke-RedisFailover -NodeId $replica.Id -ErrorAction Stop -Verbose 4>&1)
        @($said | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -like '*was not elected*asking again*' }).Count | Should -Be 1
        Assert-Shard @($said | Where-Object { $_ -is [RedisCluster.RedisClusterNode] }) $replica.Id $master.Id

        # Asked again at once, after an election this process saw: the wait comes first, and the request is elected.
        Restore-Master
        $said = @(Invoke-RedisFailover -MasterId $master.Id -ErrorAction Stop -Verbose 4>&1)
        @($said | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -like "*$($replica.EndPoint) won an election*asking in*" }).Count | Should -Be 1
        @($said | Where-Object { "$_" -like '*was not elected*' }) | Should -BeNullOrEmpty
        Assert-Shard @($said | Where-Object { $_ -is [RedisCluster.RedisClusterNode] }) $replica.Id $master.Id
        Complete-FailoverTest
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
        Assert-NothingChanged $before
    }
}

Describe 'Invoke-RedisFailover parameters' {
    It 'takes -MasterId only as given: it does not bind from piped nodes' {
        $parameter = (Get-Command Invoke-RedisFailover).Parameters['MasterId']
        @($parameter.Attributes | Where-Object { $_ -is [Parameter] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) }) | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-RedisFailover refuses before touching anything' {
    BeforeEach { Reset-FailoverTestCluster }

    It 'refuses a master, an id no node has, -MasterId of a replica, and a replica with -MasterId' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $master = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -First 1
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        $before = Get-TestNodeState -Node $Members -Password $Password
        Assert-Refused { Invoke-RedisFailover -NodeId $master.Id } 'NotAReplica' 'InvalidArgument' '*is a master already*-MasterId*nothing was changed.' $before
        Assert-Refused { Invoke-RedisFailover -NodeId ('f' * 40) } 'NodeNotFound' 'ObjectNotFound' '*No node of the cluster has the id ffffffff*' $before
        Assert-Refused { Invoke-RedisFailover -MasterId $replica.Id } 'NotAMaster' 'InvalidArgument' "*-MasterId names $($replica.EndPoint)*a replica*" $before
        Assert-Refused { Invoke-RedisFailover -NodeId $replica.Id -MasterId $master.Id } 'ReplicaAndMasterGiven' 'InvalidArgument' '*not both*' $before
    }

    It 'refuses in Default mode a replica whose link to its master is down' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        # A wrong masterauth keeps the replica from linking up again once its link is cut.
        $null = Invoke-RedisCli $replica.EndPoint $Password CONFIG SET masterauth wrong-password
        try {
            $null = Invoke-RedisCli $replica.EndPoint $Password CLIENT KILL TYPE master
            Wait-Until { (Invoke-RedisCli $replica.EndPoint $Password INFO replication) -contains 'master_link_status:down' } -Because 'the replica link is down' -TimeoutSeconds 10
            $before = Get-TestNodeState -Node $Members -Password $Password
            Assert-Refused { Invoke-RedisFailover -NodeId $replica.Id } 'ReplicaLinkDown' 'InvalidOperation' '*has its link to its master down*nothing was changed.' $before
            Assert-Refused { Invoke-RedisFailover -MasterId $replica.MasterId } 'NoUsableReplica' 'InvalidOperation' '*none of its replicas can take over*link to its master down*' $before
        }
        finally { $null = Invoke-RedisCli $replica.EndPoint $Password CONFIG SET masterauth $Password }
        Complete-FailoverTest
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
        Complete-FailoverTest
    }
}

Describe 'Invoke-RedisFailover in Default mode under writers' {
    BeforeEach { Reset-FailoverTestCluster }

    It 'loses no acknowledged write in 10 failovers in a row, each of a shard a writer writes to' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        # One key and one redis-cli per shard; the failovers go round the shards (so none meets Redis's election
        # interval), each of them under a writer. redis-cli -c follows MOVED; every reply it prints is an acknowledged
        # INCR. The password travels in the environment only.
        $keys = @(Get-ShardKey)
        $writers = @{}
        $env:REDISCLI_AUTH = $Password
        try {
            foreach ($key in $keys) {
                $replies = Join-Path ([IO.Path]::GetTempPath()) "failover-writer-$([guid]::NewGuid()).txt"
                $process = Start-Process redis-cli -ArgumentList '-h', ($Entry -split ':')[0], '-p', ($Entry -split ':')[1], '--no-auth-warning', '-c', '-r', '-1', '-i', '0.005', 'INCR', $key `
                    -RedirectStandardOutput $replies -PassThru
                $writers[$key] = [pscustomobject]@{ Process = $process; Replies = $replies }
            }
        }
        finally { Remove-Item Env:REDISCLI_AUTH }
        try {
            Wait-Until -Because 'every writer is acknowledged' -TimeoutSeconds 10 {
                @($writers.Values | Where-Object { -not (Test-Path $_.Replies) -or @(Get-Content $_.Replies).Count -le 20 }).Count -eq 0
            }
            foreach ($round in 0..9) {
                $owner = (Get-RedisKeySlot -Key $keys[$round % 3]).NodeId
                $shard = @(Invoke-RedisFailover -MasterId $owner -ErrorAction Stop)
                $shard[0].NodeId | Should -Not -Be $owner
                ($shard | Where-Object NodeId -eq $owner).MasterId | Should -Be $shard[0].NodeId
            }
            $seen = @{}
            foreach ($key in $keys) { $seen[$key] = @(Get-Content $writers[$key].Replies).Count }
            Wait-Until -Because 'every writer goes on after the last failover' -TimeoutSeconds 10 {
                @($keys | Where-Object { @(Get-Content $writers[$_].Replies).Count -le $seen[$_] + 20 }).Count -eq 0
            }
        }
        finally {
            foreach ($writer in $writers.Values) { Stop-Process -Id $writer.Process.Id -Force -ErrorAction SilentlyContinue; $writer.Process.WaitForExit() }
        }

        foreach ($key in $keys) {
            $lines = @(Get-Content $writers[$key].Replies)
            Remove-Item $writers[$key].Replies
            $acknowledged = @($lines | Where-Object { $_ -match '^\d+$' } | ForEach-Object { [long]$_ })
            $errors = @($lines | Where-Object { $_ -notmatch '^\d+$' })
            $clusterDown = @($errors | Where-Object { $_ -like 'CLUSTERDOWN *' })
            $final = [long](Invoke-RedisCli $Entry $Password -c GET $key)
            # Every acknowledged INCR is in the final value, each once: the replies count up 1, 2, 3, ... with no gap or repeat.
            $acknowledged.Count | Should -BeGreaterThan 50
            $acknowledged[-1] | Should -Be $acknowledged.Count
            ($final - $acknowledged[-1]) | Should -BeIn 0, 1 -Because 'only the INCR in flight when the writer was stopped may be unacknowledged'
            # A node that hears the old master call itself a replica before it hears the new master claim the slots has
            # them unserved for a moment and answers CLUSTERDOWN: refused before it runs, so never acknowledged, and
            # redis-cli does not retry it. Any other error fails the test.
            @($errors | Where-Object { $_ -notlike 'CLUSTERDOWN *' }) | Should -BeNullOrEmpty -Because 'a Default failover pauses writes and redirects them'
            Write-Host "  ${key}: $($acknowledged.Count) INCRs acknowledged, $($clusterDown.Count) refused with CLUSTERDOWN"
            $null = Invoke-RedisCli $Entry $Password -c DEL $key
        }
        Complete-FailoverTest
    }
}
