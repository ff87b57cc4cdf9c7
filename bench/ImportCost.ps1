<#
.SYNOPSIS
    What Import-Module RedisCluster costs in a fresh pwsh, and what the first use (which loads the
    engine and StackExchange.Redis into the private load context) adds, measured inside each process;
    plus the working set beside a bare pwsh.
#>
param([string] $ModulePath, [int] $Iterations = 10)
$ErrorActionPreference = 'Stop'
if (-not $ModulePath) { $ModulePath = Join-Path $PSScriptRoot '../out/RedisCluster/RedisCluster.psd1' }
$ModulePath = (Resolve-Path $ModulePath).Path
. (Join-Path $PSScriptRoot 'BenchCommon.ps1') -ModulePath $ModulePath
$pwsh = Join-Path $PSHOME 'pwsh'
$workingSet = '[Math]::Round([Diagnostics.Process]::GetCurrentProcess().WorkingSet64 / 1MB, 1)'
$probe = @"
`$import = (Measure-Command { Import-Module '$ModulePath' }).TotalMilliseconds
`$firstUse = (Measure-Command { `$null = Get-RedisKeySlot -Key foo }).TotalMilliseconds
'{0};{1};{2}' -f `$import, `$firstUse, $workingSet
"@

$bareMemory = [double](& $pwsh -NoProfile -NonInteractive -Command $workingSet)
$null = & $pwsh -NoProfile -NonInteractive -Command $probe   # warm-up: disk cache
$samples = foreach ($i in 1..$Iterations) {
    $import, $firstUse, $memory = (& $pwsh -NoProfile -NonInteractive -Command $probe) -split ';'
    [pscustomobject]@{ Import = [double]$import; FirstUse = [double]$firstUse; Memory = [double]$memory }
}
[pscustomobject]@{
    Benchmark                 = 'Import-Module RedisCluster in a fresh pwsh'
    Runs                      = $Iterations
    'Import-Module ms'        = [Math]::Round((Get-Median $samples.Import), 1)
    'First use ms'            = [Math]::Round((Get-Median $samples.FirstUse), 1)
    'Bare pwsh working set MB' = $bareMemory
    'After first use MB'      = Get-Median $samples.Memory
}
