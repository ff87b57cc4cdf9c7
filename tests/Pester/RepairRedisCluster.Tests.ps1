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
        $data = Write-TestData -Node $Nodes -Count 50 -Prefix 'calm'
        $before = Get-TestNodeState $Nodes

        $result = Repair-RedisCluster -InformationVariable said

        $result | Should -BeNullOrEmpty
        "$said" | Should -Match '^Nothing to repair'
        Get-TestNodeState $Nodes | Should -Be $before
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'with -WhatIf prints the plan and changes nothing; without, finishes a move stopped with keys on both sides' {
        $data = Write-SlotData -Node $Nodes -Tag 'both' -PerTag 60
        $p = Get-Pair 'both'
        $null = Invoke-RedisCli $p.Target.EndPoint '' CLUSTER SETSLOT $p.Slot IMPORTING $p.Owner.Id
        $null = Invoke-RedisCli $p.Owner.EndPoint '' CLUSTER SETSLOT $p.Slot MIGRATING $p.Target.Id
        Move-TestKey -From $p.Owner.EndPoint -To $p.Target.EndPoint -Key (1..25 | ForEach-Object { "{both}:$_" })
        $before = Get-TestNodeState $Nodes

        $printed = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
Repair-RedisCluster -EndPoint $($Nodes[0].EndPoint) -WhatIf
"@
        ($printed -join "`n") | Should -Match "slot $($p.Slot): open, moving from $([regex]::Escape($p.Owner.EndPoint)) .*: finish the move to $([regex]::Escape($p.Target.EndPoint)) .*moving 35 key\(s\)"
        Get-TestNodeState $Nodes | Should -Be $before

        $result = @(Repair-RedisCluster)

        $result.Count | Should -Be 1
        $result[0].Outcome | Should -Be 'Repaired'
        $result[0].Problem | Should -Be 'OpenSlot'
        $result[0].OwnerId | Should -Be $p.Target.Id
        $result[0].KeysMoved | Should -Be 35
        (Get-OwnerOf $p.Slot $Nodes).Id | Should -Be $p.Target.Id
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'closes a slot left migrating only, every key staying on its owner' {
        $data = Write-SlotData -Node $Nodes -Tag 'mig' -PerTag 30
        $p = Get-Pair 'mig'
        $null = Invoke-RedisCli $p.Owner.EndPoint '' CLUSTER SETSLOT $p.Slot MIGRATING $p.Target.Id

        $result = Repair-RedisCluster

        $result.Outcome | Should -Be 'Repaired'
        $result.OwnerId | Should -Be $p.Owner.Id
        $result.KeysMoved | Should -Be 0
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'closes a slot left importing only and moves the keys its importer holds to the owner' {
        $data = Write-SlotData -Node $Nodes -Tag 'imp' -PerTag 30
        $p = Get-Pair 'imp'
        $null = Invoke-RedisCli $p.Target.EndPoint '' CLUSTER SETSLOT $p.Slot IMPORTING $p.Owner.Id
        $onImporter = @{ '{imp}:extra1' = 'only-on-the-importer'; '{imp}:extra2' = 'also-there' }
        Write-ImportedKey $p.Target.EndPoint '' $onImporter
        # A copy equal to the owner's is merged, not reported.
        Write-ImportedKey $p.Target.EndPoint '' @{ '{imp}:3' = $data['{imp}:3'] }

        $result = Repair-RedisCluster

        $result.Outcome | Should -Be 'Repaired'
        $result.OwnerId | Should -Be $p.Owner.Id
        $result.KeysMoved | Should -Be 2
        $result.CopiesDropped | Should -Be 1
        Assert-ClusterInvariant -Node $Nodes -ExpectedData ($data + $onImporter)
    }

    It 'closes a slot migrating to one master and importing on two, where no key has moved yet' {
        $data = Write-SlotData -Node $Nodes -Tag 'many' -PerTag 20
        $p = Get-Pair 'many'
        $null = Invoke-RedisCli $p.Target.EndPoint '' CLUSTER SETSLOT $p.Slot IMPORTING $p.Owner.Id
        $null = Invoke-RedisCli $p.Third.EndPoint '' CLUSTER SETSLOT $p.Slot IMPORTING $p.Owner.Id
        $null = Invoke-RedisCli $p.Owner.EndPoint '' CLUSTER SETSLOT $p.Slot MIGRATING $p.Target.Id

        $result = Repair-RedisCluster

        $result.Outcome | Should -Be 'Repaired'
        $result.OwnerId | Should -Be $p.Owner.Id
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
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

    It 'gives uncovered slots to the master holding their keys, and a slot without keys to the master with fewest slots' {
        $data = Write-SlotData -Node $Nodes -Tag 'bare' -PerTag 15
        $p = Get-Pair 'bare'
        $empty = $p.Slot + 1
        foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint '' CLUSTER DELSLOTS $p.Slot $empty }
        Wait-Until { (Invoke-RedisCli $Nodes[0].EndPoint '' CLUSTER INFO) -contains 'cluster_state:fail' } -Because 'the cluster sees the slots uncovered'
        $fewest = Get-Master $Nodes | Sort-Object { (Get-SlotSet $_.Slots).Count }, Id | Select-Object -First 1

        $result = @(Repair-RedisCluster)

        $result.Problem | Should -Be @('Uncovered', 'Uncovered')
        (Get-OwnerOf $p.Slot $Nodes).Id | Should -Be $p.Owner.Id
        (Get-OwnerOf $empty $Nodes).Id | Should -Be $fewest.Id
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'gives a slot with two owners (keys on a master that does not own it) to the one holding most, keeping every key' {
        $data = Write-SlotData -Node $Nodes -Tag 'twice' -PerTag 5
        $p = Get-Pair 'twice'
        # Eight keys of the slot land on another master: more than its owner has.
        $null = Invoke-RedisCli $p.Target.EndPoint '' CLUSTER SETSLOT $p.Slot IMPORTING $p.Owner.Id
        $stray = @{}
        foreach ($i in 11..18) { $stray["{twice}:$i"] = "stray-$i" }
        Write-ImportedKey $p.Target.EndPoint '' $stray
        $null = Invoke-RedisCli $p.Target.EndPoint '' CLUSTER SETSLOT $p.Slot STABLE

        $result = Repair-RedisCluster

        $result.Outcome | Should -Be 'Repaired'
        $result.Problem | Should -Be 'StrayKeys'
        $result.OwnerId | Should -Be $p.Target.Id
        $result.KeysMoved | Should -Be 5
        (Get-OwnerOf $p.Slot $Nodes).Id | Should -Be $p.Target.Id
        Assert-ClusterInvariant -Node $Nodes -ExpectedData ($data + $stray)
    }
}
