<#
.SYNOPSIS
    Latency of reading the topology: Get-RedisClusterNode on a kept connection (warm) and with a
    connection per call (cold), beside redis-cli cluster nodes (a process per call, as scripts run it).
    -BaselineModulePath times this build and another one (an earlier commit) the same way, each in a child
    pwsh, alternating three times, on the same cluster in the same run: a before/after comparison.
#>
param([string] $ModulePath, [string] $BaselineModulePath, [int] $WarmIterations = 200, [int] $ColdIterations = 20)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1') -ModulePath $ModulePath
$password = "bench-$(Get-Random)"
$credential = New-BenchCredential $password

try {
    $nodes = New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $password
    $endPoint = $nodes[0].EndPoint
    $null = Connect-RedisCluster -EndPoint $endPoint -Credential $credential
    $null = Get-RedisClusterNode
    $warm = foreach ($i in 1..$WarmIterations) { Measure-Milliseconds { Get-RedisClusterNode } }
    $cold = foreach ($i in 1..$ColdIterations) { Measure-Milliseconds { Get-RedisClusterNode -EndPoint $endPoint -Credential $credential } }
    if ($BaselineModulePath) {
        # A binary module cannot be loaded twice in one process: for a fair before/after, both builds are
        # timed the same way, each in a child pwsh, alternating.
        function Measure-InChild([string] $Module) {
            $warm, $cold = (Invoke-InBuild $Module $password @"
`$null = Connect-RedisCluster -EndPoint '$endPoint' -Credential `$credential
foreach (`$i in 1..100) { `$null = Get-RedisClusterNode }
`$warm = foreach (`$i in 1..$WarmIterations) { Measure-Milliseconds { Get-RedisClusterNode } }
`$cold = foreach (`$i in 1..$ColdIterations) { Measure-Milliseconds { Get-RedisClusterNode -EndPoint '$endPoint' -Credential `$credential } }
(`$warm -join ',') + ';' + (`$cold -join ',')
"@) -split ';'
            [pscustomobject]@{ Warm = [double[]]($warm -split ','); Cold = [double[]]($cold -split ',') }
        }
        $children = @{ This = [System.Collections.Generic.List[object]]::new(); Baseline = [System.Collections.Generic.List[object]]::new() }
        foreach ($round in 1..3) {
            $children.This.Add((Measure-InChild $ModulePath))
            $children.Baseline.Add((Measure-InChild (Resolve-Path $BaselineModulePath).Path))
        }
    }
    $env:REDISCLI_AUTH = $password
    $cli = foreach ($i in 1..$WarmIterations) { Measure-Milliseconds { & redis-cli --no-auth-warning -h $nodes[0].Host -p $nodes[0].Port cluster nodes } }
} finally {
    Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue
    Disconnect-RedisCluster
    Stop-TestNode
}

$cliMedian = Get-Median $cli
foreach ($row in @(
        @{ Name = 'Get-RedisClusterNode (kept connection)'; Values = $warm },
        @{ Name = 'Get-RedisClusterNode -EndPoint (connect per call)'; Values = $cold },
        @{ Name = 'redis-cli cluster nodes (process per call)'; Values = $cli }) +
    $(if ($BaselineModulePath) {
            @{ Name = 'this build in child pwsh (kept connection)'; Values = $children.This.Warm },
            @{ Name = 'baseline in child pwsh (kept connection)'; Values = $children.Baseline.Warm },
            @{ Name = 'this build in child pwsh -EndPoint (connect per call)'; Values = $children.This.Cold },
            @{ Name = 'baseline in child pwsh -EndPoint (connect per call)'; Values = $children.Baseline.Cold }
        })) {
    $median = Get-Median $row.Values
    [pscustomobject]@{
        Benchmark          = $row.Name
        Calls              = $row.Values.Count
        'Median ms'        = [Math]::Round($median, 2)
        'p95 ms'           = [Math]::Round((Get-Percentile $row.Values 95), 2)
        'Ratio (cli/this)' = [Math]::Round($cliMedian / $median, 2)
    }
}
