<#
.SYNOPSIS
    Moving 4096 slots (about 250,000 keys) from three masters to a new empty one: redis-cli --cluster reshard
    (default, and with --cluster-pipeline 1000) beside the module's slot-migration engine, on identical clusters of
    1,000,000 keys of 64 bytes with no replicas, alternating, in one run.
.DESCRIPTION
    Each iteration builds three identical clusters (3 masters holding the keys, plus 1 empty master joined), one per
    side, and runs the three sides in a rotating order. Timed per side:
    redis-cli - the whole `redis-cli --cluster reshard --cluster-from all --cluster-to <new> --cluster-slots 4096
                --cluster-yes` process (it reads the cluster, plans and moves);
    module    - in a child pwsh with the module loaded and warmed by one `Invoke-RedisReshard -WhatIf` (not timed),
                the whole `Invoke-RedisReshard -EndPoint <node> -TargetNodeId <new> -SlotCount 4096` (it connects,
                reads every node, checks the cluster, plans the same slots redis-cli takes and moves them).
    Before each side the bench waits until the machine is idle (the data load and the previous side leave background
    work behind), so no side pays for another's.
    Also printed: keys/s, the CPU-seconds the four redis-server processes used during the move (from
    /proc/<pid>/stat), and for the module the child process's CPU-seconds, its peak resident memory during the move
    (VmHWM, reset just before the move) and the managed bytes it allocated. After every move the bench checks that
    no key was lost: DBSIZE on the four masters sums to the keys loaded, the new master holds exactly the keys of
    the slots it was given, every node agrees it owns exactly those slots, and no slot is left open.
