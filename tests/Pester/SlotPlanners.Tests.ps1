# The pure slot planners (ReshardPlanner, RebalancePlanner) against redis-cli's own plans on real nodes: redis-cli
# prints its reshard table and then asks to proceed (answered with nothing, so it stops), and --cluster-simulate
# prints the rebalance moves without making them. Both planners must come out the same from the same node's view,
# except where redis-cli moves fewer slots than asked (its rounding leaves a shortfall the planner fills).
BeforeDiscovery {
    $script:ReshardCases = @(
        @{ Layout = '0-5460', '5461-10922', '10923-16383', ''; Count = 4096; From = @() }
        @{ Layout = '0-9999', '10000-12000', '12001-16383', ''; Count = 1000; From = @() }
        @{ Layout = '0-4095', '4096-8191', '8192-12287', '12288-16383'; Count = 10; From = @() }
        @{ Layout = '0-1000', '1001-1234', '1235-16383', ''; Count = 12345; From = @() }
        @{ Layout = '0-1000', '1001-1234', '1235-16000', '16001-16383'; Count = 4567; From = @() }
        @{ Layout = '0-5460', '5461-10923', '10924-16383', ''; Count = 5000; From = 0, 2, 1 }
        @{ Layout = '0-38', '39-77', '', '78-16383'; Count = 10; From = @() }
        @{ Layout = '0-5460', '5461-10922', '10923-16383', ''; Count = 777; From = 2, 0 }
    )
    $script:RebalanceCases = @(
        @{ Layout = '0-5460', '5461-10922', '10923-16383', ''; Weight = @{}; Threshold = 2; UseEmpty = $true }
        @{ Layout = '0-5460', '5461-10922', '10923-16383', ''; Weight = @{ 2 = 0 }; Threshold = 2; UseEmpty = $false }
        @{ Layout = '0-5460', '5461-10922', '10923-16383', ''; Weight = @{ 0 = 0.1; 1 = 0.2; 2 = 0.3 }; Threshold = 2; UseEmpty = $false }
        @{ Layout = '0-7999', '8000-11999', '12000-16383', ''; Weight = @{}; Threshold = 2; UseEmpty = $false }
        @{ Layout = '0-5599', '5600-10999', '11000-16383', ''; Weight = @{}; Threshold = 2; UseEmpty = $false }
        @{ Layout = '0-5599', '5600-10999', '11000-16383', ''; Weight = @{}; Threshold = 3; UseEmpty = $false }
        @{ Layout = '0-999', '1000-1999', '2000-16383', ''; Weight = @{ 0 = 1.5; 1 = 0.7; 3 = 3 }; Threshold = 2; UseEmpty = $true }
        @{ Layout = '0-4000', '4001-4100', '4101-16000', '16001-16383'; Weight = @{ 1 = 2.5; 3 = 5 }; Threshold = 2; UseEmpty = $false }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Nodes = @(Start-TestNode -Count 4)

    # A cluster of the four nodes owning exactly these slots; reset first, since nodes that only drop slots keep
    # being listed as their owners by the others.
    function Set-Layout([string[]] $Layout) {
        foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint '' CLUSTER RESET HARD }
        for ($i = 0; $i -lt $Nodes.Count; $i++) {
            foreach ($range in ($Layout[$i] -split ' ' | Where-Object { $_ })) {
                $first, $last = $range -split '-'
                $null = Invoke-RedisCli $Nodes[$i].EndPoint '' CLUSTER ADDSLOTSRANGE $first $(if ($last) { $last } else { $first })
            }
        }
        foreach ($n in $Nodes | Select-Object -Skip 1) { $null = Invoke-RedisCli $Nodes[0].EndPoint '' CLUSTER MEET $n.Host $n.Port }
        Wait-Until -TimeoutSeconds 20 -IntervalMilliseconds 100 -Because 'all four nodes know each other and agree on the slots' {
            $views = foreach ($n in $Nodes) {
                $view = @(Get-TestNodeView $n.EndPoint '' | Where-Object { $_.Flags -notcontains 'handshake' })
                "$($view.Count) " + (($view | Sort-Object Id | ForEach-Object { "$($_.Id):$($_.Slots -join ',')" }) -join '|')
            }
            @($views | Select-Object -Unique).Count -eq 1 -and $views[0].StartsWith('4 ')
        }
    }

    function Get-Ids { foreach ($n in $Nodes) { (Invoke-RedisCli $n.EndPoint '' CLUSTER MYID).Trim() } }

    # The view of the node redis-cli is pointed at: ties break by its CLUSTER NODES order, in both.
    function Get-Topology { [RedisCluster.ClusterTopology]::Parse([RedisCluster.NodeEndPoint]::Parse($Nodes[0].EndPoint), ((Invoke-RedisCli $Nodes[0].EndPoint '' CLUSTER NODES) -join "`n")) }

    function Get-PlainOutput([object[]] $Lines) { $Lines | ForEach-Object { "$_" -replace '\e\[[0-9;]*m', '' } }
}

