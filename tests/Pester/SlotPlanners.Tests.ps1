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

    # One four-node cluster per distinct layout, all built at once: they converge side by side, in the time one
    # took, instead of one reset and re-meet per case. redis-cli is told not to proceed and --cluster-simulate moves
    # nothing, so a case leaves its cluster as it found it (each checks so), and cases on one layout share it.
    function New-LayoutCluster([object[]] $Case) {
        $layouts = @($Case | Group-Object { $_.Layout -join '|' } | ForEach-Object { , $_.Group[0].Layout })
        $started = @(Start-TestNode -Count (4 * $layouts.Count))
        $clusters = @{}
        for ($c = 0; $c -lt $layouts.Count; $c++) {
            $layout = $layouts[$c]
            $nodes = $started[(4 * $c)..(4 * $c + 3)]
            # One redis-cli per node: its slots, the first node's MEETs (once the others own theirs), and its id last.
            $ids = [string[]]::new(4)
            foreach ($i in 3, 2, 1, 0) {
                $commands = @(foreach ($range in ($layout[$i] -split ' ' | Where-Object { $_ })) { "CLUSTER ADDSLOTSRANGE $($range -replace '^(\d+)$', '$1-$1' -replace '-', ' ')" })
                if ($i -eq 0) { $commands += foreach ($n in $nodes | Select-Object -Skip 1) { "CLUSTER MEET $($n.Host) $($n.Port)" } }
                $ids[$i] = (@(Invoke-RedisCli $nodes[$i].EndPoint '' -InputLines ($commands + 'CLUSTER MYID'))[-1]).Trim()
            }
            $clusters[$layout -join '|'] = [pscustomobject]@{ Nodes = $nodes; Ids = $ids }
        }
        # Only the clusters not yet converged are read again.
        $pending = [System.Collections.Generic.List[object]]::new([object[]]@($clusters.Values))
        Wait-Until -TimeoutSeconds 30 -IntervalMilliseconds 100 -Because 'in every cluster all four nodes know each other and agree on the slots' {
            foreach ($cluster in @($pending)) {
                $views = foreach ($n in $cluster.Nodes) {
                    $view = @(Get-TestNodeView $n.EndPoint '' | Where-Object { $_.Flags -notcontains 'handshake' })
                    "$($view.Count) " + (($view | Sort-Object Id | ForEach-Object { "$($_.Id):$($_.Slots -join ',')" }) -join '|')
                }
                if (@($views | Select-Object -Unique).Count -eq 1 -and $views[0].StartsWith('4 ')) { $null = $pending.Remove($cluster) }
            }
            $pending.Count -eq 0
        }
        $clusters
    }

    # The cluster of the four nodes owning exactly these slots, checked now: a case relies on no other to have left
    # it so.
    function Get-LayoutCluster([string[]] $Layout) {
        $cluster = $Clusters[$Layout -join '|']
        $view = @(Get-TestNodeView $cluster.Nodes[0].EndPoint '')
        for ($i = 0; $i -lt 4; $i++) {
            ($view | Where-Object Id -eq $cluster.Ids[$i]).Slots -join ' ' | Should -Be $Layout[$i] -Because "node $i of the cluster for this layout owns its slots"
        }
        $cluster
    }

    # The view of the node redis-cli is pointed at: ties break by its CLUSTER NODES order, in both.
    function Get-Topology([object] $Node) { [RedisCluster.ClusterTopology]::Parse([RedisCluster.NodeEndPoint]::Parse($Node.EndPoint), ((Invoke-RedisCli $Node.EndPoint '' CLUSTER NODES) -join "`n")) }

    function Get-PlainOutput([object[]] $Lines) { $Lines | ForEach-Object { "$_" -replace '\e\[[0-9;]*m', '' } }
}

AfterAll {
    Stop-TestNode
}

