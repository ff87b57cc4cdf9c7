<#
.SYNOPSIS
    What Import-Module RedisCluster costs in a fresh pwsh, what the first use without a node adds
    (Get-RedisKeySlot), and what the first connection adds (Get-RedisClusterNode against a running node,
    which loads the engine and StackExchange.Redis into the private load context and connects), measured
    inside each process; plus the working set beside a bare pwsh. -BaselineModulePath runs the same probe
    against another build (an earlier commit) in the same run, alternating, for a before/after table.
#>
param([string] $ModulePath, [string] $BaselineModulePath, [int] $Iterations = 10)
$ErrorActionPreference = 'Stop'
if (-not $ModulePath) { $ModulePath = Join-Path $PSScriptRoot '../out/RedisCluster/RedisCluster.psd1' }
$ModulePath = (Resolve-Path $ModulePath).Path
. (Join-Path $PSScriptRoot 'BenchCommon.ps1') -ModulePath $ModulePath
$pwsh = Join-Path $PSHOME 'pwsh'
$workingSet = '[Math]::Round([Diagnostics.Process]::GetCurrentProcess().WorkingSet64 / 1MB, 1)'

function Get-Probe([string] $Module, [string] $EndPoint) {
    @"
`$import = (Measure-Command { Import-Module '$Module' }).TotalMilliseconds
`$firstUse = (Measure-Command { `$null = Get-RedisKeySlot -Key foo }).TotalMilliseconds
`$firstConnection = (Measure-Command { `$null = Get-RedisClusterNode -EndPoint '$EndPoint' }).TotalMilliseconds
'{0};{1};{2};{3}' -f `$import, `$firstUse, `$firstConnection, $workingSet
"@
}

$builds = [ordered]@{ 'this build' = $ModulePath }
if ($BaselineModulePath) { $builds['baseline'] = (Resolve-Path $BaselineModulePath).Path }
$node = Start-TestNode
try {
    $bareMemory = [double](& $pwsh -NoProfile -NonInteractive -Command $workingSet)
    $samples = @{}
    foreach ($name in $builds.Keys) {
        $samples[$name] = [System.Collections.Generic.List[object]]::new()
        $null = & $pwsh -NoProfile -NonInteractive -Command (Get-Probe $builds[$name] $node.EndPoint)   # warm-up: disk cache
    }
    foreach ($i in 1..$Iterations) {
        foreach ($name in $builds.Keys) {
            $import, $firstUse, $firstConnection, $memory = (& $pwsh -NoProfile -NonInteractive -Command (Get-Probe $builds[$name] $node.EndPoint)) -split ';'
            $samples[$name].Add([pscustomobject]@{ Import = [double]$import; FirstUse = [double]$firstUse; FirstConnection = [double]$firstConnection; Memory = [double]$memory })
        }
    }
} finally { Stop-TestNode }

foreach ($name in $builds.Keys) {
    [pscustomobject]@{
        Benchmark                  = "Import-Module RedisCluster in a fresh pwsh ($name)"
        Runs                       = $Iterations
        'Import-Module ms'         = [Math]::Round((Get-Median $samples[$name].Import), 1)
        'First use ms'             = [Math]::Round((Get-Median $samples[$name].FirstUse), 1)
        'First connection ms'      = [Math]::Round((Get-Median $samples[$name].FirstConnection), 1)
        'Bare pwsh working set MB' = $bareMemory
        'After first connection MB' = Get-Median $samples[$name].Memory
    }
}