AfterAll {
    Stop-TestNode -Node $Nodes
}

Describe 'ReshardPlanner beside redis-cli --cluster reshard' {
    It 'takes the slots redis-cli takes: <Count> from sources <From> (none: all) of [<Layout>]' -ForEach $ReshardCases {
        Set-Layout $Layout
        $ids = @(Get-Ids)
        [string[]] $sources = @($From | ForEach-Object { $ids[$_] })
        $fromArgument = if ($sources) { $sources -join ',' } else { 'all' }
        $before = Get-TestNodeState -Node $Nodes
        $output = Get-PlainOutput ('' | redis-cli --cluster reshard $Nodes[0].EndPoint --cluster-from $fromArgument --cluster-to $ids[3] --cluster-slots $Count 2>&1)
        $byRedisCli = @{}
        foreach ($line in $output) {
            if ($line -match 'Moving slot (\d+) from ([0-9a-f]{40})') {
                if (-not $byRedisCli.ContainsKey($Matches[2])) { $byRedisCli[$Matches[2]] = [System.Collections.Generic.List[int]]::new() }
                $byRedisCli[$Matches[2]].Add([int]$Matches[1])
            }
        }

        $plan = [RedisCluster.ReshardPlanner]::Plan((Get-Topology), $ids[3], $sources, [int]$Count)

        $plan.SlotCount | Should -Be $Count
        $redisCliCount = ($byRedisCli.Values | ForEach-Object Count | Measure-Object -Sum).Sum
        foreach ($transfer in $plan.Transfers) {
            $ours = @($transfer.Slots.AllSlots())
            $theirs = @($byRedisCli[$transfer.SourceId])
            if ($redisCliCount -eq $Count) { "$ours" | Should -Be "$theirs" -Because "$($transfer.SourceEndPoint) gives the same slots" }
            else { $theirs | Where-Object { $ours -notcontains $_ } | Should -BeNullOrEmpty -Because 'redis-cli moved fewer slots than asked, all of them among the planned' }
        }
        @($byRedisCli.Keys | Where-Object { $plan.Transfers.SourceId -notcontains $_ }) | Should -BeNullOrEmpty
        Get-TestNodeState -Node $Nodes | Should -Be $before -Because "redis-cli was told not to proceed"
    }
}

Describe 'RebalancePlanner beside redis-cli --cluster rebalance --cluster-simulate' {
    It 'pairs masters as redis-cli does: threshold <Threshold>, empty masters <UseEmpty>, weights by node index <Weight.Keys> = <Weight.Values> on [<Layout>]' -ForEach $RebalanceCases {
        Set-Layout $Layout
        $ids = @(Get-Ids)
        $weights = [System.Collections.Generic.Dictionary[string, double]]::new()
        foreach ($index in $Weight.Keys) { $weights[$ids[$index]] = $Weight[$index] }
        $arguments = @('--cluster-threshold', "$Threshold")
        if ($weights.Count) { $arguments += '--cluster-weight'; $arguments += @($weights.Keys | ForEach-Object { "$_=$($weights[$_])" }) }
        if ($UseEmpty) { $arguments += '--cluster-use-empty-masters' }
        $before = Get-TestNodeState -Node $Nodes
        $output = Get-PlainOutput (redis-cli --cluster rebalance $Nodes[0].EndPoint --cluster-simulate @arguments 2>&1)
        $byRedisCli = @($output | Where-Object { $_ -match '^Moving (\d+) slots from (\S+) to (\S+)' } | ForEach-Object { "$($Matches[2])>$($Matches[3]):$($Matches[1])" })

        $plan = [RedisCluster.RebalancePlanner]::Plan((Get-Topology), $weights, [double]$Threshold, [bool]$UseEmpty)

        @($plan.Transfers | ForEach-Object { "$($_.SourceEndPoint)>$($_.TargetEndPoint):$($_.SlotCount)" }) | Should -Be $byRedisCli
        $plan.IsWithinThreshold | Should -Be ([bool]($output -match 'No rebalancing needed'))
        Get-TestNodeState -Node $Nodes | Should -Be $before -Because 'a simulated rebalance changes nothing'
    }
}
