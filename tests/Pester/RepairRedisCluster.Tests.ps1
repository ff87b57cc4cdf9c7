# Repair-RedisCluster on every slot shape made by hand with CLUSTER SETSLOT / DELSLOTS on one three-master cluster
# (each test loads its own keys after a FLUSHALL and leaves the cluster healed): open slots of every kind redis-cli's
# fix handles, a key conflict, uncovered slots and a slot with two owners. Crashes are in RepairCrash.Tests.ps1.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    . (Join-Path $PSScriptRoot 'TestHelpers/SlotRepairHelpers.ps1')

    $script:Nodes = @(New-TestCluster -Masters 3 -ReplicasPerMaster 0)
    $script:Connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint

    function Get-Pair([string] $Tag) {
        # The owner of the tag's slot and another master.
        $slot = Get-Slot $Tag
        $owner = Get-OwnerOf $slot $Nodes
        $other = @(Get-Master $Nodes | Where-Object Id -ne $owner.Id)
        [pscustomobject]@{ Slot = $slot; Owner = $owner; Target = $other[0]; Third = $other[1] }
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Repair-RedisCluster' {
    BeforeEach { Clear-TestData $Nodes }

    It 'says there is nothing to repair on a healthy cluster, writes nothing and changes nothing' {
        $null = Write-TestData -Node $Nodes -Count 50 -Prefix 'calm'
        $before = Get-TestNodeState $Nodes

        $result = Repair-RedisCluster -InformationVariable said -InformationAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        "$said" | Should -Match '^Nothing to repair'
        Get-TestNodeState $Nodes | Should -Be $before
    }

    It 'with -WhatIf prints a line per open-slot shape and changes nothing; then closes every shape redis-cli''s fix handles with every key' {
        $data = Write-SlotData -Node $Nodes -Tag 'both', 'mig', 'imp', 'many' -PerTag 30
        # Both markers, 12 keys moved already: the move is finished on the target.
        $both = Get-Pair 'both'
        $null = Invoke-RedisCli $both.Target.EndPoint '' CLUSTER SETSLOT $both.Slot IMPORTING $both.Owner.Id
        $null = Invoke-RedisCli $both.Owner.EndPoint '' CLUSTER SETSLOT $both.Slot MIGRATING $both.Target.Id
        Move-TestKey -From $both.Owner.EndPoint -To $both.Target.EndPoint -Key (1..12 | ForEach-Object { "{both}:$_" })
        # Migrating only, nothing moved: closed on the owner.
        $mig = Get-Pair 'mig'
        $null = Invoke-RedisCli $mig.Owner.EndPoint '' CLUSTER SETSLOT $mig.Slot MIGRATING $mig.Target.Id
        # Importing only, the importer holding two keys of its own and a copy equal to the owner's: they move to the owner.
        $imp = Get-Pair 'imp'
        $null = Invoke-RedisCli $imp.Target.EndPoint '' CLUSTER SETSLOT $imp.Slot IMPORTING $imp.Owner.Id
        $onImporter = @{ '{imp}:extra1' = 'only-on-the-importer'; '{imp}:extra2' = 'also-there' }
        Write-ImportedKey $imp.Target.EndPoint '' ($onImporter + @{ '{imp}:3' = $data['{imp}:3'] })
        # Migrating to one master and importing on two, nothing moved: closed everywhere.
        $many = Get-Pair 'many'
        $null = Invoke-RedisCli $many.Target.EndPoint '' CLUSTER SETSLOT $many.Slot IMPORTING $many.Owner.Id
        $null = Invoke-RedisCli $many.Third.EndPoint '' CLUSTER SETSLOT $many.Slot IMPORTING $many.Owner.Id
        $null = Invoke-RedisCli $many.Owner.EndPoint '' CLUSTER SETSLOT $many.Slot MIGRATING $many.Target.Id
        $before = Get-TestNodeState $Nodes

        $printed = (Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
Repair-RedisCluster -EndPoint $($Nodes[0].EndPoint) -WhatIf
"@) -join "`n"
        $printed | Should -Match 'Repair 4 slot\(s\)'
        $printed | Should -Match "slot $($both.Slot): open, moving from $([regex]::Escape($both.Owner.EndPoint)) .*: finish the move to $([regex]::Escape($both.Target.EndPoint)) .*moving 18 key\(s\)"
        $printed | Should -Match "slot $($mig.Slot): open \(migrating on .*\): $([regex]::Escape($mig.Owner.EndPoint)) .* keeps it, markers closed"
        $printed | Should -Match "slot $($imp.Slot): open \(importing on .*\): $([regex]::Escape($imp.Owner.EndPoint)) .* keeps it, moving 3 key\(s\) in from $([regex]::Escape($imp.Target.EndPoint))"
        $printed | Should -Match "slot $($many.Slot): open \(migrating on .*, importing on .*, importing on .*\): $([regex]::Escape($many.Owner.EndPoint))"
        Get-TestNodeState $Nodes | Should -Be $before

        $results = @(Repair-RedisCluster)

        $results.Count | Should -Be 4
        $results.Outcome | Sort-Object -Unique | Should -Be 'Repaired'
        $bySlot = @{}
        foreach ($r in $results) { $bySlot[$r.Slots.ToString()] = $r }
        $bySlot["$($both.Slot)"].OwnerId | Should -Be $both.Target.Id
        $bySlot["$($both.Slot)"].KeysMoved | Should -Be 18
        $bySlot["$($mig.Slot)"].OwnerId | Should -Be $mig.Owner.Id
        $bySlot["$($imp.Slot)"].OwnerId | Should -Be $imp.Owner.Id
        # The equal copy moves too (MIGRATE REPLACE): only a master that died mid-slot has a copy dropped.
        $bySlot["$($imp.Slot)"].KeysMoved | Should -Be 3
        $bySlot["$($imp.Slot)"].CopiesDropped | Should -Be 0
        $bySlot["$($many.Slot)"].OwnerId | Should -Be $many.Owner.Id
        (Get-OwnerOf $both.Slot $Nodes).Id | Should -Be $both.Target.Id
        Assert-ClusterInvariant -Node $Nodes -ExpectedData ($data + $onImporter)
    }

    It 'leaves a slot open with both values when a key differs on the two sides (SlotKeyConflict), and finishes it once one copy is gone' {
        $data = Write-SlotData -Node $Nodes -Tag 'clash' -PerTag 20
        $p = Get-Pair 'clash'
        $null = Invoke-RedisCli $p.Target.EndPoint '' CLUSTER SETSLOT $p.Slot IMPORTING $p.Owner.Id
        Write-ImportedKey $p.Target.EndPoint '' @{ '{clash}:4' = 'the-targets-own-value' }
        $null = Invoke-RedisCli $p.Owner.EndPoint '' CLUSTER SETSLOT $p.Slot MIGRATING $p.Target.Id

        $err = Get-ErrorRecord { Repair-RedisCluster }

        $err.FullyQualifiedErrorId | Should -Be 'SlotKeyConflict,RedisCluster.Commands.RepairRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        $err.TargetObject.Outcome | Should -Be 'KeyConflict'
        $err.TargetObject.ConflictKeys | Should -Be @('{clash}:4')
        Invoke-RedisCli $p.Owner.EndPoint '' GET '{clash}:4' | Should -Be $data['{clash}:4']
        Invoke-RedisCli $p.Target.EndPoint -InputLines 'ASKING', 'GET {clash}:4' | Select-Object -Last 1 | Should -Be 'the-targets-own-value'
        (Get-OwnLine $p.Owner.EndPoint).Open | Should -Be "[$($p.Slot)->-$($p.Target.Id)]"

        $null = Invoke-RedisCli $p.Target.EndPoint -InputLines 'ASKING', 'DEL {clash}:4'
        $result = Repair-RedisCluster
        $result.Outcome | Should -Be 'Repaired'
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'gives uncovered slots to the master holding their keys (a slot without keys to the one with fewest slots), and a slot with two owners to the one holding most keys' {
        $data = Write-SlotData -Node $Nodes -Tag 'bare', 'twice' -PerTag 5
        $bare = Get-Pair 'bare'
        $empty = if ($bare.Slot -lt 16383) { $bare.Slot + 1 } else { $bare.Slot - 1 }
        # Two owners in redis-cli's sense: eight keys of the slot land on a master that does not own it, more than its owner has.
        $twice = Get-Pair 'twice'
        $null = Invoke-RedisCli $twice.Target.EndPoint '' CLUSTER SETSLOT $twice.Slot IMPORTING $twice.Owner.Id
        $stray = @{}
        foreach ($i in 11..18) { $stray["{twice}:$i"] = "stray-$i" }
        Write-ImportedKey $twice.Target.EndPoint '' $stray
        $null = Invoke-RedisCli $twice.Target.EndPoint '' CLUSTER SETSLOT $twice.Slot STABLE
        foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint '' CLUSTER DELSLOTS $bare.Slot $empty }
        Wait-Until { (Invoke-RedisCli $Nodes[0].EndPoint '' CLUSTER INFO) -contains 'cluster_state:fail' } -Because 'the cluster sees the slots uncovered'
        $fewest = Get-Master $Nodes | Sort-Object { (Get-SlotSet $_.Slots).Count }, Id | Select-Object -First 1

        $results = @(Repair-RedisCluster)

        $results.Outcome | Sort-Object -Unique | Should -Be 'Repaired'
        ($results | Where-Object Problem -eq 'Uncovered').SlotCount | Measure-Object -Sum | ForEach-Object Sum | Should -Be 2
        $strayResult = $results | Where-Object Problem -eq 'StrayKeys'
        $strayResult.OwnerId | Should -Be $twice.Target.Id
        $strayResult.KeysMoved | Should -Be 5
        (Get-OwnerOf $bare.Slot $Nodes).Id | Should -Be $bare.Owner.Id
        (Get-OwnerOf $empty $Nodes).Id | Should -Be $fewest.Id
        (Get-OwnerOf $twice.Slot $Nodes).Id | Should -Be $twice.Target.Id
        Assert-ClusterInvariant -Node $Nodes -ExpectedData ($data + $stray)
    }
}
