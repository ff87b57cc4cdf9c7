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

# Runs $Body in a child pwsh with the build at $ModulePath loaded (a binary module cannot be loaded twice in one
# process, so another build is timed this way) and returns the last line it writes. The body has this file's
# functions and $credential for $Password, which reaches the child by environment, never on a command line.
function Invoke-InBuild([string] $ModulePath, [string] $Password, [string] $Body) {
    $env:REDISCLUSTER_BENCH_PASSWORD = $Password
    try {
        & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command @"
. '$(Join-Path $PSScriptRoot 'BenchCommon.ps1')' -ModulePath '$((Resolve-Path $ModulePath).Path)' | Out-Null
`$credential = New-BenchCredential `$env:REDISCLUSTER_BENCH_PASSWORD
$Body
"@ | Select-Object -Last 1
    } finally {
        Remove-Item Env:REDISCLUSTER_BENCH_PASSWORD -ErrorAction SilentlyContinue
    }
}

# Waits until the machine is idle (under 10% of all cores busy for a whole second, from /proc/stat), at most
# $TimeoutSeconds, and returns the seconds waited: a side timed while the previous side's or the data load's
# leftovers (redis-server's background work after a bulk load, a child pwsh still closing) use the cores would pay
# for them.
function Wait-MachineIdle([double] $TimeoutSeconds = 30) {
    function Read-CpuTicks {
        $fields = ((Get-Content /proc/stat -TotalCount 1) -split '\s+')[1..8] | ForEach-Object { [long]$_ }
        # user nice system idle iowait irq softirq steal: idle and iowait count as idle.
        $total = ($fields | Measure-Object -Sum).Sum
        [pscustomobject]@{ Busy = $total - $fields[3] - $fields[4]; Total = $total }
    }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $since = Read-CpuTicks
    $quietSince = $watch.Elapsed
    while ($watch.Elapsed.TotalSeconds -lt $TimeoutSeconds) {
        Start-Sleep -Milliseconds 250
        $now = Read-CpuTicks
        $total = $now.Total - $since.Total
        if ($total -le 0 -or ($now.Busy - $since.Busy) / $total -ge 0.10) { $quietSince = $watch.Elapsed }
        elseif (($watch.Elapsed - $quietSince).TotalSeconds -ge 1) { break }
        $since = $now
    }
    $watch.Elapsed.TotalSeconds
}
