BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'add-pw-1'
    $script:Cred = New-TestCredential $Password

    # One 3+3 cluster for the file, made by redis-cli; tests that add nodes keep it whole and check it after.
    $script:Members = [System.Collections.Generic.List[object]]::new()
    $Members.AddRange(@(New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password))
    $script:Entry = $Members[0].EndPoint
    $script:Data = Write-TestData -Node $Members -Password $Password -Count 200
    Wait-TestClusterOk -Node $Members -Replicas 3 -Synced

    function Get-Master([int] $Slot = -1) {
        # The masters as a node other than the module sees them; with -Slot, the one that owns it.
        Get-TestNodeView $Entry $Password | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } |
            Where-Object { $Slot -lt 0 -or (Get-SlotSet $_.Slots).Contains($Slot) }
    }

    function Start-NewNode([int] $Count = 1, [hashtable] $Setting = @{}) {
        # Nodes that join the file's cluster are stopped with it.
        $new = @(Start-TestNode -Count $Count -Password $Password -Setting $Setting)
        $Members.AddRange($new)
        $new
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Add-RedisClusterNode' {
    It 'joins an empty master that takes a slot move at once, without CLUSTERDOWN' {
        $new = Start-NewNode
        $added = @(Add-RedisClusterNode -EndPoint $Entry -Credential $Cred -NewNode $new.EndPoint)

        $added.Count | Should -Be 1
        $added[0] | Should -BeOfType ([RedisCluster.RedisClusterNode])
        $added[0].EndPoint | Should -Be $new.EndPoint
        $added[0].Role | Should -Be 'Master'
        $added[0].SlotCount | Should -Be 0
        # Every node knows it, it knows every node, and its node timeout is its own again.
        foreach ($n in $Members) {
            $line = Get-TestNodeView $n.EndPoint $Password | Where-Object Id -eq $added[0].NodeId
            $line.Flags | Should -Not -Contain 'handshake'
        }
        @(Get-TestNodeView $new.EndPoint $Password).Count | Should -Be $Members.Count
        (Invoke-RedisCli $new.EndPoint $Password CLUSTER INFO) -match '^cluster_state:' | Should -Be 'cluster_state:ok'
        (Invoke-RedisCli $new.EndPoint $Password CONFIG GET cluster-node-timeout)[1] | Should -Be '2000'

        # What a reshard does first, at once: redis-cli's add-node leaves the target in cluster_state:fail here,
        # which answers the MIGRATE with CLUSTERDOWN and leaves the slot open.
        $key = 'k:1'
        $slot = [int](Invoke-RedisCli $Entry $Password CLUSTER KEYSLOT $key)
        $source = Get-Master -Slot $slot
        Invoke-RedisCli $new.EndPoint $Password CLUSTER SETSLOT $slot IMPORTING $source.Id | Should -Be 'OK'
        Invoke-RedisCli $source.EndPoint $Password CLUSTER SETSLOT $slot MIGRATING $added[0].NodeId | Should -Be 'OK'
        $keys = @(Invoke-RedisCli $source.EndPoint $Password CLUSTER GETKEYSINSLOT $slot 1000)
        # MIGRATE's AUTH goes through stdin, never on a command line.
        Invoke-RedisCli $source.EndPoint $Password -InputLines "MIGRATE $($new.Host) $($new.Port) `"`" 0 5000 AUTH $Password KEYS $($keys -join ' ')" | Should -Be 'OK'
        foreach ($n in @($new) + @(Get-Master | Sort-Object { $_.Id -ne $source.Id })) {
            Invoke-RedisCli $n.EndPoint $Password CLUSTER SETSLOT $slot NODE $added[0].NodeId | Should -Be 'OK'
        }
        Invoke-RedisCli $Entry $Password -c GET $key | Should -Be $Data[$key]

        Wait-TestClusterOk -Node $Members -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'joins a replica of the master named by an id prefix, with its first sync over when it returns' {
        # The master with the fewest replicas: were another master left without one, Redis's replica migration
        # could move the new replica there.
        $view = Get-TestNodeView $Entry $Password
        $master = Get-Master | Sort-Object { $id = $_.Id; @($view | Where-Object MasterId -eq $id).Count } | Select-Object -First 1
        $new = Start-NewNode
        $added = Add-RedisClusterNode -EndPoint $Entry -Credential $Cred -NewNode $new.EndPoint -MasterId $master.Id.Substring(0, 8)

        $added.Role | Should -Be 'Replica'
        $added.MasterId | Should -Be $master.Id
        $info = Invoke-RedisCli $new.EndPoint $Password INFO replication
        $info | Should -Contain "master_host:$(($master.EndPoint -split ':')[0])"
        $info | Should -Contain "master_port:$(($master.EndPoint -split ':')[1])"
        $info | Should -Contain 'master_link_status:up'
        $info | Should -Contain 'master_sync_in_progress:0'
        # A usable copy at once: it holds the master's data.
        Invoke-RedisCli $new.EndPoint $Password DBSIZE | Should -Be (Invoke-RedisCli $master.EndPoint $Password DBSIZE)

        Wait-TestClusterOk -Node $Members -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'takes piped objects with an EndPoint property as new nodes, reached with the current connection''s credentials' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        # Start-TestNode writes objects with EndPoint, as New-RedisClusterNode does. EndPoint binds to -NewNode,
        # never to the way into the cluster.
        $new = Start-NewNode -Count 2
        $added = @($new | Add-RedisClusterNode)

        @($added.EndPoint | Sort-Object) | Should -Be @($new.EndPoint | Sort-Object)
        $added.Role | Should -Be @('Master', 'Master')
        # The output carries the connection: it pipes on without credentials.
        @($added | Get-RedisClusterNode).Count | Should -Be 2

        Wait-TestClusterOk -Node $Members -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It '-WhatIf prints the plan and changes nothing' {
        $new = Start-TestNode -Password $Password
        try {
            $before = Get-TestNodeState -Node (@($Members) + $new) -Password $Password
            $env:REDISCLUSTER_TEST_PASSWORD = $Password
            # What-if text goes to the host, not to a stream: read it from a child process's console.
            $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('default', (ConvertTo-SecureString `$env:REDISCLUSTER_TEST_PASSWORD -AsPlainText -Force))
