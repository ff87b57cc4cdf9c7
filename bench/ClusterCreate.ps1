<#
.SYNOPSIS
    Time to a ready six-node cluster (three masters, one replica each): New-RedisCluster beside
    redis-cli --cluster create. "Ready" is the same end state for both: every node reports
    cluster_state:ok, the same slot map, and every replica.
#>
param(
    [string] $ModulePath,
    [int] $Iterations = 3,
    # Both sides get the same nodes. Redis keeps a new master in cluster_state:fail for about its
    # node timeout (at most 5 s), which bounds how fast any tool can reach "ready".
    [int] $NodeTimeoutMs = 2000,
    # Another build (an earlier commit), timed in a child pwsh on identical nodes in the same run.
    [string] $BaselineModulePath
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1') -ModulePath $ModulePath
$password = "bench-$(Get-Random)"
$credential = New-BenchCredential $password

$ours = @(); $theirs = @(); $theirsExit = @(); $baseline = @()
try {
    foreach ($i in 1..$Iterations) {
        if ($BaselineModulePath) {
            $nodes = Start-TestNode -Count 6 -Password $password -Setting @{ 'cluster-node-timeout' = $NodeTimeoutMs }
            $env:REDISCLUSTER_BENCH_PASSWORD = $password
            $baseline += [double](& (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command @"
Import-Module '$((Resolve-Path $BaselineModulePath).Path)'
`$credential = [pscredential]::new('default', (ConvertTo-SecureString `$env:REDISCLUSTER_BENCH_PASSWORD -AsPlainText -Force))
`$watch = [Diagnostics.Stopwatch]::StartNew()
`$null = '$($nodes.EndPoint -join "','")' | New-RedisCluster -ReplicasPerMaster 1 -Credential `$credential
`$watch.Elapsed.TotalMilliseconds
"@ | Select-Object -Last 1)
            Remove-Item Env:REDISCLUSTER_BENCH_PASSWORD
            Stop-TestNode -Node $nodes
        }

        $nodes = Start-TestNode -Count 6 -Password $password -Setting @{ 'cluster-node-timeout' = $NodeTimeoutMs }
        $ours += Measure-Milliseconds { $nodes | New-RedisCluster -ReplicasPerMaster 1 -Credential $credential }
        Stop-TestNode -Node $nodes

        $nodes = Start-TestNode -Count 6 -Password $password -Setting @{ 'cluster-node-timeout' = $NodeTimeoutMs }
        $env:REDISCLI_AUTH = $password
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = & redis-cli --no-auth-warning --cluster create @($nodes.EndPoint) --cluster-replicas 1 --cluster-yes
        $theirsExit += $watch.Elapsed.TotalMilliseconds
        Remove-Item Env:REDISCLI_AUTH
        Wait-TestClusterOk -Node $nodes -Replicas 3
        $theirs += $watch.Elapsed.TotalMilliseconds
        Stop-TestNode -Node $nodes
    }
} finally {
    Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue
    Stop-TestNode
}

$oursMedian = Get-Median $ours
$theirsMedian = Get-Median $theirs
[pscustomobject]@{
    Benchmark            = "Create 3+3 cluster, to ready (cluster-node-timeout $NodeTimeoutMs)"
    Iterations           = $Iterations
    'RedisCluster ms'    = [Math]::Round($oursMedian)
    'redis-cli ms'       = [Math]::Round($theirsMedian)
    'redis-cli exits ms' = [Math]::Round((Get-Median $theirsExit))
    'Ratio (cli/ours)'   = [Math]::Round($theirsMedian / $oursMedian, 2)
    'Baseline build ms'  = if ($baseline) { [Math]::Round((Get-Median $baseline)) } else { $null }
}
