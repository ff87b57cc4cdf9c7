# Invoke-RedisRebalance on real nodes: empty masters, weights, nothing to do within the threshold, -WhatIf
# (redis-cli's --cluster-simulate) and the refusals of bad weights and thresholds.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    . (Join-Path $PSScriptRoot 'TestHelpers/SlotMoveTestHelpers.ps1')

    # Three masters made by redis-cli and a fourth empty one joined by the module. Each test starts with no keys
    # and asserts what follows from any layout, except the first, which restores redis-cli's (a no-op when it runs
    # first). A master emptied by a weight of 0 stays a master (no replica migration).
    $setting = @{ 'cluster-allow-replica-migration' = 'no' }
    $script:Nodes = @(New-TestCluster -Masters 3 -ReplicasPerMaster 0 -Setting $setting)
    $script:Extra = Start-TestNode -Setting $setting
    $script:Connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint
    $null = Add-RedisClusterNode -NewNode $Extra.EndPoint
    $script:Nodes += $Extra
    $script:Masters = @(@(Get-Master $Nodes | Where-Object EndPoint -ne $Extra.EndPoint) + @(Get-Master $Nodes | Where-Object EndPoint -eq $Extra.EndPoint))

    function Get-SlotCounts {
        <# Slot counts in the order of $Masters: the three seed masters, then the one joined empty. #>
        $now = @(Get-Master $Nodes)
        foreach ($m in $Masters) { ($now | Where-Object Id -eq $m.Id).SlotCount }
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Invoke-RedisRebalance' {
    BeforeEach { Clear-TestData $Nodes }

    It 'gives an empty master its share with -UseEmptyMasters, keeping every key' {
        Restore-SeedLayout -Node $Nodes -Masters $Masters
        $data = Write-TestData -Node $Nodes -Count 500

        $result = Invoke-RedisRebalance -UseEmptyMasters

        $result.SlotsMoved | Should -Be 4096
        $result.Issues.Count | Should -Be 0
        Get-SlotCounts | Should -Be @(4096, 4096, 4096, 4096)
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'brings masters to weighted shares named by endpoint and id prefix, a weight of 0 emptying one' {
        $data = Write-TestData -Node $Nodes -Count 500
        # Total weight 4: shares 8192, 4096, 4096 and 0, whatever the layout before.
        $weights = @{ $Masters[0].EndPoint = 2; $Masters[1].Id.Substring(0, 10) = 1; $Masters[3].Id = 0 }

        $result = Invoke-RedisRebalance -Weight $weights -UseEmptyMasters

        $result.Issues.Count | Should -Be 0
        Get-SlotCounts | Should -Be @(8192, 4096, 4096, 0)
        # Weight 0 empties the first master too; without -UseEmptyMasters the emptied fourth is left out.
        $emptied = Invoke-RedisRebalance -Weight @{ $Masters[0].Id = 0 }
        $emptied.SlotsMoved | Should -Be 8192
        Get-SlotCounts | Should -Be @(0, 8192, 8192, 0)
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }

    It 'moves nothing when every master is within the threshold, says so and writes nothing' {
        # Whatever the layout, a first rebalance leaves the masters with slots within the threshold.
        $null = Invoke-RedisRebalance -InformationAction Ignore
        $before = Get-TestNodeState -Node $Nodes

        $result = Invoke-RedisRebalance -InformationVariable said -InformationAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        "$said" | Should -BeLike 'No rebalancing needed: every master is within the 2% threshold of its share; the furthest, *'
        Get-TestNodeState -Node $Nodes | Should -Be $before
    }

    It '-WhatIf prints the plan, as redis-cli''s --cluster-simulate, and changes nothing' {
        $before = Get-TestNodeState -Node $Nodes
        # What-if text goes to the host, not to a stream: read it from a child process's console. Weight 2 for the
        # first master is over the threshold whatever the layout.
        $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
Invoke-RedisRebalance -EndPoint $($Nodes[0].EndPoint) -UseEmptyMasters -Weight @{ '$($Masters[0].Id)' = 8 } -WhatIf
"@ | Out-String
        # Console lines may wrap: match short pieces.
        $output | Should -BeLike "*What if: Rebalance * slots across 4 masters (total weight 11):*gives * to $($Masters[0].EndPoint)*Shares:*weight 8: * -> 1191[56] slots*"
        Get-TestNodeState -Node $Nodes | Should -Be $before
    }
}

Describe 'Invoke-RedisRebalance refuses bad requests' {
    BeforeAll {
        # None of these changes anything: every node is compared with one reading taken before them all.
        Clear-TestData $Nodes
        $script:Unchanged = Get-TestNodeState -Node $Nodes
    }

    It 'refuses <Case> before touching anything' -ForEach @(
        @{ Case = 'a weight that is no number'; Id = 'InvalidWeight'; Category = 'InvalidArgument'; Command = { Invoke-RedisRebalance -Weight @{ $Masters[0].Id = 'heavy' } } }
        @{ Case = 'a negative weight'; Id = 'InvalidWeight'; Category = 'InvalidArgument'; Command = { Invoke-RedisRebalance -Weight @{ $Masters[0].Id = -1 } } }
        @{ Case = 'a weight for a node the cluster lacks'; Id = 'NodeNotFound'; Category = 'ObjectNotFound'; Command = { Invoke-RedisRebalance -Weight @{ '127.0.0.1:1' = 2 } } }
        @{ Case = 'one master weighed twice'; Id = 'WeightGivenTwice'; Category = 'InvalidArgument'; Command = { Invoke-RedisRebalance -Weight @{ $Masters[0].Id = 2; $Masters[0].EndPoint = 3 } } }
        @{ Case = 'a threshold of 0'; Id = 'InvalidThreshold'; Category = 'InvalidArgument'; Command = { Invoke-RedisRebalance -Threshold 0 } }
    ) {
        $err = Get-ErrorRecord $Command
        $err.FullyQualifiedErrorId | Should -Be "$Id,RedisCluster.Commands.InvokeRedisRebalanceCommand"
        $err.CategoryInfo.Category | Should -Be $Category
        Get-TestNodeState -Node $Nodes | Should -Be $Unchanged
    }
}
