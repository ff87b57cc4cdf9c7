# Crashes during a slot move, made deterministic by the executor's test-only stop points: a child pwsh runs
# Invoke-RedisReshard with REDISCLUSTER_TEST_STOP_AT set, writes a marker file when it gets there and blocks; the test
# kills it (kill -9), and at the mid-slot point also kills the source master or the target master (their replicas
# take over). Repair-RedisCluster must then heal the cluster with every key readable exactly once.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    . (Join-Path $PSScriptRoot 'TestHelpers/SlotRepairHelpers.ps1')

    function Stop-ReshardAt {
        <#
        Starts Invoke-RedisReshard in a child pwsh that stops for good at $StopAt, waits until it is there, and
        kills it with SIGKILL. Returns the child's process id (already dead).
        #>
        param([string] $EndPoint, [string] $TargetId, [int[]] $Slot, [string] $StopAt)
        $marker = Join-Path ([IO.Path]::GetTempPath()) "repair-stop-$([guid]::NewGuid()).txt"
        $log = "$marker.log"
        $command = "Import-Module '$ModuleManifest'; Invoke-RedisReshard -EndPoint $EndPoint -TargetNodeId $TargetId -Slot $($Slot -join ',') -KeysPerBatch 10 -Confirm:`$false"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
        $child = Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -ArgumentList '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded -PassThru `
            -RedirectStandardOutput $log -RedirectStandardError "$log.err" `
            -Environment @{ REDISCLUSTER_TEST_STOP_AT = $StopAt; REDISCLUSTER_TEST_STOP_MARKER = $marker }
        try {
            Wait-Until { (Test-Path $marker) -or $child.HasExited } -Because "the reshard reaches $StopAt" -TimeoutSeconds 60
            if (-not (Test-Path $marker)) { throw "The reshard ended before $StopAt`: $(Get-Content $log, "$log.err" -Raw -ErrorAction SilentlyContinue)" }
            Get-Content $marker | Should -Be $StopAt
        } finally {
            Stop-Process -Id $child.Id -Force -ErrorAction SilentlyContinue
            $child.WaitForExit()
            Remove-Item $marker, $log, "$log.err" -ErrorAction SilentlyContinue
        }
    }

    function Get-TagsOf([object] $Master, [int] $Count, [string] $Prefix) {
        # Hash tags whose slots the master owns: the slots a test moves, each filled under its tag.
        $owned = Get-SlotSet $Master.Slots
        @(1..200 | ForEach-Object { "$Prefix$_" } | Where-Object { $owned.Contains((Get-Slot $_)) } | Select-Object -First $Count)
    }

    # One cluster of three masters with a replica each for the file, made once: the process kills leave it healed,
    # and the master kills, which must come last, need the replicas.
    $script:Nodes = @(New-TestCluster -Masters 3 -ReplicasPerMaster 1)
    $null = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint

    function Wait-Promoted([object] $Replica, [object[]] $Live) {
        # Until the replica is a master in its own view and every other live node lists it with slots.
        Wait-Until -TimeoutSeconds 30 -Because "$($Replica.EndPoint) takes over its dead master's slots" {
            (Get-OwnLine $Replica.EndPoint).IsMaster -and
                @($Live | Where-Object EndPoint -ne $Replica.EndPoint | Where-Object {
                    -not (Get-TestNodeView $_.EndPoint | Where-Object { $_.EndPoint -eq $Replica.EndPoint -and $_.IsMaster -and $_.Slots.Count -gt 0 })
                }).Count -eq 0
        }
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Repair-RedisCluster after the reshard process is killed' {
    It 'heals a reshard killed <StopAt>, the slots ending on the <EndsOn>' -ForEach @(
        @{ StopAt = 'AfterImporting'; EndsOn = 'source' }
        @{ StopAt = 'AfterMigrating'; EndsOn = 'target' }
        @{ StopAt = 'MidSlot'; EndsOn = 'target' }
        @{ StopAt = 'BetweenNodeSetSlots'; EndsOn = 'target' }
    ) {
        Clear-TestData $Nodes
        $masters = Get-Master $Nodes
        $source, $target = $masters[0], $masters[1]
        $tags = Get-TagsOf $source 3 $StopAt
        $data = (Write-TestData -Node $Nodes -Count 100 -Prefix $StopAt) + (Write-SlotData -Node $Nodes -Tag $tags -PerTag 40)
        $slots = @($tags | ForEach-Object { Get-Slot $_ } | Sort-Object -Unique)

        Stop-ReshardAt -EndPoint $Nodes[0].EndPoint -TargetId $target.Id -Slot $slots -StopAt $StopAt
        @(foreach ($n in $Nodes) { (Get-OwnLine $n.EndPoint).Open }).Count | Should -BeGreaterThan 0 -Because 'the killed reshard left markers'

        $results = @(Repair-RedisCluster)

        $results.Outcome | Sort-Object -Unique | Should -Be 'Repaired'
        $expected = if ($EndsOn -eq 'source') { $source.Id } else { $target.Id }
        foreach ($s in $slots) { (Get-OwnerOf $s $Nodes).Id | Should -Be $expected }
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }
}

