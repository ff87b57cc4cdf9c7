<#
.SYNOPSIS
    Kills a reshard at random moments and checks that Repair-RedisCluster heals with every key: the module's process
    killed (kill -9) at -ProcessKills random moments, and the source master and the target master (each with a replica
    that takes over) killed -MasterKills times each. Prints a tally per scenario: runs healed, keys lost, keys found
    twice, repairs that failed. Not part of the test suite (it takes minutes); the suite kills at fixed stop points.
.EXAMPLE
    dotnet pwsh bench/soak/RepairSoak.ps1 -ProcessKills 10 -MasterKills 5
#>
param(
    [int] $ProcessKills = 10,
    [int] $MasterKills = 5,
    [int] $Keys = 20000,
    [int] $SlotsPerMove = 1500,
    [string] $ModulePath
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../BenchCommon.ps1') -ModulePath $ModulePath

function Start-Reshard([string] $EndPoint, [string] $TargetId, [string] $Slots, [string] $Log) {
    # The module in its own process, moving slowly enough (small batches and groups) to be caught mid-move.
    $command = "Import-Module '$ModulePath'; Invoke-RedisReshard -EndPoint $EndPoint -TargetNodeId $TargetId -Slot $Slots -KeysPerBatch 10 -SlotsPerGroup 16 -Confirm:`$false"
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
    Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -ArgumentList '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded -PassThru `
        -RedirectStandardOutput $Log -RedirectStandardError "$Log.err"
}

function Get-OpenMarkerCount([object[]] $Node) {
    # MIGRATING/IMPORTING markers on the nodes' own lines.
    $lines = foreach ($n in $Node) { Invoke-RedisCli $n.EndPoint '' CLUSTER NODES | Where-Object { $_ -match 'myself' } }
    @($lines | ForEach-Object { $_ -split ' ' } | Where-Object { $_ -match '^\[' }).Count
}

function Wait-MoveStarted([object[]] $Node, [System.Diagnostics.Process] $Child) {
    # Until some node shows an open slot (or the child is gone).
    Wait-Until -TimeoutSeconds 60 -IntervalMilliseconds 20 -Because 'the reshard opens its first slots' {
        $Child.HasExited -or (Get-OpenMarkerCount $Node) -gt 0
    }
}

function Get-Tally([object[]] $Node, [hashtable] $Data) {
    # Every key on every live master, with its value: what is missing, found twice, or changed.
    $found = @{}
    $twice = 0
    foreach ($n in $Node) {
        $own = Invoke-RedisCli $n.EndPoint '' CLUSTER NODES | Where-Object { $_ -match 'myself' }
        if ($own -notmatch 'master') { continue }
        $keys = @(Invoke-RedisCli $n.EndPoint '' --scan)
        if ($keys.Count -eq 0) { continue }
        $values = @(Invoke-RedisCli $n.EndPoint '' -InputLines ($keys | ForEach-Object { "GET `"$_`"" }))
        for ($i = 0; $i -lt $keys.Count; $i++) {
            if ($found.ContainsKey($keys[$i])) { $twice++ }
            $found[$keys[$i]] = $values[$i]
        }
    }
    $lost = @($Data.Keys | Where-Object { -not $found.ContainsKey($_) }).Count
    $changed = @($Data.Keys | Where-Object { $found.ContainsKey($_) -and $found[$_] -ne $Data[$_] }).Count
    [pscustomobject]@{ Lost = $lost; Twice = $twice; Changed = $changed }
}

function Invoke-Round([string] $Scenario, [object[]] $Node, [hashtable] $Data, [int] $Run) {
    $live = @($Node | Where-Object { Test-Path "/proc/$($_.ProcessId)" })
    $view = @(Invoke-RedisCli $live[0].EndPoint '' CLUSTER NODES)
    $masters = @($view | Where-Object { $_ -match ' master ' -and $_ -notmatch 'fail' } |
        ForEach-Object { $f = $_ -split ' '; [pscustomobject]@{ Id = $f[0]; EndPoint = ($f[1] -split '@')[0]; Slots = @($f | Select-Object -Skip 8 | Where-Object { $_ -notmatch '^\[' }) } } |
        Where-Object { $_.Slots.Count -gt 0 } | Sort-Object { Get-Random })
    # The master to be killed needs a replica to take over. Moves reshape the cluster from round to round: a master
    # that gave away its last slot becomes a replica of the receiver, with its own replicas, so some masters end up
    # with none; killing one of those loses its keys with it, which no repair can bring back.
    $replicated = @($masters | Where-Object { $id = $_.Id; @($view | Where-Object { ($_ -split ' ')[3] -eq $id -and $_ -match 'slave' -and $_ -notmatch 'fail' }).Count -gt 0 })
    $victim = if ($Scenario -eq 'process') { $masters[0] } else { $replicated[0] }
    $other = @($masters | Where-Object Id -ne $victim.Id)[0]
    $source, $target = if ($Scenario -eq 'target master') { $other, $victim } else { $victim, $other }
    # A range from the source's lowest slot: slots in it that others own move too (the reshard takes named slots
    # from whoever owns them), those the target owns are skipped.
    $owned = Get-SlotSet $source.Slots
    $first = ($owned | Measure-Object -Minimum).Minimum
    $log = Join-Path ([IO.Path]::GetTempPath()) "repair-soak-$([guid]::NewGuid()).log"
    $child = Start-Reshard $live[0].EndPoint $target.Id "$first-$([Math]::Min(16383, $first + $SlotsPerMove - 1))" $log
    Wait-MoveStarted $live $child
    # A random moment of the move: a calibration round measured how long one lasts here.
    Start-Sleep -Milliseconds (Get-Random -Minimum 0 -Maximum ([Math]::Max(1, [int]($script:MoveSeconds * 900))))
    $killed = $null
    if ($Scenario -ne 'process') {
        $victimEndPoint = if ($Scenario -eq 'source master') { $source.EndPoint } else { $target.EndPoint }
        $killed = $Node | Where-Object EndPoint -eq $victimEndPoint
        Stop-Process -Id $killed.ProcessId -Force
    }
    Stop-Process -Id $child.Id -Force -ErrorAction SilentlyContinue
    $child.WaitForExit()
    Remove-Item $log, "$log.err" -ErrorAction SilentlyContinue
    $live = @($Node | Where-Object { $_ -ne $killed })
    $openAtKill = Get-OpenMarkerCount $live

    $repairError = $null
    $results = @()
    try {
        if ($killed) {
            # The dead master's replica takes over (cluster-node-timeout 2000 ms), then the repair runs.
            Wait-Until -TimeoutSeconds 30 -Because 'a replica takes over the killed master' {
                $view = Invoke-RedisCli $live[0].EndPoint '' CLUSTER NODES
                @($view | Where-Object { $_ -match "^\S+ $([regex]::Escape($killed.EndPoint))@" -and $_ -match 'fail' }).Count -eq 1 -and
                    -not @($view | Where-Object { $_ -match "^\S+ $([regex]::Escape($killed.EndPoint))@" -and ($_ -split ' ').Count -gt 8 })
            }
        }
        $results = @(Repair-RedisCluster -EndPoint $live[0].EndPoint -Confirm:$false -ErrorAction Stop -InformationAction Ignore)
    } catch {
        $repairError = $_.Exception.Message
    }
    $tally = Get-Tally $live $Data
    if ($killed) {
        # The killed master comes back (empty) as a replica of the one that replaced it, for the next round: only once
        # its first sync is over can it take over in turn, or a later round would kill a master whose replica is empty.
        Restart-TestNode $killed
        Wait-TestClusterOk -Node $Node -TimeoutSeconds 60 -Synced
    }
    [pscustomobject]@{
        Scenario = $Scenario; Run = $Run; OpenAtKill = $openAtKill; Repaired = (($results.Problem | Sort-Object -Unique) -join ',')
        KeysMoved = ($results | Measure-Object KeysMoved -Sum).Sum; CopiesDropped = ($results | Measure-Object CopiesDropped -Sum).Sum; Healed = (-not $repairError -and $tally.Lost -eq 0 -and $tally.Twice -eq 0 -and $tally.Changed -eq 0)
        Lost = $tally.Lost; Twice = $tally.Twice; Changed = $tally.Changed; RepairError = $repairError
    }
}

$nodes = @(New-TestCluster -Masters 3 -ReplicasPerMaster 1)
try {
    $data = @{}
    foreach ($i in 1..$Keys) { $data["soak:$i"] = "v$i-$(Get-Random)" }
    $null = Invoke-RedisCli $nodes[0].EndPoint '' -c -InputLines ($data.Keys | ForEach-Object { "SET $_ $($data[$_])" })
    # Calibration: one whole move, unkilled, from its first open slot to the child's exit.
    $masters = @(Get-TestNodeView $nodes[0].EndPoint | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 })
    $first = ((Get-SlotSet $masters[0].Slots) | Measure-Object -Minimum).Minimum
    $calibration = Start-Reshard $nodes[0].EndPoint $masters[1].Id "$first-$([Math]::Min(16383, $first + $SlotsPerMove - 1))" (Join-Path ([IO.Path]::GetTempPath()) "repair-soak-calibration.log")
    Wait-MoveStarted $nodes $calibration
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $calibration.WaitForExit()
    $script:MoveSeconds = $watch.Elapsed.TotalSeconds
    Remove-Item (Join-Path ([IO.Path]::GetTempPath()) "repair-soak-calibration.log*") -ErrorAction SilentlyContinue
    "One move of $SlotsPerMove slots takes $([Math]::Round($script:MoveSeconds, 1)) s here; kills land at random within it."

    $rounds = @(
        # (1..0 would run twice: a count of 0 runs none.)
        foreach ($run in @(1..$ProcessKills | Where-Object { $ProcessKills -gt 0 })) { Invoke-Round 'process' $nodes $data $run }
        foreach ($run in @(1..$MasterKills | Where-Object { $MasterKills -gt 0 })) { Invoke-Round 'source master' $nodes $data $run }
        foreach ($run in @(1..$MasterKills | Where-Object { $MasterKills -gt 0 })) { Invoke-Round 'target master' $nodes $data $run }
    )
    $rounds | Format-Table -AutoSize | Out-String | Write-Output
    $rounds | Group-Object Scenario | ForEach-Object {
        [pscustomobject]@{
            Scenario = $_.Name; Runs = $_.Count; KilledMidMove = @($_.Group | Where-Object OpenAtKill -gt 0).Count; Healed = @($_.Group | Where-Object Healed).Count
            KeysMoved = ($_.Group | Measure-Object KeysMoved -Sum).Sum; CopiesDropped = ($_.Group | Measure-Object CopiesDropped -Sum).Sum
            KeysLost = ($_.Group | Measure-Object Lost -Sum).Sum; KeysTwice = ($_.Group | Measure-Object Twice -Sum).Sum
            KeysChanged = ($_.Group | Measure-Object Changed -Sum).Sum; RepairErrors = @($_.Group | Where-Object RepairError).Count
        }
    } | Format-Table -AutoSize | Out-String | Write-Output
} finally {
    Stop-TestNode
}