Add-RedisClusterNode -EndPoint $Entry -Credential `$cred -NewNode $($new.EndPoint) -MasterId $((Get-Master | Select-Object -First 1).Id) -WhatIf
"@ | Out-String
            # Console lines may wrap: match short pieces.
            $output | Should -BeLike "*What if*Add nodes to Redis cluster*Add 1 node(s) to the cluster of $($Members.Count) nodes*replica*$($new.EndPoint)*"
            Get-TestNodeState -Node (@($Members) + $new) -Password $Password | Should -Be $before
        } finally { Stop-TestNode -Node $new }
    }
}

Describe 'Add-RedisClusterNode refuses unfit nodes and changes nothing' {
    BeforeAll {
        function Assert-Refused([object[]] $Candidate, [string] $ErrorId, [string] $Category, [string] $Message, [hashtable] $Extra = @{}) {
            # Every node, the cluster's and the offered ones, reads the same before and after.
            $watched = @($Members) + @($Candidate | Where-Object { $_.PSObject.Properties['Dir'] -and -not $_.NoClusterState })
            $before = Get-TestNodeState -Node $watched -Password $Password
            $err = Get-ErrorRecord { Add-RedisClusterNode -EndPoint $Entry -Credential $Cred -NewNode $Candidate.EndPoint -ConnectTimeoutSeconds 2 @Extra }
            $err.FullyQualifiedErrorId | Should -Be "$ErrorId,RedisCluster.Commands.AddRedisClusterNodeCommand"
            $err.CategoryInfo.Category | Should -Be $Category
            "$err" | Should -BeLike $Message
            Get-TestNodeState -Node $watched -Password $Password | Should -Be $before
        }
    }

    It 'refuses a node that holds keys' {
        $full = Start-TestNode -Password $Password -Setting @{ 'enable-debug-command' = 'yes' }
        try {
            # DEBUG POPULATE ignores slot ownership: a node without slots that holds keys.
            $null = Invoke-RedisCli $full.EndPoint $Password DEBUG POPULATE 3
            Assert-Refused $full NodeNotEmpty InvalidOperation "Nodes that cannot join the cluster (nothing was changed): $($full.EndPoint): it holds 3 key(s); a node joins empty. A node from an earlier cluster can be reused after Reset-RedisClusterNode -Hard (with -DeleteData for its keys; a master that still owns slots must first move them to other masters of its cluster)."
        } finally { Stop-TestNode -Node $full }
    }

    It 'refuses a node that owns slots' {
        $owner = Start-TestNode -Password $Password
        try {
            $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER ADDSLOTSRANGE 100 199
            Assert-Refused $owner NodeNotEmpty InvalidOperation "*$($owner.EndPoint): it owns slots 100-199: it belongs to another cluster.*"
        } finally { Stop-TestNode -Node $owner }
    }

    It 'refuses a node that already knows other nodes' {
        $pair = Start-TestNode -Count 2 -Password $Password
        try {
            $null = Invoke-RedisCli $pair[0].EndPoint $Password CLUSTER MEET $pair[1].Host $pair[1].Port
            Wait-Until { @(Get-TestNodeView $pair[0].EndPoint $Password | Where-Object { $_.Flags -notcontains 'handshake' }).Count -eq 2 } -Because 'the two nodes have met'
            Assert-Refused $pair[0] NodeNotEmpty InvalidOperation "*$($pair[0].EndPoint): it already knows 1 other node(s) ($($pair[1].EndPoint)): it belongs to another cluster.*"
        } finally { Stop-TestNode -Node $pair }
    }

    It 'refuses a node without cluster support' {
        $plain = Start-TestNode -NoCluster -Password $Password
        try {
            $plain | Add-Member NoClusterState $true
            Assert-Refused $plain ClusterSupportDisabled InvalidOperation "*$($plain.EndPoint): cluster support is disabled (set 'cluster-enabled yes' in its config and restart it).*"
        } finally { Stop-TestNode -Node $plain }
    }

    It 'refuses a node that cannot be reached' {
        $dead = [pscustomobject]@{ EndPoint = "127.0.0.1:$(Get-FreeNodePort)" }
        Assert-Refused $dead ConnectionRefused ConnectionError "*$($dead.EndPoint) refused the connection*"
    }

    It 'names every unfit node in one message, with the id of the first' {
        $owner = Start-TestNode -Password $Password
        $plain = Start-TestNode -NoCluster -Password $Password
        $good = Start-TestNode -Password $Password
        try {
            $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER ADDSLOTS 7
            $plain | Add-Member NoClusterState $true
            Assert-Refused @($good, $plain, $owner) ClusterSupportDisabled InvalidOperation "Nodes that cannot join the cluster (nothing was changed): $($plain.EndPoint): cluster support is disabled*. $($owner.EndPoint): it owns slots 7: it belongs to another cluster. A node from an earlier cluster can be reused after Reset-RedisClusterNode*"
        } finally { Stop-TestNode -Node $owner, $plain, $good }
    }

    It 'refuses a node of this cluster' {
        $member = $Members[1]
        Assert-Refused $member NodeAlreadyInCluster InvalidArgument "*$($member.EndPoint): it is already a node of this cluster (*"
    }

    It 'refuses a node given twice, under one name or two' {
        $spare = Start-TestNode -Password $Password
        try {
            Assert-Refused @($spare, $spare) DuplicateEndPoint InvalidArgument "Each node may be given once; repeated: $($spare.EndPoint)."
            $alias = [pscustomobject]@{ EndPoint = "localhost:$($spare.Port)" }
            Assert-Refused @($spare, $alias) DuplicateEndPoint InvalidArgument "These endpoints reach the same node: $($spare.EndPoint) = localhost:$($spare.Port)."
        } finally { Stop-TestNode -Node $spare }
    }

    It 'refuses a -MasterId that is no id, names no node, or names a replica' {
        $spare = Start-TestNode -Password $Password
        try {
            Assert-Refused $spare InvalidNodeId InvalidArgument "'xyz' is not a node id*" @{ MasterId = 'xyz' }
            Assert-Refused $spare NodeNotFound ObjectNotFound "No node of the cluster has the id 0123456789abcdef...*" @{ MasterId = '0123456789abcdef' }
            $replica = Get-TestNodeView $Entry $Password | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
            Assert-Refused $spare NotAMaster InvalidArgument "-MasterId names $($replica.EndPoint) ($($replica.Id.Substring(0, 8))), which is a replica of $($replica.MasterId.Substring(0, 8)): only a master can take replicas. Get-RedisClusterNode -Role Master lists them." @{ MasterId = $replica.Id }
        } finally { Stop-TestNode -Node $spare }
    }

    It 'refuses piped objects that carry no endpoint, and adds nothing' {
        $before = Get-TestNodeState -Node $Members -Password $Password
        $added = Get-Date | Add-RedisClusterNode -EndPoint $Entry -Credential $Cred -ErrorVariable errors -ErrorAction SilentlyContinue
        $added | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,RedisCluster.Commands.AddRedisClusterNodeCommand'
        "$($errors[0])" | Should -BeLike '*A DateTime is not an endpoint: give strings, or objects with an EndPoint property.*'
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
    }

    It 'refuses to add to a cluster that is not ok, where no new node could ever report ok' {
        $lone = Start-TestNode -Password $Password
        $spare = Start-TestNode -Password $Password
        try {
            $null = Invoke-RedisCli $lone.EndPoint $Password CLUSTER ADDSLOTSRANGE 0 99
            $before = Get-TestNodeState -Node $lone, $spare -Password $Password
            $err = Get-ErrorRecord { Add-RedisClusterNode -EndPoint $lone.EndPoint -Credential $Cred -NewNode $spare.EndPoint }
            $err.FullyQualifiedErrorId | Should -Be 'ClusterNotOk,RedisCluster.Commands.AddRedisClusterNodeCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            "$err" | Should -Be "The cluster is not ok, so a new node could never report ok in it (nothing was changed): $($lone.EndPoint) reports cluster_state:fail; 16284 slots are not covered. Add nodes once Get-RedisClusterInfo shows every node ok."
            Get-TestNodeState -Node $lone, $spare -Password $Password | Should -Be $before
        } finally { Stop-TestNode -Node $lone, $spare }
    }
}

Describe 'Add-RedisClusterNode when the join cannot finish' {
    BeforeAll {
        # A cluster of its own: the nodes keep a handshake with the unreachable node for a while.
        $script:Small = New-TestCluster -Masters 3 -ReplicasPerMaster 0 -Password $Password
        function Start-CutOffNode {
            # It announces a bus port where nothing listens: no cluster node can ever finish meeting it.
            Start-TestNode -Password $Password -Setting @{ 'cluster-announce-bus-port' = 9 }
        }
        # Joined as a replica of this master, which lowers its diskless sync delay for the first sync too.
        $script:SmallMaster = $Small[0]
        $script:SmallMasterId = (Get-TestNodeView $SmallMaster.EndPoint $Password | Where-Object { $_.Flags -contains 'myself' }).Id
        function Get-JoinSettings([object] $Cut) {
            # What the join lowers while it waits, on the new node and on the master: it must be back afterwards.
            '{0} {1}' -f (Invoke-RedisCli $Cut.EndPoint $Password CONFIG GET cluster-node-timeout)[1],
                (Invoke-RedisCli $SmallMaster.EndPoint $Password CONFIG GET repl-diskless-sync-delay)[1]
        }
    }
    AfterAll { Stop-TestNode -Node $Small }

    It 'gives up after -TimeoutSeconds with ClusterNotSettled, says why, and puts the node timeout back' {
        $cut = Start-CutOffNode
        try {
            $err = Get-ErrorRecord { Add-RedisClusterNode -EndPoint $Small[0].EndPoint -Credential $Cred -NewNode $cut.EndPoint -MasterId $SmallMasterId -TimeoutSeconds 2 }
            $err.FullyQualifiedErrorId | Should -Be 'ClusterNotSettled,RedisCluster.Commands.AddRedisClusterNodeCommand'
            $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
            "$err" | Should -BeLike "Waiting for the new nodes and the cluster to know each other: not done after 2 s. Still unsettled: *has not yet met $($cut.EndPoint)*cluster bus port (port + 10000, or cluster-announce-bus-port)*"
            Get-JoinSettings $cut | Should -Be '2000 5'
            Assert-ClusterInvariant -Node $Small -Password $Password
        } finally { Stop-TestNode -Node $cut }
    }

    It 'puts the lowered node timeout and sync delay back when stopped mid-join (Ctrl+C)' {
        $cut = Start-CutOffNode
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
            $null = $shell.AddCommand('Add-RedisClusterNode').AddParameter('EndPoint', $Small[0].EndPoint).AddParameter('Credential', $Cred).
                AddParameter('NewNode', $cut.EndPoint).AddParameter('MasterId', $SmallMasterId).AddParameter('TimeoutSeconds', 600)
            $running = $shell.BeginInvoke()
            Wait-Until { (Get-JoinSettings $cut) -eq '500 0' } -Because 'the join has lowered the node timeout and the sync delay' -TimeoutSeconds 20
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
            # The invocation's handle is signalled on another thread, a moment after Stop() returns.
            Wait-Until { $running.IsCompleted } -Because 'the stopped join has ended' -TimeoutSeconds 5
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            # Put back before the stop returned.
            Get-JoinSettings $cut | Should -Be '2000 5'
            Assert-ClusterInvariant -Node $Small -Password $Password
        } finally {
            $shell.Dispose()
            Stop-TestNode -Node $cut
        }
    }
}

Describe 'Growing a cluster across hosts, then writing to every slot at once' {
    BeforeAll {
        # The recipe's 3x2 layout on three loopback "hosts", made by redis-cli.
        $script:Six = foreach ($address in '127.0.0.1', '127.0.0.2', '127.0.0.3') { Start-TestNode -Count 2 -Address $address -Password $Password }
        $env:REDISCLI_AUTH = $Password
        try { $null = & redis-cli --no-auth-warning --cluster create @($Six.EndPoint) --cluster-replicas 1 --cluster-yes 2>&1 }
        finally { Remove-Item Env:REDISCLI_AUTH }
        Wait-TestClusterOk -Node $Six -Replicas 3

        # One key per slot, all 16384.
        $script:SlotKeys = [string[]]::new(16384)
        $found = 0
        for ($i = 0; $found -lt 16384; $i++) {
            $key = "{t$i}"
            $slot = [RedisCluster.HashSlot]::Of($key)
            if (-not $SlotKeys[$slot]) { $SlotKeys[$slot] = $key; $found++ }
        }
    }
    AfterAll { Stop-TestNode -Node $Six }

    It 'adds a node on each of two hosts, makes one a replica of a master on another host, and every slot takes a write' {
        $new = @(Start-TestNode -Address 127.0.0.1 -Password $Password) + @(Start-TestNode -Address 127.0.0.2 -Password $Password)
        $all = @($Six) + $new
        try {
            $added = @($new | Add-RedisClusterNode -EndPoint $Six[0].EndPoint -Credential $Cred)
            $added.Count | Should -Be 2
            $master = Get-TestNodeView $Six[0].EndPoint $Password | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 -and $_.EndPoint -notlike '127.0.0.1:*' } | Select-Object -First 1
            $replica = $added | Where-Object EndPoint -eq $new[0].EndPoint | Set-RedisClusterReplica -MasterId $master.Id
            $replica.MasterId | Should -Be $master.Id

            # At once: one SET per slot through cluster routing, in slot order so redis-cli follows few redirections.
            $data = @{}
            foreach ($key in $SlotKeys) { $data[$key] = "v-$key" }
            $replies = @(Invoke-RedisCli $Six[0].EndPoint $Password -c -InputLines ($SlotKeys | ForEach-Object { "SET $_ v-$_" }) |
                Where-Object { $_ -notlike '-> Redirected to slot*' })
            $replies.Count | Should -Be 16384
            @($replies | Where-Object { $_ -ne 'OK' }) | Should -BeNullOrEmpty

            Wait-TestClusterOk -Node $all -Replicas 4 -Synced
            Assert-ClusterInvariant -Node $all -Password $Password -ExpectedData $data
        } finally { Stop-TestNode -Node $new }
    }
}