Describe 'Repair-RedisCluster after a master is killed mid-slot' {
    BeforeAll {
        Clear-TestData $Nodes
        $script:Data = Write-TestData -Node $Nodes -Count 200 -Prefix 'steady'

        function Get-ReplicaOf([string] $MasterId) {
            $id = (Get-TestNodeView $Nodes[0].EndPoint | Where-Object MasterId -eq $MasterId).Id
            $Nodes | Where-Object { (Get-OwnLine $_.EndPoint).Id -eq $id }
        }
    }

    It 'refuses while the killed source owns slots (nothing changed), then heals once its replica took over: the target keeps its copies' {
        $masters = Get-Master $Nodes
        $sourceLine, $targetLine = $masters[0], $masters[1]
        $source = $Nodes | Where-Object EndPoint -eq $sourceLine.EndPoint
        $replica = Get-ReplicaOf $sourceLine.Id
        $tags = Get-TagsOf $sourceLine 3 'lost-source'
        $script:Data += Write-SlotData -Node $Nodes -Tag $tags -PerTag 40
        $null = Invoke-RedisCli $source.EndPoint '' WAIT 1 5000
        $null = Invoke-RedisCli $replica.EndPoint '' CONFIG SET cluster-replica-no-failover yes
        $slots = @($tags | ForEach-Object { Get-Slot $_ } | Sort-Object -Unique)

        Stop-ReshardAt -EndPoint $Nodes[0].EndPoint -TargetId $targetLine.Id -Slot $slots -StopAt MidSlot
        Stop-TestNode $source
        $live = @($Nodes | Where-Object EndPoint -ne $source.EndPoint)
        Wait-Until -TimeoutSeconds 20 -Because 'the cluster flags the killed source as failed' {
            Get-TestNodeView $live[0].EndPoint | Where-Object { $_.Id -eq $sourceLine.Id -and $_.Flags -contains 'fail' }
        }

        # Its slots have no reachable owner yet: refused before anything changes.
        $before = Get-TestNodeState $live
        $err = Get-ErrorRecord { Repair-RedisCluster }
        $err.FullyQualifiedErrorId | Should -Be 'SlotOwnerUnreachable,RedisCluster.Commands.RepairRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        Get-TestNodeState $live | Should -Be $before

        $null = Invoke-RedisCli $replica.EndPoint '' CONFIG SET cluster-replica-no-failover no
        Wait-Promoted $replica $live

        $results = @(Repair-RedisCluster)

        $results.Outcome | Sort-Object -Unique | Should -Be 'Repaired'
        $results.Problem | Should -Contain 'SourceLost'
        ($results | Where-Object Problem -eq 'SourceLost').OwnerId | Sort-Object -Unique | Should -Be $targetLine.Id
        $script:Nodes = $live
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $Data
    }

    It 'heals the target master killed mid-slot: the owner takes back the keys its replica holds' {
        # A master killed earlier (slotless now) keeps a reshard from starting: the live nodes forget it first.
        $dead = @(Get-TestNodeView $Nodes[0].EndPoint | Where-Object { $_.Flags -contains 'fail' })
        foreach ($n in $Nodes) { foreach ($d in $dead) { $null = Invoke-RedisCli $n.EndPoint '' CLUSTER FORGET $d.Id } }
        $masters = @(Get-Master $Nodes | Where-Object { Get-ReplicaOf $_.Id })
        $sourceLine, $targetLine = $masters[0], $masters[1]
        $target = $Nodes | Where-Object EndPoint -eq $targetLine.EndPoint
        $replica = Get-ReplicaOf $targetLine.Id
        $tags = Get-TagsOf $sourceLine 3 'lost-target'
        $script:Data += Write-SlotData -Node $Nodes -Tag $tags -PerTag 40
        $slots = @($tags | ForEach-Object { Get-Slot $_ } | Sort-Object -Unique)

        Stop-ReshardAt -EndPoint $Nodes[0].EndPoint -TargetId $targetLine.Id -Slot $slots -StopAt MidSlot
        $null = Invoke-RedisCli $target.EndPoint '' WAIT 1 5000
        Stop-TestNode $target
        $live = @($Nodes | Where-Object EndPoint -ne $target.EndPoint)
        Wait-Promoted $replica $live

        $results = @(Repair-RedisCluster)

        $results.Outcome | Sort-Object -Unique | Should -Be 'Repaired'
        $results.Problem | Should -Contain 'TargetLost'
        foreach ($s in $slots) { (Get-OwnerOf $s $live).Id | Should -Be $sourceLine.Id }
        $script:Nodes = $live
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $Data
    }
}