#>
param(
    [string] $ModulePath,
    [int] $Iterations = 3,
    [int] $KeyCount = 1000000,
    [int] $ValueBytes = 64,
    [int] $SlotCount = 4096,
    # The module's tunables (SlotMigrationOptions); 0 keeps the engine's default.
    [int] $KeysPerBatch = 0,
    [int] $SlotsPerGroup = 0,
    # Which sides to time (all three by default): the module alone is handy to compare its own settings.
    [ValidateSet('Default', 'Pipeline', 'Module')] [string[]] $Side = @('Default', 'Pipeline', 'Module'),
    # Another build (an earlier commit), timed as a fourth side on an identical cluster in the same run.
    [string] $BaselineModulePath
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1') -ModulePath $ModulePath
$password = "bench-$(Get-Random)"
$none = [Threading.CancellationToken]::None

# The load: SET commands in RESP, one file per master's slot range of a fresh 3-master cluster (redis-cli's split),
# so each master gets its own keys through redis-cli --pipe with no redirection. Written once per run.
Add-Type -TypeDefinition @'
using System.IO;
using System.Text;
public static class ReshardBenchData
{
    // Redis's CRC16 (XMODEM) of the whole key, modulo 16384: these keys carry no hash tag.
    private static int SlotOf(string key)
    {
        int crc = 0;
        foreach (char c in key)
        {
            crc ^= c << 8;
            for (int bit = 0; bit < 8; bit++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
        }
        return crc & 16383;
    }

    public static int[] Write(string directory, int keyCount, int valueBytes)
    {
        var perSlot = new int[16384];
        var files = new BufferedStream[3];
        for (int i = 0; i < 3; i++) files[i] = new BufferedStream(File.Create(Path.Combine(directory, "master" + i + ".resp")), 1 << 20);
        var value = new string('v', valueBytes);
        for (int n = 0; n < keyCount; n++)
        {
            string key = "key:" + n.ToString("D8");
            int slot = SlotOf(key);
            perSlot[slot]++;
            int owner = slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2;
            var command = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$" + key.Length + "\r\n" + key + "\r\n$" + value.Length + "\r\n" + value + "\r\n");
            files[owner].Write(command, 0, command.Length);
        }
        foreach (var file in files) file.Dispose();
        return perSlot;
    }
}
'@
$dataDir = Join-Path ([IO.Path]::GetTempPath()) "reshard-bench-$PID"
$null = New-Item -ItemType Directory -Force $dataDir
$keysPerSlot = [ReshardBenchData]::Write($dataDir, $KeyCount, $ValueBytes)

function Get-ProcessCpuSeconds([int[]] $ProcessId) {
    # utime + stime (fields 14 and 15 after the command name) in clock ticks of 1/100 s.
    $ticks = 0
    foreach ($id in $ProcessId) {
        $text = [IO.File]::ReadAllText("/proc/$id/stat")
        $fields = $text.Substring($text.LastIndexOf(')') + 2).Split(' ')
        $ticks += [long]$fields[11] + [long]$fields[12]
    }
    $ticks / 100.0
}

function New-BenchCluster {
    # 3 masters with the keys (made by redis-cli), then an empty fourth master joined by CLUSTER MEET.
    $masters = @(New-TestCluster -Masters 3 -ReplicasPerMaster 0 -Password $password)
    $views = Get-TestNodeView $masters[0].EndPoint $password
    foreach ($master in $masters) {
        $first = [int]((($views | Where-Object EndPoint -eq $master.EndPoint).Slots[0]) -split '-')[0]
        $index = if ($first -le 5460) { 0 } elseif ($first -le 10922) { 1 } else { 2 }
        $env:REDISCLI_AUTH = $password
        try {
            $out = & bash -c "redis-cli --no-auth-warning -h $($master.Host) -p $($master.Port) --pipe < '$dataDir/master$index.resp'" 2>&1
        } finally { Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue }
        if ($LASTEXITCODE -ne 0 -or -not ($out -match 'errors: 0,')) { throw "loading $($master.EndPoint) failed: $($out | Select-Object -Last 2)" }
    }
    $empty = Start-TestNode -Password $password
    $null = Invoke-RedisCli $empty.EndPoint $password CLUSTER MEET $masters[0].Host $masters[0].Port
    $nodes = @($masters) + $empty
    Wait-TestClusterOk -Node $nodes -Replicas 0 -TimeoutSeconds 60
    $total = 0
    foreach ($n in $masters) { $total += [long](Invoke-RedisCli $n.EndPoint $password DBSIZE) }
    if ($total -ne $KeyCount) { throw "the cluster holds $total keys after loading, not $KeyCount" }
    [pscustomobject]@{ Nodes = $nodes; Target = $empty; TargetId = (Invoke-RedisCli $empty.EndPoint $password CLUSTER MYID) }
}

# Every key kept: the four masters hold all the keys loaded, every node sees the new master owning the same SlotCount
# slots, the new master holds exactly the keys of those slots (the load knows how many each slot has), and no slot is
# left open anywhere. Returns how many keys moved.
function Assert-EveryKeyKept($Cluster) {
    $total = 0
    foreach ($n in $Cluster.Nodes) { $total += [long](Invoke-RedisCli $n.EndPoint $password DBSIZE) }
    if ($total -ne $KeyCount) { throw "after the move the cluster holds $total keys, not $KeyCount" }
    $owned = Get-SlotSet (Get-TestNodeView $Cluster.Target.EndPoint $password | Where-Object Id -eq $Cluster.TargetId).Slots
    if ($owned.Count -ne $SlotCount) { throw "the new master owns $($owned.Count) slots, not $SlotCount" }
    foreach ($n in $Cluster.Nodes) {
        $view = Get-TestNodeView $n.EndPoint $password
        if (-not (Get-SlotSet ($view | Where-Object Id -eq $Cluster.TargetId).Slots).SetEquals($owned)) { throw "$($n.EndPoint) disagrees on the new master's slots" }
        if ($view.Open) { throw "$($n.EndPoint) has a slot left open: $($view.Open)" }
    }
    $moved = 0
    foreach ($s in $owned) { $moved += $keysPerSlot[$s] }
    $onTarget = [long](Invoke-RedisCli $Cluster.Target.EndPoint $password DBSIZE)
    if ($onTarget -ne $moved) { throw "the new master holds $onTarget keys, not the $moved of its slots" }
    $moved
}

function Invoke-RedisCliReshard($Cluster, [string[]] $Extra) {
    $env:REDISCLI_AUTH = $password
    try {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $out = & redis-cli --no-auth-warning --cluster reshard $Cluster.Nodes[0].EndPoint --cluster-from all --cluster-to $Cluster.TargetId `
            --cluster-slots $SlotCount --cluster-yes @Extra 2>&1
        $seconds = $watch.Elapsed.TotalSeconds
        if ($LASTEXITCODE -ne 0) { throw "redis-cli reshard failed: $($out | Select-Object -Last 5)" }
    } finally { Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue }
    @{ Seconds = $seconds }
}

function Invoke-ModuleReshard($Cluster, [string] $Build = $script:ModulePath) {
    $tuning = ''
    if ($KeysPerBatch) { $tuning += " -KeysPerBatch $KeysPerBatch" }
    if ($SlotsPerGroup) { $tuning += " -SlotsPerGroup $SlotsPerGroup" }
    $json = Invoke-InBuild $Build $password @"
`$reshard = @{ EndPoint = '$($Cluster.Nodes[0].EndPoint)'; Credential = `$credential; TargetNodeId = '$($Cluster.TargetId)'; SlotCount = $SlotCount }
# Warm the JIT and the thread pool the way a second cmdlet call in a session finds them: not timed. -WhatIf reads the
# cluster, checks it and plans, and moves nothing.
`$null = Invoke-RedisReshard @reshard -WhatIf 6>&1
[GC]::Collect()
`$self = [Diagnostics.Process]::GetCurrentProcess()
[IO.File]::WriteAllText('/proc/self/clear_refs', '5')
`$rssBefore = [long]((Select-String -Path /proc/self/status -Pattern '^VmRSS:\s+(\d+)').Matches[0].Groups[1].Value)
`$allocated = [GC]::GetTotalAllocatedBytes(`$true)
`$cpu = `$self.TotalProcessorTime
`$jit = [Runtime.JitInfo]::GetCompilationTime(`$false)
`$jitted = [Runtime.JitInfo]::GetCompiledMethodCount(`$false)
`$watch = [Diagnostics.Stopwatch]::StartNew()
# The cmdlet as an operator runs it: it connects, reads every node, checks the cluster, plans and moves.
`$result = Invoke-RedisReshard @reshard$tuning -Confirm:`$false
`$seconds = `$watch.Elapsed.TotalSeconds
`$self.Refresh()
`$peak = [long]((Select-String -Path /proc/self/status -Pattern '^VmHWM:\s+(\d+)').Matches[0].Groups[1].Value)
[pscustomobject]@{
    Seconds = `$seconds; EngineSeconds = `$result.Duration.TotalSeconds; Keys = `$result.KeysMoved; Slots = `$result.SlotsMoved; Issues = `$result.Issues.Count
    CpuSeconds = (`$self.TotalProcessorTime - `$cpu).TotalSeconds
    JitSeconds = ([Runtime.JitInfo]::GetCompilationTime(`$false) - `$jit).TotalSeconds
    MethodsJitted = [Runtime.JitInfo]::GetCompiledMethodCount(`$false) - `$jitted
    RssBeforeMB = `$rssBefore / 1024; PeakRssMB = `$peak / 1024
    AllocatedMB = ([GC]::GetTotalAllocatedBytes(`$true) - `$allocated) / 1MB
} | ConvertTo-Json -Compress
"@
    $row = $json | ConvertFrom-Json
    if ($row.Slots -ne $SlotCount -or $row.Issues -ne 0) { throw "the module moved $($row.Slots) slots with $($row.Issues) issue(s)" }
    @{ Seconds = $row.Seconds; Module = $row }
}

$sides = [ordered]@{}
if ($Side -contains 'Default') { $sides['redis-cli default'] = { param($c) Invoke-RedisCliReshard $c @() } }
if ($Side -contains 'Pipeline') { $sides['redis-cli pipeline 1000'] = { param($c) Invoke-RedisCliReshard $c @('--cluster-pipeline', '1000') } }
if ($Side -contains 'Module') { $sides['RedisCluster'] = { param($c) Invoke-ModuleReshard $c } }
if ($BaselineModulePath) { $sides['Baseline build'] = { param($c) Invoke-ModuleReshard $c $BaselineModulePath } }
$names = @($sides.Keys)
$rows = @{}
foreach ($name in $names) { $rows[$name] = [Collections.Generic.List[object]]::new() }
try {
    for ($i = 0; $i -lt $Iterations; $i++) {
        $clusters = @{}
        foreach ($name in $names) { $clusters[$name] = New-BenchCluster }
        # Nodes that just joined sit in fail for about two seconds; real clusters have been up longer.
        Start-Sleep -Seconds 2
        foreach ($k in 0..($names.Count - 1)) {
            $name = $names[($i + $k) % $names.Count]
            $cluster = $clusters[$name]
            $processIds = @($cluster.Nodes.ProcessId)
            $idleWait = Wait-MachineIdle
            $cpuBefore = Get-ProcessCpuSeconds $processIds
            $run = & $sides[$name] $cluster
            $run.RedisCpuSeconds = (Get-ProcessCpuSeconds $processIds) - $cpuBefore
            $script:MovedKeys = Assert-EveryKeyKept $cluster
            $rows[$name].Add($run)
            $line = "iteration {0} {1,-24} {2,6:0.00} s  redis CPU {3,5:0.00} s  (machine idle after {4:0.0} s)" -f ($i + 1), $name, $run.Seconds, $run.RedisCpuSeconds, $idleWait
            if ($run.Module) { $line += "  module CPU {0,5:0.00} s, JIT {1,4:0.00} s for {2} methods, engine {3:0.00} s" -f $run.Module.CpuSeconds, $run.Module.JitSeconds, $run.Module.MethodsJitted, $run.Module.EngineSeconds }
            Write-Host $line
        }
        foreach ($c in $clusters.Values) { Stop-TestNode -Node $c.Nodes }
    }
} finally {
    Stop-TestNode
    Remove-Item $dataDir -Recurse -Force -ErrorAction SilentlyContinue
}

function Get-RowMedian([string] $Name, [scriptblock] $Value) {
    if ($rows.Contains($Name) -and $rows[$Name].Count) { Get-Median @($rows[$Name] | ForEach-Object $Value) }
}
function Get-Rounded($Value, [int] $Digits = 2) { if ($null -ne $Value) { [Math]::Round($Value, $Digits) } }
function Get-Ratio($Theirs, $Ours) { if ($Theirs -and $Ours) { [Math]::Round($Theirs / $Ours, 2) } }

$default = Get-RowMedian 'redis-cli default' { $_.Seconds }
$pipeline = Get-RowMedian 'redis-cli pipeline 1000' { $_.Seconds }
$ours = Get-RowMedian 'RedisCluster' { $_.Seconds }
[pscustomobject]([ordered]@{
    Benchmark                         = "Reshard $SlotCount slots ($script:MovedKeys keys of $ValueBytes B) from 3 masters to a new one, cluster of $KeyCount keys"
    Iterations                        = $Iterations
    'redis-cli default s'             = Get-Rounded $default
    'redis-cli pipeline 1000 s'       = Get-Rounded $pipeline
    'RedisCluster s'                  = Get-Rounded $ours
    'ratio vs default'                = Get-Ratio $default $ours
    'ratio vs pipeline 1000'          = Get-Ratio $pipeline $ours
    'keys/s default'                  = if ($default) { Get-Rounded ($script:MovedKeys / $default) 0 }
    'keys/s pipeline 1000'            = if ($pipeline) { Get-Rounded ($script:MovedKeys / $pipeline) 0 }
    'keys/s RedisCluster'             = if ($ours) { Get-Rounded ($script:MovedKeys / $ours) 0 }
    'redis CPU s default'             = Get-Rounded (Get-RowMedian 'redis-cli default' { $_.RedisCpuSeconds })
    'redis CPU s pipeline 1000'       = Get-Rounded (Get-RowMedian 'redis-cli pipeline 1000' { $_.RedisCpuSeconds })
    'redis CPU s RedisCluster'        = Get-Rounded (Get-RowMedian 'RedisCluster' { $_.RedisCpuSeconds })
    'module CPU s'                    = Get-Rounded (Get-RowMedian 'RedisCluster' { $_.Module.CpuSeconds })
    'module JIT s'                    = Get-Rounded (Get-RowMedian 'RedisCluster' { $_.Module.JitSeconds })
    'module RSS before move MB'       = Get-Rounded (Get-RowMedian 'RedisCluster' { $_.Module.RssBeforeMB }) 0
    'module peak RSS during move MB'  = Get-Rounded (Get-RowMedian 'RedisCluster' { $_.Module.PeakRssMB }) 0
    'module allocated during move MB' = Get-Rounded (Get-RowMedian 'RedisCluster' { $_.Module.AllocatedMB }) 0
    'Baseline build s'                = Get-Rounded (Get-RowMedian 'Baseline build' { $_.Seconds })
    'every key kept'                  = $true
})
