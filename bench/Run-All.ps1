<#
.SYNOPSIS
    Runs every benchmark against the built module and prints their tables; with -BaselineModulePath,
    each also times that other build (an earlier commit) in the same run.
#>
param([string] $ModulePath, [string] $BaselineModulePath)
$ErrorActionPreference = 'Stop'
$runs = @(
    @{ Name = 'ClusterCreate'; Arguments = @{ NodeTimeoutMs = 1000 } },
    @{ Name = 'ClusterCreate'; Arguments = @{ NodeTimeoutMs = 5000 } },
    @{ Name = 'ClusterCreate'; Arguments = @{ NodeTimeoutMs = 5000; Masters = 30; Iterations = 1 } },
    @{ Name = 'NodeListLatency'; Arguments = @{} },
    @{ Name = 'ClusterCheck'; Arguments = @{} },
    @{ Name = 'AddNode'; Arguments = @{} },
    @{ Name = 'Reshard'; Arguments = @{} },
    @{ Name = 'Failover'; Arguments = @{} },
    @{ Name = 'ImportCost'; Arguments = @{} }
)
foreach ($run in $runs) {
    Write-Host "== $($run.Name)" -ForegroundColor Cyan
    $arguments = $run.Arguments
    if ($BaselineModulePath) { $arguments.BaselineModulePath = $BaselineModulePath }
    & (Join-Path $PSScriptRoot "$($run.Name).ps1") -ModulePath $ModulePath @arguments 3>$null | Format-List | Out-Host
}
