<#
.SYNOPSIS
    Time to a cluster of -Masters masters with one replica each: New-RedisCluster beside redis-cli --cluster
    create, on identical nodes, alternating, in one run. Two end states are timed for both tools:
    usable  - every node reports cluster_state:ok, every node has the same masters' slot map and sees every
              replica attached: writes to any slot succeed (New-RedisCluster returns here; redis-cli is
              polled until the same state, read with the module's snapshot, 20 ms apart);
    settled - also every replica's first sync done and no node flagged failing (Wait-RedisCluster), after
              which CLUSTER SLOTS lists every replica.
#>
param(
    [string] $ModulePath,
    [int] $Iterations = 3,
    [int] $Masters = 3,
    # Both sides get the same nodes. Redis keeps a new master in cluster_state:fail for about its node
    # timeout (at most 5 s); New-RedisCluster lowers it while it creates, redis-cli does not.
    [int] $NodeTimeoutMs = 5000,
    # Another build (an earlier commit), timed in a child pwsh on identical nodes in the same run.
    [string] $BaselineModulePath
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1') -ModulePath $ModulePath
$password = "bench-$(Get-Random)"
$credential = New-BenchCredential $password
$nodeCount = $Masters * 2
$none = [Threading.CancellationToken]::None

function Start-Nodes {
    $nodes = Start-TestNode -Count $nodeCount -Password $password -Setting @{ 'cluster-node-timeout' = $NodeTimeoutMs }
    # Fresh processes hold a master in fail for 2 s after start (CLUSTER_WRITABLE_DELAY): real nodes have
    # been up longer, so both tools get nodes that old (a benchmark's pause, not a test's wait).
    Start-Sleep -Seconds 2
    $nodes
}

function Wait-Usable($Connection, [Diagnostics.Stopwatch] $Watch) {
    Wait-Until -TimeoutSeconds 120 -IntervalMilliseconds 20 -Because 'the cluster is usable' {
        $snapshot = [RedisCluster.ClusterSnapshot]::ReadAsync($Connection, $none).GetAwaiter().GetResult()
        -not ($snapshot.UnreachableProblems() + $snapshot.AgreementProblems() + $snapshot.StateProblems()) -and
            -not ($snapshot.Reachable | Where-Object { @($_.View.Replicas).Count -ne $Masters })
    }
    $Watch.Elapsed.TotalMilliseconds
}

$rows = @{ Ours = @(); OursSettled = @(); Theirs = @(); TheirsSettled = @(); TheirsExit = @(); Baseline = @() }
try {
    foreach ($i in 1..$Iterations) {
        $nodes = Start-Nodes
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $created = $nodes | New-RedisCluster -ReplicasPerMaster 1 -Credential $credential -WarningAction SilentlyContinue -TimeoutSeconds 300
        $rows.Ours += $watch.Elapsed.TotalMilliseconds
        Wait-RedisCluster -Connection $created[0].Connection -Timeout 300
        $rows.OursSettled += $watch.Elapsed.TotalMilliseconds
        Stop-TestNode -Node $nodes

        $nodes = Start-Nodes
        $env:REDISCLI_AUTH = $password
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = & redis-cli --no-auth-warning --cluster create @($nodes.EndPoint) --cluster-replicas 1 --cluster-yes
        $rows.TheirsExit += $watch.Elapsed.TotalMilliseconds
        Remove-Item Env:REDISCLI_AUTH
        $connection = Connect-RedisCluster -EndPoint $nodes[0].EndPoint -Credential $credential
        $rows.Theirs += Wait-Usable $connection $watch
        Wait-RedisCluster -Connection $connection -Timeout 300
        $rows.TheirsSettled += $watch.Elapsed.TotalMilliseconds
        $connection | Disconnect-RedisCluster
        Stop-TestNode -Node $nodes

        if ($BaselineModulePath) {
            $nodes = Start-Nodes
            $rows.Baseline += [double](Invoke-InBuild $BaselineModulePath $password @"
Measure-Milliseconds { '$($nodes.EndPoint -join "','")' | New-RedisCluster -ReplicasPerMaster 1 -Credential `$credential -TimeoutSeconds 300 -WarningAction SilentlyContinue }
"@)
            Stop-TestNode -Node $nodes
        }
    }
} finally {
    Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue
    Stop-TestNode
}

$ours = Get-Median $rows.Ours; $theirs = Get-Median $rows.Theirs
$oursSettled = Get-Median $rows.OursSettled; $theirsSettled = Get-Median $rows.TheirsSettled
[pscustomobject]@{
    Benchmark                 = "Create $Masters+$Masters cluster (cluster-node-timeout $NodeTimeoutMs)"
    Iterations                = $Iterations
    'Usable: RedisCluster ms' = [Math]::Round($ours)
    'Usable: redis-cli ms'    = [Math]::Round($theirs)
    'Usable: ratio'           = [Math]::Round($theirs / $ours, 2)
    'Settled: RedisCluster ms' = [Math]::Round($oursSettled)
    'Settled: redis-cli ms'   = [Math]::Round($theirsSettled)
    'Settled: ratio'          = [Math]::Round($theirsSettled / $oursSettled, 2)
    'redis-cli exits ms'      = [Math]::Round((Get-Median $rows.TheirsExit))
    'Baseline build usable ms' = if ($rows.Baseline) { [Math]::Round((Get-Median $rows.Baseline)) } else { $null }
}
