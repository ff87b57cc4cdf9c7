<#
.SYNOPSIS
    Runs every benchmark against the built module and prints their tables.
#>
param([string] $ModulePath)
$ErrorActionPreference = 'Stop'
$runs = @(
    @{ Name = 'ClusterCreate'; Arguments = @{ NodeTimeoutMs = 1000 } },
    @{ Name = 'ClusterCreate'; Arguments = @{ NodeTimeoutMs = 5000 } },
    @{ Name = 'NodeListLatency'; Arguments = @{} },
    @{ Name = 'ImportCost'; Arguments = @{} }
)
foreach ($run in $runs) {
    Write-Host "== $($run.Name)" -ForegroundColor Cyan
    $arguments = $run.Arguments
    & (Join-Path $PSScriptRoot "$($run.Name).ps1") -ModulePath $ModulePath @arguments 3>$null | Format-List | Out-Host
}
