BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'check-pw-1'
    $script:Cred = New-TestCredential $Password
    # Three loopback addresses stand for three hosts.
    $script:Hosts = '127.0.0.1', '127.0.0.2', '127.0.0.3'
    $script:CheckNames = 'NodeReachable', 'NodeHandshake', 'NodeFailing', 'ClusterState', 'SlotMapAgreement', 'SlotCoverage', 'MultipleOwners',
        'OpenSlots', 'StrandedKeys', 'ReplicaLink', 'ReplicaLag', 'MasterWithoutReplica', 'SingleHost', 'ReplicaPlacement', 'MasterPlacement',
        'ConfigConsistency', 'AuthConsistency'

    function Get-Finding([object[]] $Results, [string] $Check) { @($Results | Where-Object { $_.Check -eq $Check -and $_.Severity -ne 'Ok' }) }
    function Get-Problem([object[]] $Results) { @($Results | Where-Object Severity -ne 'Ok') }

    function Wait-ReplicasLinked([object[]] $Node) {
        Wait-Until -TimeoutSeconds 30 -IntervalMilliseconds 100 -Because 'every replica has its link up and its first sync over' {
            $waiting = foreach ($n in $Node) {
                $info = Invoke-RedisCli $n.EndPoint $n.Password INFO replication
                if (($info -match '^role:slave') -and -not ($info -match '^master_link_status:up')) { $n }
            }
            -not $waiting
        }
    }

    # Settings that hold the password are sent through redis-cli's input, never its command line.
    function Set-NodeConfig([object] $Node, [string] $Name, [string] $Value) {
        $reply = Invoke-RedisCli $Node.EndPoint $Node.Password -InputLines "CONFIG SET $Name `"$Value`""
        if ($reply -ne 'OK') { throw "CONFIG SET $Name on $($Node.EndPoint): $reply" }
    }

    function Get-ClusterState([object[]] $Node) {
        # Everything a read-only command must leave as it was: each node's view (flags, roles, slots, open slots) and settings.
        foreach ($n in $Node) {
            (Get-TestNodeView $n.EndPoint $n.Password | Sort-Object Id | ForEach-Object { "$($_.Id) $($_.Flags -join ',') $($_.MasterId) $($_.Slots) $($_.Open)" }) -join '|'
            (Invoke-RedisCli $n.EndPoint $n.Password CONFIG GET cluster-node-timeout) -join '='
        }
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Test-RedisCluster on a cluster over three hosts' {
    BeforeAll {
        $script:Nodes = @(New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password -Address $Hosts -Setting @{ 'enable-debug-command' = 'yes' })
        Wait-ReplicasLinked $Nodes
        $script:View = @(Get-TestNodeView $Nodes[0].EndPoint $Password)
        $script:ByEndPoint = @{}
        foreach ($n in $Nodes) { $ByEndPoint[$n.EndPoint] = $n }
        $script:MasterLines = @($View | Where-Object IsMaster)
        $script:ReplicaLines = @($View | Where-Object { $_.Flags -contains 'slave' })
        function Test-Cluster { Test-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred @args }
    }

    It 'gives one Ok row per check, in a fixed order, and -Quiet gives True' {
        $results = @(Test-Cluster)
        @($results.Check) | Should -Be $CheckNames
        Get-Problem $results | Should -BeNullOrEmpty
        $results | ForEach-Object { $_ | Should -BeOfType ([RedisCluster.RedisClusterCheckResult]) }
        ($results | Where-Object Check -eq 'MasterPlacement').Message | Should -Be 'Masters are spread evenly over hosts (127.0.0.1: 1, 127.0.0.2: 1, 127.0.0.3: 1).'
        ($results | Where-Object Check -eq 'NodeReachable').Message | Should -Be 'All 6 nodes answered.'
        $quiet = Test-Cluster -Quiet
        $quiet | Should -BeOfType ([bool])
        $quiet | Should -BeTrue
    }

    It 'checks the cluster once however many nodes are piped, and its results carry the connection' {
        $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        $results = @(Get-RedisClusterNode -Role master | Test-RedisCluster)
        @($results.Check) | Should -Be $CheckNames
        $results | ForEach-Object { $_.Connection | Should -Be $connection }
        @(Get-RedisClusterNode | Test-RedisCluster -Quiet) | Should -Be @($true)
        # Results pipe back in: they bind their connection.
        @($results | Test-RedisCluster -Quiet) | Should -Be @($true)
    }

    It 'has a table view with Check, Severity, EndPoint and Message' {
        $text = Test-Cluster | Format-Table | Out-String -Width 200
        $text | Should -Match 'Check\s+Severity\s+EndPoint\s+Message'
        $text | Should -BeLike '*SlotCoverage*Ok*All 16384 slots are served.*'
    }

    It 'reads requirepass and masterauth only to learn whether they are set: the password is in no output or debug line' {
        $lines = Test-Cluster -Debug 5>&1 *>&1 | ForEach-Object { "$_"; $_ | Format-List * -Force | Out-String }
        ($lines -join "`n") | Should -BeLike '*<- CONFIG GET requirepass*'
        ($lines -join "`n") | Should -Not -BeLike "*$Password*"
    }

    It 'reports a slot left migrating and importing as OpenSlots errors on both nodes' {
        $source = $MasterLines | Where-Object { $_.Slots -contains '0-5460' }
        $target = $MasterLines | Where-Object Id -ne $source.Id | Select-Object -First 1
        $null = Invoke-RedisCli $target.EndPoint $Password CLUSTER SETSLOT 7 IMPORTING $source.Id
        $null = Invoke-RedisCli $source.EndPoint $Password CLUSTER SETSLOT 7 MIGRATING $target.Id
        try {
            $results = @(Test-Cluster)
            $open = Get-Finding $results OpenSlots
            @($open.EndPoint | Sort-Object) | Should -Be @(@($source.EndPoint, $target.EndPoint) | Sort-Object)
            $open | ForEach-Object { $_.Severity | Should -Be 'Error'; "$($_.Slots)" | Should -Be '7' }
            ($open | Where-Object EndPoint -eq $source.EndPoint).Message | Should -Be "$($source.EndPoint) has open slots: 7 migrating to $($target.EndPoint)."
            ($open | Where-Object EndPoint -eq $source.EndPoint).NodeId | Should -Be $source.Id
            @((Get-Problem $results).Check | Select-Object -Unique) | Should -Be @('OpenSlots')
            Test-Cluster -Quiet | Should -BeFalse
        } finally {
            foreach ($n in $source, $target) { $null = Invoke-RedisCli $n.EndPoint $Password CLUSTER SETSLOT 7 STABLE }
        }
        Get-Problem (Test-Cluster) | Should -BeNullOrEmpty
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    It 'reports a slot its owner dropped as a disagreement, and a slot every node dropped as uncovered' {
        $owner = $MasterLines | Where-Object { $_.Slots -contains '0-5460' }
        try {
            # The owner forgets slot 100 in its own view only: the others still see it as the owner.
            $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER DELSLOTS 100
            $results = @(Test-Cluster)
            $disagreement = @(Get-Finding $results SlotMapAgreement)
            $disagreement.Count | Should -Be 1
            $disagreement[0].EndPoint | Should -Be $owner.EndPoint
            $disagreement[0].Severity | Should -Be 'Error'
            "$($disagreement[0].Slots)" | Should -Be '100'
            Get-Finding $results SlotCoverage | Should -BeNullOrEmpty

            foreach ($n in $Nodes | Where-Object EndPoint -ne $owner.EndPoint) { $null = Invoke-RedisCli $n.EndPoint $Password CLUSTER DELSLOTS 100 }
            $results = @(Test-Cluster)
            $uncovered = @(Get-Finding $results SlotCoverage)
            $uncovered.Count | Should -Be 1
            "$($uncovered[0].Slots)" | Should -Be '100'
            $uncovered[0].Message | Should -Be '1 slot is served by no master: 100.'
            Get-Finding $results SlotMapAgreement | Should -BeNullOrEmpty
            @(Get-Finding $results ClusterState).Count | Should -BeGreaterThan 0
        } finally {
            $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER ADDSLOTS 100
        }
        Wait-TestClusterOk -Node $Nodes -Replicas 3
        Get-Problem (Test-Cluster) | Should -BeNullOrEmpty
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    # Keys are counted by short scripts; a user the ACL denies scripting is served slot by slot, with the same findings.
    It 'reports keys a master holds in a slot it does not own as StrandedKeys, and not keys where they belong (<Name>)' -ForEach @(
        @{ Name = 'scripts allowed'; User = $null }
        @{ Name = 'user without scripting'; User = 'checker' }
    ) {
        $credential = $Cred
        if ($User) {
            $credential = [pscredential]::new($User, (ConvertTo-SecureString 'checker-pw' -AsPlainText -Force))
            foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint $Password -InputLines "ACL SETUSER $User on >checker-pw ~* &* +@all -@scripting" }
        }
        function Test-Cluster { Test-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $credential @args }
        $data = Write-TestData -Node $Nodes -Password $Password -Count 200
        $master = $MasterLines[0]
        $owned = Get-SlotSet $master.Slots
        # A hash tag whose slot another master owns: DEBUG POPULATE writes there regardless of ownership.
        $tag = 'a', 'b', 'c', 'd', 'e', 'f', 'g' | Where-Object { -not $owned.Contains([int](Invoke-RedisCli $master.EndPoint $Password CLUSTER KEYSLOT $_)) } | Select-Object -First 1
        $slot = [int](Invoke-RedisCli $master.EndPoint $Password CLUSTER KEYSLOT $tag)
        try {
            Get-Problem (Test-Cluster) | Should -BeNullOrEmpty
            $null = Invoke-RedisCli $master.EndPoint $Password DEBUG POPULATE 3 "{$tag}"
            $commands = @(Test-Cluster -Debug 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
            # Its own slots, then (as it holds more keys) the others, in scripts of at most 1024 slots each; without
            # scripting, one COUNTKEYSINSLOT per slot.
            $scripts = [Math]::Ceiling($owned.Count / 1024) + [Math]::Ceiling((16384 - $owned.Count) / 1024)
            @($commands -like "$($master.EndPoint) <- CLUSTER COUNTKEYSINSLOT *").Count | Should -Be $(if ($User) { 16384 } else { 0 })
            # A node that refused the scripts for its own slots is not offered them again for the others.
            $expectedScripts = if ($User) { [Math]::Ceiling($owned.Count / 1024) } else { $scripts }
            @($commands -like "$($master.EndPoint) <- EVAL <script of * lines> 0 *").Count | Should -Be $expectedScripts
            $results = @(Test-Cluster)
            $stranded = @(Get-Finding $results StrandedKeys)
            $stranded.Count | Should -Be 1
            $stranded[0].EndPoint | Should -Be $master.EndPoint
            $stranded[0].NodeId | Should -Be $master.Id
            $stranded[0].Severity | Should -Be 'Error'
            "$($stranded[0].Slots)" | Should -Be "$slot"
            $stranded[0].Message | Should -Be "$($master.EndPoint) holds 3 keys in 1 slot it does not own ($slot): no client reaches them there."
        } finally {
            foreach ($m in $MasterLines) { $null = Invoke-RedisCli $m.EndPoint $Password FLUSHALL }
        }
        Get-Problem (Test-Cluster) | Should -BeNullOrEmpty
        if ($User) { foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint $Password ACL DELUSER $User } }
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    It 'reports a replica whose link to its master is down' {
        $replica = $ByEndPoint[$ReplicaLines[0].EndPoint]
        try {
            Set-NodeConfig $replica masterauth 'not-the-password'
            $null = Invoke-RedisCli $replica.EndPoint $Password CLIENT KILL TYPE master
            Wait-Until { (Invoke-RedisCli $replica.EndPoint $Password INFO replication) -match '^master_link_status:down' } -Because 'the replica lost its link'
            $link = @(Get-Finding (Test-Cluster) ReplicaLink)
            $link.Count | Should -Be 1
            $link[0].EndPoint | Should -Be $replica.EndPoint
            $link[0].Severity | Should -Be 'Warning'
            $master = $View | Where-Object Id -eq $ReplicaLines[0].MasterId
            $link[0].Message | Should -BeIn "Replica $($replica.EndPoint) has its link to $($master.EndPoint) down: it receives no writes.", "Replica $($replica.EndPoint) is still in a full sync with $($master.EndPoint): it is no usable copy yet."
        } finally {
            Set-NodeConfig $replica masterauth $Password
        }
        Wait-ReplicasLinked $Nodes
        Get-Problem (Test-Cluster) | Should -BeNullOrEmpty
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    It 'reports a replica moved to the master on its own host (ReplicaPlacement) and the master it left (MasterWithoutReplica)' {
        # Redis would send a spare replica to the orphaned master after 5 s: not while this test looks.
        foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint $Password CONFIG SET cluster-allow-replica-migration no }
        $replica = $ReplicaLines[0]
        $left = $View | Where-Object Id -eq $replica.MasterId
        $sameHost = $MasterLines | Where-Object { ($_.EndPoint -split ':')[0] -eq ($replica.EndPoint -split ':')[0] }
        try {
            $null = Invoke-RedisCli $replica.EndPoint $Password CLUSTER REPLICATE $sameHost.Id
            Wait-Until -Because 'every node sees the replica under its new master' {
                @($Nodes | Where-Object { (Get-TestNodeView $_.EndPoint $Password | Where-Object Id -eq $replica.Id).MasterId -ne $sameHost.Id }).Count -eq 0
            }
            $results = @(Test-Cluster)
            $placement = @(Get-Finding $results ReplicaPlacement)
            $placement.Count | Should -Be 1
            $placement[0].EndPoint | Should -Be $replica.EndPoint
            $placement[0].Severity | Should -Be 'Warning'
            $placement[0].Message | Should -Be "$($replica.EndPoint) replicates $($sameHost.EndPoint) on the same host ($(($replica.EndPoint -split ':')[0])): losing that host loses both."
            $alone = @(Get-Finding $results MasterWithoutReplica)
            $alone.Count | Should -Be 1
            $alone[0].EndPoint | Should -Be $left.EndPoint
            $alone[0].Severity | Should -Be 'Warning'
        } finally {
            $null = Invoke-RedisCli $replica.EndPoint $Password CLUSTER REPLICATE $left.Id
            Wait-Until -Because 'every node sees the replica back under its master' {
                @($Nodes | Where-Object { (Get-TestNodeView $_.EndPoint $Password | Where-Object Id -eq $replica.Id).MasterId -ne $left.Id }).Count -eq 0
            }
            foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint $Password CONFIG SET cluster-allow-replica-migration yes }
        }
        Wait-ReplicasLinked $Nodes
        Get-Problem (Test-Cluster) | Should -BeNullOrEmpty
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    It 'reports a node whose cluster-node-timeout differs from the others' {
        $odd = $Nodes[4]
        try {
            $null = Invoke-RedisCli $odd.EndPoint $Password CONFIG SET cluster-node-timeout 3000
            $results = @(Test-Cluster)
            $config = @(Get-Finding $results ConfigConsistency)
            $config.Count | Should -Be 1
            $config[0].EndPoint | Should -Be $odd.EndPoint
            $config[0].Severity | Should -Be 'Warning'
            $config[0].Message | Should -Be "$($odd.EndPoint) has cluster-node-timeout 3000 ms, 5 other nodes have 2000 ms: nodes would judge failures and fail over on different clocks."
            @((Get-Problem $results).Check | Select-Object -Unique) | Should -Be @('ConfigConsistency')
        } finally {
            $null = Invoke-RedisCli $odd.EndPoint $Password CONFIG SET cluster-node-timeout 2000
        }
        Get-Problem (Test-Cluster) | Should -BeNullOrEmpty
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    It 'reports a node without masterauth among nodes that have it' {
        $odd = $ByEndPoint[$MasterLines[1].EndPoint]
        try {
            Set-NodeConfig $odd masterauth ''
            $results = @(Test-Cluster)
            $auth = @(Get-Finding $results AuthConsistency)
            $auth.Count | Should -Be 1
            $auth[0].EndPoint | Should -Be $odd.EndPoint
            $auth[0].Severity | Should -Be 'Warning'
            $auth[0].Message | Should -BeLike "$($odd.EndPoint) has no masterauth, 5 other nodes have one: *"
            @((Get-Problem $results).Check | Select-Object -Unique) | Should -Be @('AuthConsistency')
        } finally {
            Set-NodeConfig $odd masterauth $Password
        }
        Get-Problem (Test-Cluster) | Should -BeNullOrEmpty
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    It 'reports a node still in a handshake' {
        $meeting = $Nodes[2]
        $nowhere = Get-FreeNodePort
        try {
            # A handshake lasts the node timeout: long enough here to be seen.
            $null = Invoke-RedisCli $meeting.EndPoint $Password CONFIG SET cluster-node-timeout 30000
            $null = Invoke-RedisCli $meeting.EndPoint $Password CLUSTER MEET 127.0.0.1 $nowhere
            $results = @(Test-Cluster)
            $shaking = @(Get-Finding $results NodeHandshake)
            $shaking.Count | Should -Be 1
            $shaking[0].EndPoint | Should -Be "127.0.0.1:$nowhere"
            $shaking[0].Severity | Should -Be 'Warning'
            $shaking[0].Message | Should -BeLike "127.0.0.1:$nowhere is still in a handshake with $($meeting.EndPoint)*"
            # Nothing listens there, but it is no member yet: not an unreachable node.
            Get-Finding $results NodeReachable | Should -BeNullOrEmpty
        } finally {
            $null = Invoke-RedisCli $meeting.EndPoint $Password CONFIG SET cluster-node-timeout 2000
        }
        Wait-Until { -not ((Invoke-RedisCli $meeting.EndPoint $Password CLUSTER NODES) -match 'handshake') } -Because 'the handshake timed out'
        Get-Problem (Test-Cluster) | Should -BeNullOrEmpty
        Assert-ClusterInvariant -Node $Nodes -Password $Password
    }

    It 'counts failure domains from -HostOf: two hosts in one rack put replicas beside their masters' {
        $racks = @{ '127.0.0.1' = 'rack-a'; '127.0.0.2' = 'rack-a'; '127.0.0.3' = 'rack-b' }
        $expected = @(foreach ($replica in $ReplicaLines) {
                $master = $View | Where-Object Id -eq $replica.MasterId
                if ($racks[($replica.EndPoint -split ':')[0]] -eq $racks[($master.EndPoint -split ':')[0]]) { $replica.EndPoint }
            })
        # Every derangement of three hosts pairs 127.0.0.1 with 127.0.0.2 at least once.
        $expected.Count | Should -BeGreaterThan 0
        $results = @(Test-Cluster -HostOf $racks)
        $placement = @(Get-Finding $results ReplicaPlacement)
        @($placement.EndPoint | Sort-Object) | Should -Be @($expected | Sort-Object)
        $placement | ForEach-Object { $_.Message | Should -BeLike '* on the same host (rack-a): losing that host loses both.' }
        # Two masters in rack-a, one in rack-b: one apart is even enough.
        (Get-Finding $results MasterPlacement) | Should -BeNullOrEmpty
        ($results | Where-Object Check -eq 'MasterPlacement').Message | Should -Be 'Masters are spread evenly over hosts (rack-a: 2, rack-b: 1).'
        # Endpoints may be mapped one by one too.
        $byEndPoint = @{}
        foreach ($n in $Nodes) { $byEndPoint[$n.EndPoint] = 'zone-1' }
        $single = @(Test-Cluster -HostOf $byEndPoint | Where-Object Check -eq SingleHost)
        $single.Count | Should -Be 1
        $single[0].Severity | Should -Be 'Warning'
    }

    It 'rejects a host map entry without a domain with InvalidHostMap, before any node is asked' -ForEach @(
        @{ Map = @{ '127.0.0.1' = '' } }, @{ Map = @{ '127.0.0.1' = $null } }, @{ Map = @{ '' = 'rack-a' } }
    ) {
        $before = Get-ClusterState $Nodes
        $err = Get-ErrorRecord { Test-Cluster -HostOf $Map }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidHostMap,RedisCluster.Commands.TestRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-ClusterState $Nodes | Should -Be $before
    }

    It 'rejects a malformed endpoint with InvalidEndPoint' {
        $before = Get-ClusterState $Nodes
        $err = Get-ErrorRecord { Test-RedisCluster -EndPoint 'redis://127.0.0.1:6379' }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidEndPoint,RedisCluster.Commands.TestRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-ClusterState $Nodes | Should -Be $before
    }

    It 'refuses a wrong password with AuthenticationFailed' {
        $before = Get-ClusterState $Nodes
        $err = Get-ErrorRecord { Test-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential (New-TestCredential 'wrong-pw') }
        $err.FullyQualifiedErrorId | Should -Be 'AuthenticationFailed,RedisCluster.Commands.TestRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        Get-ClusterState $Nodes | Should -Be $before
    }

    It 'needs a cluster to talk to: NoConnection' {
        Disconnect-RedisCluster
        $err = Get-ErrorRecord { Test-RedisCluster }
        $err.FullyQualifiedErrorId | Should -Be 'NoConnection,RedisCluster.Commands.TestRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
    }
}

Describe 'Test-RedisCluster when no node answers' {
    It 'reports it as a NodeReachable error, and -Quiet gives False, within the connect timeout' {
        $nowhere = "127.0.0.1:$(Get-FreeNodePort)"
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $results = @(Test-RedisCluster -EndPoint $nowhere -ConnectTimeoutSeconds 2)
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $results.Count | Should -Be 1
        $results[0].Check | Should -Be 'NodeReachable'
        $results[0].Severity | Should -Be 'Error'
        $results[0].EndPoint | Should -Be $nowhere
        $results[0].Message | Should -BeLike 'No node of the cluster answered, so nothing else could be checked: *'
        Test-RedisCluster -EndPoint $nowhere -ConnectTimeoutSeconds 2 -Quiet | Should -BeFalse
    }
}

Describe 'Test-RedisCluster on one host' {
    BeforeAll {
        $script:OneHost = @(New-TestCluster -Masters 3 -ReplicasPerMaster 1)
        Wait-ReplicasLinked $OneHost
    }

    It 'gives exactly one SingleHost warning and no per-node placement rows' {
        $results = @(Test-RedisCluster -EndPoint $OneHost[0].EndPoint)
        $problems = Get-Problem $results
        $problems.Count | Should -Be 1
        $problems[0].Check | Should -Be 'SingleHost'
        $problems[0].Severity | Should -Be 'Warning'
        $problems[0].Message | Should -Be 'All 6 nodes run on one host (127.0.0.1): losing it loses the cluster, whatever the placement.'
        $results | Where-Object { $_.Check -in 'ReplicaPlacement', 'MasterPlacement' } | Should -BeNullOrEmpty
        @($results.Check) | Should -Be @($CheckNames | Where-Object { $_ -notin 'ReplicaPlacement', 'MasterPlacement' })
        Test-RedisCluster -EndPoint $OneHost[0].EndPoint -Quiet | Should -BeFalse
    }

    It 'places by the failure domains -HostOf gives, by endpoint' {
        $view = Get-TestNodeView $OneHost[0].EndPoint
        $racks = @{}
        $rack = 0
        # Each master and its replica in racks of their own: an even spread.
        foreach ($master in $view | Where-Object IsMaster) {
            $racks[$master.EndPoint] = "rack-$rack"
            $replica = $view | Where-Object MasterId -eq $master.Id
            $racks[$replica.EndPoint] = "rack-$(($rack + 1) % 3)"
            $rack++
        }
        $results = @(Test-RedisCluster -EndPoint $OneHost[0].EndPoint -HostOf $racks)
        @($results.Check) | Should -Be $CheckNames
        Get-Problem $results | Should -BeNullOrEmpty
        ($results | Where-Object Check -eq SingleHost).Message | Should -Be 'Nodes run on 3 hosts.'
    }
}

Describe 'A master that dies and comes back as a replica (the state that starts every placement problem)' {
    BeforeAll {
        $script:Seed = @(New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password -Address $Hosts)
        Wait-ReplicasLinked $Seed
    }

    It 'reports the dead node at once, the failover''s flags, then masters spread unevenly until the placement is fixed' {
        $view = Get-TestNodeView $Seed[0].EndPoint $Password
        $victimLine = $view | Where-Object { $_.IsMaster -and $_.EndPoint -like '127.0.0.1:*' }
        $heirLine = $view | Where-Object MasterId -eq $victimLine.Id
        $victim = $Seed | Where-Object EndPoint -eq $victimLine.EndPoint
        $witness = $Seed | Where-Object { $_.EndPoint -notin $victimLine.EndPoint, $heirLine.EndPoint } | Select-Object -First 1
        Stop-TestNode -Node $victim

        # Unreachable: reported within the connect timeout, not waited for.
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $results = @(Test-RedisCluster -EndPoint $witness.EndPoint -Credential $Cred -ConnectTimeoutSeconds 2)
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $down = @(Get-Finding $results NodeReachable)
        $down.Count | Should -Be 1
        $down[0].EndPoint | Should -Be $victim.EndPoint
        $down[0].NodeId | Should -Be $victimLine.Id
        $down[0].Severity | Should -Be 'Error'

        Wait-Until -TimeoutSeconds 30 -IntervalMilliseconds 200 -Because 'the replica of the dead master is promoted' {
            (Get-TestNodeView $witness.EndPoint $Password | Where-Object Id -eq $heirLine.Id).IsMaster
        }
        $results = @(Test-RedisCluster -EndPoint $witness.EndPoint -Credential $Cred -ConnectTimeoutSeconds 2)
        (Get-Finding $results NodeFailing).EndPoint | Should -Contain $victim.EndPoint
        (Get-Finding $results NodeFailing)[0].Severity | Should -Be 'Error'
        (Get-Finding $results MasterWithoutReplica).EndPoint | Should -Be $heirLine.EndPoint

        Restart-TestNode -Node $victim
        Wait-Until -TimeoutSeconds 30 -IntervalMilliseconds 100 -Because 'the old master rejoined as a replica of its heir' {
            ((Get-TestNodeView $victim.EndPoint $Password | Where-Object { $_.Flags -contains 'myself' }).Flags -contains 'slave') -and
                (Get-TestNodeView $witness.EndPoint $Password | Where-Object Id -eq $victimLine.Id).Flags -contains 'slave'
        }
        $results = @(Test-RedisCluster -EndPoint $witness.EndPoint -Credential $Cred)
        $uneven = @(Get-Finding $results MasterPlacement)
        $uneven.Count | Should -Be 1
        $uneven[0].Severity | Should -Be 'Warning'
        $heirHost = ($heirLine.EndPoint -split ':')[0]
        $uneven[0].Message | Should -Be "Masters are spread unevenly: $heirHost carries 2, 127.0.0.1 none; losing a busy host takes several shards' masters at once."
        # Until its first sync is over the returned node is no usable copy: a ReplicaLink finding names it, if any.
        (Get-Finding $results ReplicaLink).EndPoint | Where-Object { $_ -ne $victim.EndPoint } | Should -BeNullOrEmpty

        Wait-ReplicasLinked $Seed
        $results = @(Test-RedisCluster -EndPoint $witness.EndPoint -Credential $Cred)
        @((Get-Problem $results).Check) | Should -Be @('MasterPlacement')
        Wait-TestClusterOk -Node $Seed -Replicas 3
        Assert-ClusterInvariant -Node $Seed -Password $Password
    }
}
