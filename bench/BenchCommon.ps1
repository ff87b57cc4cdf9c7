# Shared by the benchmark scripts: the built module, the test fixture's node control, and statistics.
param([string] $ModulePath)
if (-not $ModulePath) { $ModulePath = Join-Path $PSScriptRoot '../out/RedisCluster/RedisCluster.psd1' }
$script:ModulePath = (Resolve-Path $ModulePath).Path
Import-Module $script:ModulePath
# Nodes are started and stopped (by PID) by the same fixture the tests use.
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers/RedisTestNodes.psm1')

function Get-Median([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[($sorted.Count - 1) / 2] }
    else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

function Get-Percentile([double[]] $Values, [double] $Percent) {
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[Math]::Max(0, [int][Math]::Ceiling($Percent / 100 * $sorted.Count) - 1)]
}

function Measure-Milliseconds([scriptblock] $Block) {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $null = & $Block
    $watch.Elapsed.TotalMilliseconds
}

function New-BenchCredential([string] $Password) {
    [pscredential]::new('default', (ConvertTo-SecureString $Password -AsPlainText -Force))
}
