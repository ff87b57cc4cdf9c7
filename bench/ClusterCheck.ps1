<#
.SYNOPSIS
    Checking a cluster: Test-RedisCluster beside redis-cli --cluster check, on the same healthy cluster with keys
    loaded, at 6 nodes (3 masters + 3 replicas) and 60 nodes (30 + 30). Test-RedisCluster also counts every
    master's keys slot by slot (CLUSTER COUNTKEYSINSLOT for all 16384 slots, in scripts on the nodes) and reads every node's settings, which
    redis-cli's check does not; the figures are for the whole of each tool's work.
#>
param(
    [string] $ModulePath,
    [int] $Iterations = 5,
    [int[]] $NodeCount = @(6, 60),
    # Keys written through cluster routing before timing, so the per-slot key counts have something to count.
    [int] $Keys = 10000,
    # Another build (an earlier commit), timed in a child pwsh on the same cluster in the same run, if it has the cmdlet.
    [string] $BaselineModulePath
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1') -ModulePath $ModulePath
$password = "bench-$(Get-Random)"
$credential = New-BenchCredential $password

function Wait-ReplicasLinked([object[]] $Node) {
    Wait-Until -TimeoutSeconds 120 -IntervalMilliseconds 500 -Because 'every replica has its link up' {
        -not ($Node | Where-Object {
                $info = Invoke-RedisCli $_.EndPoint $password INFO replication
                ($info -match '^role:slave') -and -not ($info -match '^master_link_status:up')
            })
    }
}

function Measure-Baseline([string] $EndPoint) {
    if (-not $BaselineModulePath) { return $null }
    $output = Invoke-InBuild $BaselineModulePath $password @"
if (-not (Get-Command Test-RedisCluster -ErrorAction SilentlyContinue)) { 'none'; return }
`$null = Test-RedisCluster -EndPoint '$EndPoint' -Credential `$credential
Get-Median @(foreach (`$i in 1..$Iterations) { Measure-Milliseconds { Test-RedisCluster -EndPoint '$EndPoint' -Credential `$credential } })
"@
    if ($output -eq 'none') { 'no Test-RedisCluster' } else { [Math]::Round([double]$output) }
}

foreach ($count in $NodeCount) {
    $nodes = @(Start-TestNode -Count $count -Password $password)
    try {
        $env:REDISCLI_AUTH = $password
        $out = & redis-cli --no-auth-warning --cluster create @($nodes.EndPoint) --cluster-replicas 1 --cluster-yes 2>&1
        if ($LASTEXITCODE -ne 0) { throw "redis-cli --cluster create failed: $out" }
        Remove-Item Env:REDISCLI_AUTH
        Wait-TestClusterOk -Node $nodes -Replicas ($count / 2) -TimeoutSeconds 120
        if ($Keys -gt 0) {
            $null = Invoke-RedisCli $nodes[0].EndPoint $password -c -InputLines (1..$Keys | ForEach-Object { "SET bench:$_ v$_" })
        }
        Wait-ReplicasLinked $nodes
        $seed = $nodes[0].EndPoint

        # Each side once untimed, so neither pays for loading code the other has loaded already.
        $first = Measure-Milliseconds { Test-RedisCluster -EndPoint $seed -Credential $credential }
        $results = @(Test-RedisCluster -EndPoint $seed -Credential $credential)
        $problems = @($results | Where-Object { $_.Severity -ne 'Ok' -and $_.Check -ne 'SingleHost' })
        if ($problems) { Write-Warning "The benchmark cluster is not healthy: $($problems -join '; ')" }
        $env:REDISCLI_AUTH = $password
        $null = & redis-cli --no-auth-warning --cluster check $seed

        $ours = @(); $oursKept = @(); $theirs = @()
        $connection = Connect-RedisCluster -EndPoint $seed -Credential $credential
        $null = Test-RedisCluster -Connection $connection
        foreach ($i in 1..$Iterations) {
            $ours += Measure-Milliseconds { Test-RedisCluster -EndPoint $seed -Credential $credential }
            $oursKept += Measure-Milliseconds { Test-RedisCluster -Connection $connection }
            $theirs += Measure-Milliseconds { & redis-cli --no-auth-warning --cluster check $seed }
        }
        Disconnect-RedisCluster
        Remove-Item Env:REDISCLI_AUTH
        $baseline = Measure-Baseline $seed

        $oursMedian = Get-Median $ours
        $theirsMedian = Get-Median $theirs
        [pscustomobject]@{
            Benchmark                    = "Check a healthy $($count / 2)+$($count / 2) cluster with $Keys keys"
            Iterations                   = $Iterations
            'RedisCluster ms (-EndPoint)' = [Math]::Round($oursMedian)
            'RedisCluster ms (kept connection)' = [Math]::Round((Get-Median $oursKept))
            'RedisCluster first call ms' = [Math]::Round($first)
            'redis-cli --cluster check ms' = [Math]::Round($theirsMedian)
            'Ratio (cli/ours)'           = [Math]::Round($theirsMedian / $oursMedian, 2)
            'Under 1 s'                  = $oursMedian -lt 1000
            'Checks / findings'          = "$(@($results.Check | Select-Object -Unique).Count) / $(@($results | Where-Object Severity -ne 'Ok').Count)"
            'Baseline build ms'          = $baseline
        }
    } finally {
        Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue
        Stop-TestNode -Node $nodes
    }
}
