<#
.SYNOPSIS
    Runs every benchmark against the built module and prints their tables.
#>
param([string] $ModulePath)
$ErrorActionPreference = 'Stop'
foreach ($bench in 'ClusterCreate', 'NodeListLatency', 'ImportCost') {
    Write-Host "== $bench" -ForegroundColor Cyan
    & (Join-Path $PSScriptRoot "$bench.ps1") -ModulePath $ModulePath 3>$null | Format-List | Out-Host
}
