# Invoke-RedisReshard on real nodes: redis-cli's default split, a client writing through the move, big keys and
# big slots, key conflicts, open slots and -Resume, idempotent -Slot moves, -WhatIf and every refusal.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    . (Join-Path $PSScriptRoot 'TestHelpers/SlotMoveTestHelpers.ps1')

    # One cluster for the file: three masters made by redis-cli, a fourth empty master and a replica of the first
    # joined by the module. Each test starts with no keys and picks its sources and targets from the owners it finds;
    # the one that needs redis-cli's layout restores it (a no-op when it runs first). A master that gives away its
    # last slot stays a master (Redis 7 would otherwise make it a replica of the last receiver), so the layout can
    # be restored.
    $setting = @{ 'cluster-allow-replica-migration' = 'no' }
    $script:Members = @(New-TestCluster -Masters 3 -ReplicasPerMaster 0 -Setting $setting)
    $script:Extra = @(Start-TestNode -Count 2 -Setting $setting)
    $script:Connection = Connect-RedisCluster -EndPoint $Members[0].EndPoint
    $null = Add-RedisClusterNode -NewNode $Extra[0].EndPoint
    $seedMasters = @(Get-Master $Members)
    $null = Add-RedisClusterNode -NewNode $Extra[1].EndPoint -MasterId $seedMasters[0].Id
    $script:Nodes = @($Members) + $Extra
    Wait-TestClusterOk -Node $Nodes -Replicas 1
    # By endpoint: the three seed masters first (lower ports), then the empty one.
    $script:Masters = @(@(Get-Master $Nodes | Where-Object { $_.EndPoint -ne $Extra[0].EndPoint }) + @(Get-Master $Nodes | Where-Object EndPoint -eq $Extra[0].EndPoint))
    $script:Empty = $Masters[3]
    $script:Replica = Get-TestNodeView $Nodes[0].EndPoint | Where-Object EndPoint -eq $Extra[1].EndPoint

    function Get-OtherMaster([int[]] $Slot) {
        <# A master owning none of these slots: a target they all move to. #>
        $owners = @((Get-OwnerOf $Slot $Nodes).Id)
        Get-Master $Nodes | Where-Object { $owners -notcontains $_.Id } | Select-Object -First 1
    }

    function Assert-Refused {
        <# The command's first error has this id, category and message, and every node is as $Before shows it (read now when not given). #>
        param([scriptblock] $Command, [string] $ErrorId, [string] $Category, [string] $Message, [string[]] $Before = (Get-TestNodeState -Node $Nodes))
        $err = Get-ErrorRecord $Command
        $err.FullyQualifiedErrorId | Should -Be "$ErrorId,RedisCluster.Commands.InvokeRedisReshardCommand"
        $err.CategoryInfo.Category | Should -Be $Category
        if ($Message) { $err.Exception.Message | Should -BeLike $Message }
        Get-TestNodeState -Node $Nodes | Should -Be $Before
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Invoke-RedisReshard' {
    BeforeEach { Clear-TestData $Nodes }

    It 'gives a piped empty master 4096 slots as redis-cli does (0-1364, 5461-6826, 10923-12287) while a client writing INCRs through MOVED and ASK loses no acknowledged write' {
        Restore-SeedLayout -Node $Nodes -Masters $Masters
        $data = Write-TestData -Node $Nodes -Count 300
        # Keys in slots that move and some that stay, each INCRed over and over.
        $moving = @(0..1364) + @(5461..6826) + @(10923..12287)
        $counters = @(Get-KeyInSlot $moving 40 'incr') + @(Get-KeyInSlot @(2000, 9000, 15000) 3 'stay')
        $state = [hashtable]::Synchronized(@{ Stop = $false; Sent = 0; Moved = 0; Ask = 0; Errors = @() })
        $writer = Start-IncrWriter -EndPoint $Nodes[0].EndPoint -Key $counters -State $state
        try {
            Wait-Until { $state.Sent -ge 200 -or $writer.State -ne 'Running' } -Because 'the writer is under way' -TimeoutSeconds 20
            $result = Get-RedisClusterNode -NodeId $Empty.Id | Invoke-RedisReshard -SlotCount 4096
            # A few more writes after the last slot moved, so every key was written to its new owner.
            $sentAfter = $state.Sent + 100
            Wait-Until { $state.Sent -ge $sentAfter -or $writer.State -ne 'Running' } -Because 'the writer goes on after the move' -TimeoutSeconds 20
        } finally {
            $state.Stop = $true
            $acknowledged = $writer | Receive-Job -Wait -AutoRemoveJob
        }

        $state.Errors | Should -BeNullOrEmpty
        $state.Moved | Should -BeGreaterThan 0
        Write-Host "  INCR client: $($state.Sent) commands, $($state.Moved) MOVED, $($state.Ask) ASK redirections"
        $result.SlotsPlanned | Should -Be 4096
        $result.SlotsMoved | Should -Be 4096
        $result.Issues.Count | Should -Be 0
        $result.KeysMoved | Should -BeGreaterThan 0
        $owner = Get-Master $Nodes | Where-Object Id -eq $Empty.Id
        $owner.Slots -join ',' | Should -Be '0-1364,5461-6826,10923-12287'
        foreach ($k in $counters) { $data[$k] = "$($acknowledged[$k])" }
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'moves named slots from whoever owns them, skips those already on the target, and the same command run again completes nothing more' {
        $keys = @{}
        foreach ($tag in 'a', 'b', 'c', 'd') { $keys += Write-SlotKey -Node $Nodes -Tag $tag -Count 50 }
        $slots = @('a', 'b', 'c', 'd' | ForEach-Object { [RedisCluster.HashSlot]::Of($_) })
        $target = $Masters[1]
        $atStart = @((Get-OwnerOf $slots $Nodes).Id | Where-Object { $_ -eq $target.Id }).Count
        $first = Invoke-RedisReshard -TargetNodeId $target.Id -Slot $slots[0], $slots[1]
        $onTargetBefore = @((Get-OwnerOf $slots $Nodes).Id | Where-Object { $_ -eq $target.Id })

        $second = Invoke-RedisReshard -TargetNodeId $target.Id -Slot ($slots -join ',')
        $third = Invoke-RedisReshard -TargetNodeId $target.Id -Slot ($slots -join ',') -InformationVariable said -InformationAction SilentlyContinue

        $second.SlotsMoved | Should -Be (4 - $onTargetBefore.Count)
        $third | Should -BeNullOrEmpty
        "$said" | Should -BeLike "Nothing to move to $($target.EndPoint) (*): already on the target, skipped: *"
        (Get-OwnerOf $slots $Nodes).Id | Should -Be (@($target.Id) * 4)
        ($first.KeysMoved + $second.KeysMoved) | Should -Be (50 * (4 - $atStart))
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $keys
    }

    It 'moves a 10 MB key alone and a slot of 100,000 small keys, every key kept' {
        $data = Write-SlotKey -Node $Nodes -Tag 'many' -Count 100000
        $bigSlot = [RedisCluster.HashSlot]::Of('huge')
        $bigValue = 'x' * (10 * 1024 * 1024)
        $null = Invoke-RedisCli (Get-OwnerOf $bigSlot $Nodes).EndPoint -InputLines "SET {huge}:value $bigValue"
        $data['{huge}:value'] = $bigValue
        $manySlot = [RedisCluster.HashSlot]::Of('many')
        $target = Get-OtherMaster $manySlot, $bigSlot

        $result = Invoke-RedisReshard -TargetNodeId $target.Id -Slot $manySlot, $bigSlot

        $result.SlotsMoved | Should -Be 2
        $result.KeysMoved | Should -Be 100001
        (Get-OwnerOf $manySlot $Nodes).Id | Should -Be $target.Id
        (Get-OwnerOf $bigSlot $Nodes).Id | Should -Be $target.Id
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'replaces a key found on both sides with the same value; a different value leaves its slot open as a SlotKeyConflict error, a new reshard refuses (SlotsOpen) and -Resume -Replace finishes it' {
        $data = @{}
        foreach ($tag in 'same', 'differ') { $data += Write-SlotKey -Node $Nodes -Tag $tag -Count 20 }
        $sameSlot = [RedisCluster.HashSlot]::Of('same')
        $differSlot = [RedisCluster.HashSlot]::Of('differ')
        $target = Get-OtherMaster $sameSlot, $differSlot
        # A copy on the target, in a slot it does not own: what a MIGRATE whose reply was lost leaves behind.
        foreach ($copy in @(@('same', "SET {same}:3 $($data['{same}:3'])"), @('differ', 'SET {differ}:5 the-targets-value'))) {
            $slot = [RedisCluster.HashSlot]::Of($copy[0])
            $owner = Get-OwnerOf $slot $Nodes
            $null = Invoke-RedisCli $target.EndPoint '' CLUSTER SETSLOT $slot IMPORTING $owner.Id
            $null = Invoke-RedisCli $target.EndPoint -InputLines 'ASKING', $copy[1]
            $null = Invoke-RedisCli $target.EndPoint '' CLUSTER SETSLOT $slot STABLE
        }

        $result = Invoke-RedisReshard -TargetNodeId $target.Id -Slot $sameSlot, $differSlot -ErrorVariable conflicts -ErrorAction SilentlyContinue

        $result.SlotsMoved | Should -Be 1
        $result.Issues.Count | Should -Be 1
        $result.Issues[0].Slot | Should -Be $differSlot
        $result.Issues[0].Outcome | Should -Be 'KeyConflict'
        $result.Issues[0].LeftOpen | Should -BeTrue
        $result.Issues[0].Keys | Should -Be @('{differ}:5')
        # Both values kept, the slot open on both sides: nothing decided for the user.
        $differOwner = Get-OwnerOf $differSlot $Nodes
        Invoke-RedisCli $differOwner.EndPoint '' GET '{differ}:5' | Should -Be $data['{differ}:5']
        Invoke-RedisCli $target.EndPoint -InputLines 'ASKING', 'GET {differ}:5' | Select-Object -Last 1 | Should -Be 'the-targets-value'
        (Get-TestNodeView $differOwner.EndPoint | Where-Object { $_.Flags -contains 'myself' }).Open | Should -Be "[$differSlot->-$($target.Id)]"
        (Get-TestNodeView $target.EndPoint | Where-Object { $_.Flags -contains 'myself' }).Open | Should -Be "[$differSlot-<-$($differOwner.Id)]"
        $conflicts.Count | Should -Be 1
        $conflicts[0].FullyQualifiedErrorId | Should -Be 'SlotKeyConflict,RedisCluster.Commands.InvokeRedisReshardCommand'
        $conflicts[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $conflicts[0].Exception.Message | Should -BeLike "Slot $differSlot is left open*'{differ}:5'*Invoke-RedisReshard -Resume*-Replace*"
        (Get-OwnerOf $sameSlot $Nodes).Id | Should -Be $target.Id
        Assert-Refused { Invoke-RedisReshard -TargetNodeId $Masters[0].Id -SlotCount 10 } SlotsOpen InvalidOperation "*slot $differSlot migrating to*Invoke-RedisReshard -Resume*Nothing was changed."

        $resumed = Invoke-RedisReshard -Resume -Replace

        $resumed.SlotsMoved | Should -Be 1
        $resumed.Issues.Count | Should -Be 0
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'finishes a slot left open with keys on both sides with -Resume, and -Resume with nothing open says so' {
        $data = Write-SlotKey -Node $Nodes -Tag 'open' -Count 60
        $slot = [RedisCluster.HashSlot]::Of('open')
        $source = Get-OwnerOf $slot $Nodes
        $target = Get-OtherMaster $slot
        $null = Invoke-RedisCli $target.EndPoint '' CLUSTER SETSLOT $slot IMPORTING $source.Id
        $null = Invoke-RedisCli $source.EndPoint '' CLUSTER SETSLOT $slot MIGRATING $target.Id
        $address, $port = $target.EndPoint -split ':'
        $migrate = @('MIGRATE', $address, $port, '', 0, 5000, 'KEYS') + @(1..25 | ForEach-Object { "{open}:$_" })
        $null = Invoke-RedisCli $source.EndPoint '' @migrate
        [int](Invoke-RedisCli $source.EndPoint '' CLUSTER COUNTKEYSINSLOT $slot) | Should -Be 35
        # What -Resume starts from: the executor reads the move back from the markers alone.
        $snapshot = [RedisCluster.ClusterSnapshot]::ReadAsync($Connection, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
        $open = @([RedisCluster.SlotMigrator]::OpenSlotMoves($snapshot))
        $open.Count | Should -Be 1
        $open[0].Slot | Should -Be $slot
        "$($open[0].Source)" | Should -Be $source.Id
        "$($open[0].Target)" | Should -Be $target.Id

        $resumed = Invoke-RedisReshard -Resume
        $again = Invoke-RedisReshard -Resume -InformationVariable said -InformationAction SilentlyContinue

        $resumed.SlotsMoved | Should -Be 1
        $resumed.KeysMoved | Should -Be 35
        (Get-OwnerOf $slot $Nodes).Id | Should -Be $target.Id
        $again | Should -BeNullOrEmpty
        "$said" | Should -Be 'No slot is open: nothing to resume.'
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'refuses an unhealthy cluster (ClusterNotReady) before touching anything' {
        # A master that stops serving one of its slots: it reports cluster_state:fail and the others still list it as owner.
        $slot = 16000
        $owner = Get-OwnerOf $slot $Nodes
        $null = Invoke-RedisCli $owner.EndPoint '' CLUSTER DELSLOTS $slot
        try {
            Wait-Until { (Invoke-RedisCli $owner.EndPoint '' CLUSTER INFO) -contains 'cluster_state:fail' } -Because 'the master sees the slot uncovered' -TimeoutSeconds 10
            Assert-Refused { Invoke-RedisReshard -TargetNodeId (Get-OtherMaster $slot).Id -SlotCount 10 } ClusterNotReady InvalidOperation 'The cluster is not ready for slots to move: *Nothing was changed.'
        } finally {
            $null = Invoke-RedisCli $owner.EndPoint '' CLUSTER ADDSLOTS $slot
        }
        Wait-TestClusterOk -Node $Nodes
        Assert-ClusterInvariant -Node $Nodes
    }

    It '-WhatIf prints the plan and changes nothing' {
        $before = Get-TestNodeState -Node $Nodes
        # What-if text goes to the host, not to a stream: read it from a child process's console.
        $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
Invoke-RedisReshard -EndPoint $($Nodes[0].EndPoint) -TargetNodeId $($Masters[1].Id) -SourceNodeId $($Masters[0].Id) -SlotCount 100 -WhatIf
"@ | Out-String
        $lowest = (Get-Master $Nodes | Where-Object Id -eq $Masters[0].Id).Slots[0] -replace '-.*'
        # Console lines may wrap: match short pieces.
        $output | Should -BeLike "*What if: Move 100 slots to $($Masters[1].EndPoint) ($($Masters[1].Id.Substring(0, 8))) from 1 master(s):*$($Masters[0].EndPoint) ($($Masters[0].Id.Substring(0, 8))) gives 100 slots: $lowest-*"
        Get-TestNodeState -Node $Nodes | Should -Be $before
    }
}

Describe 'Invoke-RedisReshard refuses bad requests' {
    BeforeAll {
        # None of these changes anything: every node is compared with one reading taken before them all, of a
        # cluster with no slot open (a failed test above may have left one, which would refuse every case here).
        Clear-OpenSlot $Nodes
        Clear-TestData $Nodes
        $script:Unchanged = Get-TestNodeState -Node $Nodes
    }

    It 'refuses <Case> before touching anything' -ForEach @(
        @{ Case = 'a replica as target'; Id = 'NotAMaster'; Category = 'InvalidArgument'; Message = '-TargetNodeId names *, which is a replica of *'; Command = { Invoke-RedisReshard -TargetNodeId $Replica.Id -SlotCount 10 } }
        @{ Case = 'an unknown target'; Id = 'NodeNotFound'; Category = 'ObjectNotFound'; Message = 'No node of the cluster has the id 0123456789abcdef*'; Command = { Invoke-RedisReshard -TargetNodeId '0123456789abcdef' -SlotCount 10 } }
        @{ Case = '-SlotCount 0'; Id = 'InvalidSlotCount'; Category = 'InvalidArgument'; Message = '-SlotCount 0 is no number of slots to move*'; Command = { Invoke-RedisReshard -TargetNodeId $Empty.Id -SlotCount 0 } }
        @{ Case = 'more slots than the sources own'; Id = 'NotEnoughSlots'; Category = 'InvalidArgument'; Message = '-SlotCount 16384 is more than the source masters own (*'; Command = { Invoke-RedisReshard -TargetNodeId $Masters[1].Id -SourceNodeId $Masters[0].Id -SlotCount 16384 } }
        @{ Case = 'no way to choose slots'; Id = 'SlotsNotChosen'; Category = 'InvalidArgument'; Message = '*exactly one of -SlotCount*'; Command = { Invoke-RedisReshard -TargetNodeId $Empty.Id } }
        @{ Case = '-Resume with a target'; Id = 'ResumeTakesNoNodes'; Category = 'InvalidArgument'; Message = '-Resume finishes each open slot*'; Command = { Invoke-RedisReshard -TargetNodeId $Empty.Id -Resume } }
    ) {
        Assert-Refused $Command $Id $Category $Message -Before $Unchanged
    }
}