# One block around both planners' cases, so that its setup sees them all: the layouts they share get one cluster.
Describe 'Slot planners beside redis-cli' -ForEach @{ ReshardCases = $ReshardCases; RebalanceCases = $RebalanceCases } {
    BeforeAll {
        $script:Clusters = New-LayoutCluster (@($ReshardCases) + @($RebalanceCases))
    }

    Describe 'ReshardPlanner beside redis-cli --cluster reshard' {
        It 'takes the slots redis-cli takes: <Count> from sources <From> (none: all) of [<Layout>]' -ForEach $ReshardCases {
            $cluster = Get-LayoutCluster $Layout
            $nodes, $ids = $cluster.Nodes, $cluster.Ids
            [string[]] $sources = @($From | ForEach-Object { $ids[$_] })
            $fromArgument = if ($sources) { $sources -join ',' } else { 'all' }
            $before = Get-TestNodeState -Node $nodes
            $output = Get-PlainOutput ('' | redis-cli --cluster reshard $nodes[0].EndPoint --cluster-from $fromArgument --cluster-to $ids[3] --cluster-slots $Count 2>&1)
            $byRedisCli = @{}
            foreach ($line in $output) {
                if ($line -match 'Moving slot (\d+) from ([0-9a-f]{40})') {
                    if (-not $byRedisCli.ContainsKey($Matches[2])) { $byRedisCli[$Matches[2]] = [System.Collections.Generic.List[int]]::new() }
                    $byRedisCli[$Matches[2]].Add([int]$Matches[1])
                }
            }

            $plan = [RedisCluster.ReshardPlanner]::Plan((Get-Topology $nodes[0]), $ids[3], $sources, [int]$Count)

            $plan.SlotCount | Should -Be $Count
            $redisCliCount = ($byRedisCli.Values | ForEach-Object Count | Measure-Object -Sum).Sum
            foreach ($transfer in $plan.Transfers) {
                $ours = @($transfer.Slots.AllSlots())
                $theirs = @($byRedisCli[$transfer.SourceId])
                if ($redisCliCount -eq $Count) { "$ours" | Should -Be "$theirs" -Because "$($transfer.SourceEndPoint) gives the same slots" }
                else {
                    # A set: -notcontains on an array made this check quadratic, seconds for the 12,345-slot case.
                    $planned = [System.Collections.Generic.HashSet[int]]::new([int[]]$ours)
                    $theirs | Where-Object { -not $planned.Contains($_) } | Should -BeNullOrEmpty -Because 'redis-cli moved fewer slots than asked, all of them among the planned'
                }
            }
            @($byRedisCli.Keys | Where-Object { $plan.Transfers.SourceId -notcontains $_ }) | Should -BeNullOrEmpty
            Get-TestNodeState -Node $nodes | Should -Be $before -Because "redis-cli was told not to proceed"
        }
    }

    Describe 'RebalancePlanner beside redis-cli --cluster rebalance --cluster-simulate' {
        It 'pairs masters as redis-cli does: threshold <Threshold>, empty masters <UseEmpty>, weights by node index <Weight.Keys> = <Weight.Values> on [<Layout>]' -ForEach $RebalanceCases {
            $cluster = Get-LayoutCluster $Layout
            $nodes, $ids = $cluster.Nodes, $cluster.Ids
            $weights = [System.Collections.Generic.Dictionary[string, double]]::new()
            foreach ($index in $Weight.Keys) { $weights[$ids[$index]] = $Weight[$index] }
            $arguments = @('--cluster-threshold', "$Threshold")
            if ($weights.Count) { $arguments += '--cluster-weight'; $arguments += @($weights.Keys | ForEach-Object { "$_=$($weights[$_])" }) }
            if ($UseEmpty) { $arguments += '--cluster-use-empty-masters' }
            $before = Get-TestNodeState -Node $nodes
            $output = Get-PlainOutput (redis-cli --cluster rebalance $nodes[0].EndPoint --cluster-simulate @arguments 2>&1)
            $byRedisCli = @($output | Where-Object { $_ -match '^Moving (\d+) slots from (\S+) to (\S+)' } | ForEach-Object { "$($Matches[2])>$($Matches[3]):$($Matches[1])" })

            $plan = [RedisCluster.RebalancePlanner]::Plan((Get-Topology $nodes[0]), $weights, [double]$Threshold, [bool]$UseEmpty)

            @($plan.Transfers | ForEach-Object { "$($_.SourceEndPoint)>$($_.TargetEndPoint):$($_.SlotCount)" }) | Should -Be $byRedisCli
            $plan.IsWithinThreshold | Should -Be ([bool]($output -match 'No rebalancing needed'))
            Get-TestNodeState -Node $nodes | Should -Be $before -Because 'a simulated rebalance changes nothing'
        }
    }
}
