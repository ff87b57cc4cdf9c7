<#
.SYNOPSIS
    Time from asking for a Default failover until every node agrees on it: Invoke-RedisFailover beside
    `redis-cli cluster failover` sent to the replica followed by polling, on one 3+3 cluster over three loopback
    hosts, alternating, in one run.
    agreed - every node sees the promoted replica as a master, the old master and the shard's other replicas
             replicate it (in every node's view and by their own INFO, links up): the state Invoke-RedisFailover
             returns in. After redis-cli returns (at once: CLUSTER FAILOVER answers OK before anything happens)
             the same state is polled for, read with the module's snapshot 20 ms apart.
#>
param(
    [string] $ModulePath,
    # One failover takes 0.3 to 1.3 s here, by where it falls in the nodes' gossip (each learns the old master's new role
    # at its next ping exchange with it): medians of fewer runs than this move by more than the two sides differ.
    [int] $Iterations = 15,
    # Another build (an earlier commit) with Invoke-RedisFailover, timed in a child pwsh in the same run.
    [string] $BaselineModulePath
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1') -ModulePath $ModulePath
$password = "bench-$(Get-Random)"
$credential = New-BenchCredential $password
$none = [Threading.CancellationToken]::None

# Failovers go round the three shards, each shard left 4.5 s (a benchmark's pause, not a test's wait): a shard's
# failovers alternate between its two nodes, so the same replica is asked again 9 s or more after its last election,
# past Redis's election interval (4 x cluster-node-timeout, 8 s here) and the masters' vote cool-down (4 s). Sooner,
# redis-cli's side would not be elected at all, and the module's would wait the interval out.
$script:shardStarts = 0, 5461, 10923
$script:lastFailover = @{}
$script:turn = 0
function Get-NextShard($Connection) {
    $start = $shardStarts[$script:turn++ % 3]
    if ($lastFailover.ContainsKey($start)) {
        $wait = 4500 - $lastFailover[$start].Elapsed.TotalMilliseconds
        if ($wait -gt 0) { Start-Sleep -Milliseconds $wait }
    }
    $lastFailover[$start] = [Diagnostics.Stopwatch]::StartNew()
    $nodes = Get-RedisClusterNode -Connection $Connection
    $master = $nodes | Where-Object { $_.Role -eq 'Master' -and $_.Slots.Count -gt 0 -and $_.Slots[0].Start -eq $start }
    [pscustomobject]@{ Master = $master; Replica = $nodes | Where-Object MasterId -eq $master.NodeId | Select-Object -First 1 }
}

function Wait-Agreed($Connection, $Shard) {
    $promoted = [RedisCluster.NodeId]::Parse($Shard.Replica.NodeId)
    $followers = [RedisCluster.NodeId[]]@([RedisCluster.NodeId]::Parse($Shard.Master.NodeId))
    Wait-Until -TimeoutSeconds 60 -IntervalMilliseconds 20 -Because 'every node follows the promoted replica' {
        $snapshot = [RedisCluster.ClusterSnapshot]::ReadAsync($Connection, $none).GetAwaiter().GetResult()
        @($snapshot.FailoverProblems($promoted, $followers)).Count -eq 0 -and @($snapshot.FollowerLinkProblems($promoted, $followers)).Count -eq 0
    }
}

$rows = @{ Ours = @(); Theirs = @(); Baseline = @() }
try {
    $nodes = New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $password -Address '127.0.0.1', '127.0.0.2', '127.0.0.3'
    $null = Write-TestData -Node $nodes -Password $password -Count 1000
    Wait-TestClusterOk -Node $nodes -Replicas 3 -Synced
    $connection = Connect-RedisCluster -EndPoint $nodes[0].EndPoint -Credential $credential
    foreach ($i in 1..$Iterations) {
        $shard = Get-NextShard $connection
        $rows.Ours += Measure-Milliseconds { Invoke-RedisFailover -Connection $connection -MasterId $shard.Master.NodeId }
        Wait-RedisCluster -Connection $connection -Timeout 60

        $shard = Get-NextShard $connection
        $env:REDISCLI_AUTH = $password
        $hostName, $port = $shard.Replica.EndPoint -split ':'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = & redis-cli --no-auth-warning -h $hostName -p $port CLUSTER FAILOVER
        Remove-Item Env:REDISCLI_AUTH
        Wait-Agreed $connection $shard
        $rows.Theirs += $watch.Elapsed.TotalMilliseconds
        Wait-RedisCluster -Connection $connection -Timeout 60

        if ($BaselineModulePath) {
            $shard = Get-NextShard $connection
            $rows.Baseline += Invoke-InBuild $BaselineModulePath $password @"
if (-not (Get-Command Invoke-RedisFailover -ErrorAction SilentlyContinue)) { 'none'; return }
Measure-Milliseconds { Invoke-RedisFailover -EndPoint '$($nodes[0].EndPoint)' -Credential `$credential -MasterId '$($shard.Master.NodeId)' }
"@
            Wait-RedisCluster -Connection $connection -Timeout 60
        }
    }
} finally {
    Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue
    Disconnect-RedisCluster -ErrorAction SilentlyContinue
    Stop-TestNode
}

$ours = Get-Median $rows.Ours; $theirs = Get-Median $rows.Theirs
[pscustomobject]@{
    Benchmark                    = 'Default failover of one shard of a 3+3 cluster on three hosts, until every node agrees'
    Iterations                   = $Iterations
    'RedisCluster ms'            = [Math]::Round($ours)
    'redis-cli + polling ms'     = [Math]::Round($theirs)
    'Ratio'                      = [Math]::Round($theirs / $ours, 2)
    'Baseline build ms'          = if ($rows.Baseline -contains 'none') { 'no Invoke-RedisFailover' } elseif ($rows.Baseline) { [Math]::Round((Get-Median $rows.Baseline)) } else { $null }
}
