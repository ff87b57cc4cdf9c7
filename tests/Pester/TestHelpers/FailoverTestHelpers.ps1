# Dot-sourced (after Common.ps1) by the Invoke-RedisFailover and Optimize-RedisClusterPlacement tests. Each file makes
# one cluster, the seed's shape (three loopback addresses stand for three hosts, one master and one replica of another
# host's master on each), and every test starts from it settled, every shard's two nodes together: a test that ends
# settled (Complete-FailoverTest, Assert-NothingChanged) hands it on as it is (which node of a shard is its master may
# have changed); after one that did not, Reset-FailoverTestCluster first puts every node, setting and role back as made.

# A restarted node (no persistence here) comes back empty and full-syncs: at once, not after the default 5 s wait
# for more replicas to share the transfer. A 1 s node timeout (the fixture's is 2 s) halves what failovers wait for:
# a killed master's detection, the gossip that tells every node a demoted master's new role (each node pings each
# other one at least every half node timeout), and Redis's election interval (4 x node timeout, at least 4 s).
# (4 minutes of a cluster so set on this shared machine, at load 5 to 12, showed no node flagged failing.)
$script:FailoverNodeSetting = @{ 'repl-diskless-sync-delay' = 0; 'cluster-node-timeout' = 1000 }

function New-FailoverTestCluster {
    <#
    .SYNOPSIS
        Makes the file's cluster (script scope: Members, Entry, Data, Shards, Settled). Shards lists each master as
        made with its replica, by first slot: what Reset-FailoverTestCluster restores.
    #>
    param([string] $Password, [int] $KeyCount)
    $script:Members = @(New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password -Address '127.0.0.1', '127.0.0.2', '127.0.0.3' -Setting $FailoverNodeSetting)
    $script:Entry = $Members[0].EndPoint
    $script:Data = Write-TestData -Node $Members -Password $Password -Count $KeyCount
    Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
    $view = Get-TestNodeView $Entry $Password
    $script:Shards = @(foreach ($master in @($view | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Sort-Object { [int](($_.Slots[0] -split '-')[0]) })) {
        $replica = $view | Where-Object MasterId -eq $master.Id
        [pscustomobject]@{
            MasterId = $master.Id; Master = $Members | Where-Object EndPoint -eq $master.EndPoint
            ReplicaId = $replica.Id; Replica = $Members | Where-Object EndPoint -eq $replica.EndPoint
        }
    })
    $script:Settled = $true
}

function Complete-FailoverTest {
    <# The end of a test that changed the cluster: settled, the five invariants hold, and the next test can start from it. #>
    Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
    Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    $script:Settled = $true
}

function Assert-NothingChanged([string[]] $Before) {
    <# The end of a test that must change nothing: every node as $Before shows it (so the next test can start from it). #>
    Get-TestNodeState -Node $Members -Password $Password | Should -Be $Before
    $script:Settled = $true
}

function Reset-FailoverTestCluster {
    <#
    .SYNOPSIS
        Before each test: nothing to do after a test that ended settled. Otherwise every node is started again, the
        settings tests change are put back, keys tests add are dropped, each shard's first master is made its master
        again (CLUSTER FAILOVER TAKEOVER on it once it replicates its partner in sync: no election, so no node's
        election interval is spent) with its first replica, and the cluster is settled.
    #>
    if ($script:Settled) {
        $script:Settled = $false
        return
    }
    foreach ($n in $Members) {
        if (-not (Get-Process -Id $n.ProcessId -ErrorAction SilentlyContinue)) { Restart-TestNode -Node $n }
    }
    foreach ($n in $Members) { $null = Invoke-RedisCli $n.EndPoint $Password CONFIG SET masterauth $Password cluster-replica-no-failover no }
    Wait-TestClusterOk -Node $Members -Replicas 3 -TimeoutSeconds 60
    $extra = @(foreach ($n in $Members) { Invoke-RedisCli $n.EndPoint $Password KEYS 'failover:*' })
    foreach ($key in $extra | Select-Object -Unique) { $null = Invoke-RedisCli $Entry $Password -c DEL $key }

    $view = Get-TestNodeView $Entry $Password
    foreach ($shard in $Shards) {
        $master = $view | Where-Object Id -eq $shard.MasterId
        $replica = $view | Where-Object Id -eq $shard.ReplicaId
        if ($master.IsMaster -and $master.Slots.Count -gt 0) {
            if ($replica.MasterId -ne $master.Id) { $null = Invoke-RedisCli $replica.EndPoint $Password CLUSTER REPLICATE $master.Id }
            continue
        }
        if (-not ($replica.IsMaster -and $replica.Slots.Count -gt 0)) { throw "Reset: neither $($master.EndPoint) nor $($replica.EndPoint) serves the shard's slots." }
        if ($master.MasterId -ne $replica.Id) { $null = Invoke-RedisCli $master.EndPoint $Password CLUSTER REPLICATE $replica.Id }
        Wait-Until -TimeoutSeconds 30 -Because "$($master.EndPoint) has every write of $($replica.EndPoint)" {
            $own = Invoke-RedisCli $replica.EndPoint $Password INFO replication
            $follower = Invoke-RedisCli $master.EndPoint $Password INFO replication
            $follower -contains 'master_link_status:up' -and
                (@($own -match '^master_repl_offset:') -replace '^master_repl_offset:') -eq (@($follower -match '^slave_repl_offset:') -replace '^slave_repl_offset:')
        }
        $null = Invoke-RedisCli $master.EndPoint $Password CLUSTER FAILOVER TAKEOVER
    }
    Wait-Until -TimeoutSeconds 30 -Because 'every node sees the masters as made' {
        @(foreach ($n in $Members) {
            $nodeView = Get-TestNodeView $n.EndPoint $Password
            foreach ($shard in $Shards) { ($nodeView | Where-Object Id -eq $shard.ReplicaId).MasterId -eq $shard.MasterId }
        }) -notcontains $false
    }
    Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
}

function Get-ShardKey {
    <# One key per shard ("failover:N"), in the order of $Shards: a key the shard serves, whichever of its nodes is master now. #>
    $view = Get-TestNodeView $Entry $Password
    foreach ($shard in $Shards) {
        $ranges = @($view | Where-Object { $_.Id -in $shard.MasterId, $shard.ReplicaId -and $_.IsMaster }).Slots
        $key = for ($i = 0; $i -lt 100000; $i++) {
            $slot = [RedisCluster.HashSlot]::Of("failover:$i")
            $owned = $ranges | Where-Object { $first, $last = $_ -split '-'; if (-not $last) { $last = $first }; $slot -ge [int]$first -and $slot -le [int]$last }
            if ($owned) { "failover:$i"; break }
        }
        if (-not $key) { throw "No key found for the shard of $($shard.Master.EndPoint)." }
        $key
    }
}
