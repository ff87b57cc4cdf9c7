BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'read-pw-1'
    $script:Cred = New-TestCredential $Password
    $script:Nodes = New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password
    $script:Connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
    $script:View = Get-TestNodeView $Nodes[0].EndPoint $Password
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Get-RedisClusterNode' {
    BeforeEach { $null = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred }

    It 'returns every node with the fields CLUSTER NODES has' {
        $actual = Get-RedisClusterNode
        $actual.Count | Should -Be 6
        foreach ($expected in $View) {
            $node = $actual | Where-Object NodeId -eq $expected.Id
            $node.EndPoint | Should -Be $expected.EndPoint
            $node.BusPort | Should -Be ($node.Port + 10000)
            $node.LinkState | Should -Be ([RedisCluster.NodeLinkState]::Connected)
            $node.Role | Should -Be $(if ($expected.IsMaster) { [RedisCluster.NodeRole]::Master } else { [RedisCluster.NodeRole]::Replica })
            "$($node.Slots)" | Should -Be ($expected.Slots -join ',')
            $node.RawFlags | Should -Be ($expected.Flags -join ',')
            if (-not $expected.IsMaster) { $node.MasterId | Should -Be $expected.MasterId } else { $node.MasterId | Should -BeNullOrEmpty }
        }
        ($actual | Where-Object IsMyself).EndPoint | Should -Be $Nodes[0].EndPoint
    }

    It 'filters with Where Role -eq master as operators write it' {
        $masters = Get-RedisClusterNode | Where-Object Role -eq master
        $masters.Count | Should -Be 3
        ($masters | Measure-Object SlotCount -Sum).Sum | Should -Be 16384
        $masters | ForEach-Object { $_ -is [RedisCluster.RedisClusterNode] | Should -BeTrue }
    }

    It 'filters by -Role, taking "slave" as Redis writes it' {
        (Get-RedisClusterNode -Role Replica).Count | Should -Be 3
        @(Get-RedisClusterNode -Role slave).NodeId | Should -Be @(Get-RedisClusterNode -Role Replica).NodeId
        (Get-RedisClusterNode -Role ([RedisCluster.NodeRole]::Master)).Count | Should -Be 3
    }

    It 'finds a node by its whole id in any case, or by a unique prefix of 8 or more characters' {
        $one = $View[1].Id
        (Get-RedisClusterNode -NodeId $one).NodeId | Should -Be $one
        (Get-RedisClusterNode -NodeId $one.ToUpperInvariant()).NodeId | Should -Be $one
        (Get-RedisClusterNode -NodeId $one.Substring(0, 8)).NodeId | Should -Be $one
    }

    It 'reports an id no node has as ObjectNotFound and goes on with the others' {
        $errors = $null
        $found = Get-RedisClusterNode -NodeId ('0' * 40), $View[2].Id -ErrorVariable errors -ErrorAction SilentlyContinue
        $found.NodeId | Should -Be $View[2].Id
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'NodeNotFound,RedisCluster.Commands.GetRedisClusterNodeCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors[0].TargetObject | Should -Be ('0' * 40)
    }

    It 'rejects text that is no node id with InvalidArgument' -ForEach @(@{ Id = 'abc' }, @{ Id = '1234567' }, @{ Id = 'g' * 40 }) {
        $err = Get-ErrorRecord { Get-RedisClusterNode -NodeId $Id }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidNodeId,RedisCluster.Commands.GetRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'rejects an unknown role' {
        $err = Get-ErrorRecord { Get-RedisClusterNode -Role Primary2 }
        $err.FullyQualifiedErrorId | Should -Be 'CannotConvertArgumentNoMessage,RedisCluster.Commands.GetRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refreshes piped nodes: each binds its NodeId and Connection' {
        $replicas = Get-RedisClusterNode -Role Replica
        $again = $replicas | Get-RedisClusterNode
        @($again.NodeId) | Should -Be @($replicas.NodeId)
    }

    It 'shows open slots while a slot is being moved' {
        $source = $View | Where-Object { $_.IsMaster -and $_.Slots -contains '0-5460' }
        $target = $View | Where-Object { $_.IsMaster -and $_.Id -ne $source.Id } | Select-Object -First 1
        $null = Invoke-RedisCli $source.EndPoint $Password CLUSTER SETSLOT 7 MIGRATING $target.Id
        try {
            $node = Get-RedisClusterNode -EndPoint $source.EndPoint -Credential $Cred | Where-Object IsMyself
            $node.MigratingSlots.Slot | Should -Be 7
            $node.MigratingSlots.PeerId | Should -Be $target.Id
            "$($node.MigratingSlots)" | Should -Be "7->-$($target.Id.Substring(0, 8))"
            ($node | Format-Table | Out-String -Width 200) | Should -BeLike "*open: 7->-$($target.Id.Substring(0, 8))*"
        } finally {
            $null = Invoke-RedisCli $source.EndPoint $Password CLUSTER SETSLOT 7 STABLE
        }
    }

    It 'has a table view with 8-character ids and each node''s state' {
        $text = Get-RedisClusterNode | Format-Table | Out-String -Width 200
        $text | Should -BeLike '*NodeId*EndPoint*Role*MasterId*State*Epoch*SlotCount*Slots*'
        $text | Should -BeLike '*0-5460*'
        $text | Should -BeLike "*$($View[0].Id.Substring(0, 8)) *"
        $text | Should -Not -BeLike "*$($View[0].Id)*"
        @(($text -split "`n") | Where-Object { $_ -match ' ok ' }).Count | Should -Be 6
    }

    It 'shows a failing node as failing in the table' {
        # A node that joins and then dies ends up flagged fail: the view must say so.
        $node = Start-TestNode -Password $Password -Setting @{ 'cluster-node-timeout' = 500 }
        try {
            $null = Invoke-RedisCli $node.EndPoint $Password CLUSTER MEET 127.0.0.1 $Nodes[0].Port
            Wait-Until { (Get-TestNodeView $node.EndPoint $Password).Count -eq 7 } -Because 'the extra node knows the cluster'
            Stop-TestNode -Node $node
            Wait-Until { (Get-TestNodeView $Nodes[0].EndPoint $Password | Where-Object EndPoint -eq $node.EndPoint).Flags -contains 'fail' } -Because 'the stopped node is flagged fail' -TimeoutSeconds 20
            $text = Get-RedisClusterNode | Format-Table | Out-String -Width 200
            ($text -split "`n" | Where-Object { $_ -like "*$($node.EndPoint)*" }) | Should -Match ' fail '
        } finally {
            foreach ($n in $Nodes) {
                $id = (Get-TestNodeView $n.EndPoint $Password | Where-Object EndPoint -eq $node.EndPoint).Id
                if ($id) { $null = Invoke-RedisCli $n.EndPoint $Password CLUSTER FORGET $id }
            }
        }
    }
}

Describe 'Output that survives export' {
    BeforeAll { $script:All = Get-RedisClusterNode -Connection $Connection }

    It 'gives ids as plain strings: string methods, hashtable keys, JSON' {
        $node = $All | Where-Object Role -eq Replica | Select-Object -First 1
        $node.NodeId | Should -BeOfType ([string])
        $node.MasterId | Should -BeOfType ([string])
        $node.NodeId.Substring(0, 8) | Should -Be $node.NodeId.Remove(8)
        $byId = @{}
        foreach ($n in $All) { $byId[$n.NodeId] = $n.EndPoint }
        $byId[$node.NodeId] | Should -Be $node.EndPoint
        $json = $All | ConvertTo-Json -Depth 4
        $back = $json | ConvertFrom-Json
        @($back.NodeId) | Should -Be @($All.NodeId)
        ($back | Where-Object NodeId -eq $node.NodeId).MasterId | Should -Be $node.MasterId
        $master = $back | Where-Object { $_.Slots.Count -gt 0 } | Select-Object -First 1
        $original = $All | Where-Object NodeId -eq $master.NodeId
        ($master.Slots | ForEach-Object { [RedisCluster.SlotRange]::new($_.Start, $_.End) }) -join ',' | Should -Be "$($original.Slots)"
        $json | Should -Not -BeLike '*IsEmpty*'
    }

    It 'writes slot lists as 0-5460,6000 in CSV and reads them back' {
        $file = Join-Path $TestDrive 'nodes.csv'
        $All | Export-Csv $file
        $rows = Import-Csv $file
        foreach ($row in $rows) {
            $original = $All | Where-Object NodeId -eq $row.NodeId
            $row.Slots | Should -Be "$($original.Slots)"
            $row.MasterId | Should -Be "$($original.MasterId)"
            ([RedisCluster.SlotRangeList]$row.Slots).SlotCount | Should -Be $original.SlotCount
        }
        (Get-Content $file -Raw) | Should -Not -BeLike '*System.Collections*'
        ($rows | Where-Object Role -eq 'Master').Count | Should -Be 3
    }

    It 'exports slot ranges and key slots with plain ids too' {
        $ranges = Get-RedisClusterSlot -Connection $Connection | ConvertTo-Csv | ConvertFrom-Csv
        $ranges[0].MasterId | Should -Match '^[0-9a-f]{40}$'
        $ranges[0].ReplicaEndPoints | Should -Match '^127\.0\.0\.1:\d+$'
        ((Get-RedisKeySlot -Key foo -Connection $Connection | ConvertTo-Json | ConvertFrom-Json).NodeId) | Should -Match '^[0-9a-f]{40}$'
    }
}

Describe 'Tab completion from the current connection' {
    BeforeAll { $null = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred }

    It 'completes -NodeId with node ids, by id prefix or by endpoint' {
        $master = $View | Where-Object IsMaster | Select-Object -First 1
        $line = "Get-RedisClusterNode -NodeId $($master.Id.Substring(0, 3))"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain $master.Id
        $line = "Get-RedisClusterNode -NodeId $($master.EndPoint)"
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText) | Should -Be @($master.Id)
        $line = 'Get-RedisClusterNode -NodeId '
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches).Count | Should -Be 6
    }

    It 'completes -EndPoint with the nodes'' endpoints' {
        $line = 'Get-RedisClusterInfo -EndPoint 127.0.0.1:'
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Sort-Object) | Should -Be @($Nodes.EndPoint | Sort-Object)
    }

    It 'completes master ids only where a master is wanted' {
        $completer = [RedisCluster.Internal.MasterIdCompleter]::new()
        $ids = @($completer.CompleteArgument('Any-Command', 'MasterId', '', $null, @{}).CompletionText)
        @($ids | Sort-Object) | Should -Be @(($View | Where-Object IsMaster).Id | Sort-Object)
    }

    It 'offers nothing, and no error, when the cluster cannot be read' {
        $lone = Start-TestNode -Password $Password
        $gone = Connect-RedisCluster -EndPoint $lone.EndPoint -Credential $Cred -ConnectTimeoutSeconds 1
        Stop-TestNode -Node $lone
        $completer = [RedisCluster.Internal.NodeIdCompleter]::new()
        @($completer.CompleteArgument('Get-RedisClusterNode', 'NodeId', '', $null, @{ Connection = $gone })).Count | Should -Be 0
        $null = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
    }
}

Describe 'Get-RedisClusterInfo' {
    It 'reports every node healthy and in agreement' {
        $info = Get-RedisClusterInfo -Connection $Connection
        $info.Count | Should -Be 6
        $info | ForEach-Object {
            $_.IsReachable | Should -BeTrue
            $_.State | Should -Be 'ok'
            $_.SlotsAssigned | Should -Be 16384
            $_.KnownNodes | Should -Be 6
            $_.AgreesOnSlots | Should -BeTrue
        }
    }

    It 'returns only the nodes piped in' {
        $masters = Get-RedisClusterNode -Connection $Connection -Role Master
        @(($masters | Get-RedisClusterInfo).NodeId | Sort-Object) | Should -Be @($masters.NodeId | Sort-Object)
    }

    It 'shows with -Debug the commands sent to each node' {
        $debug = Get-RedisClusterInfo -Connection $Connection -Debug 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        foreach ($n in $Nodes) { "$debug" | Should -BeLike "*$($n.EndPoint) <- CLUSTER INFO*" }
    }

    It 'shows the commands too when $DebugPreference asks, as scheduled scripts set it' {
        $DebugPreference = 'Continue'
        $debug = Get-RedisClusterNode -Connection $Connection 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        "$debug" | Should -BeLike "*<- CLUSTER NODES*"
        $DebugPreference = 'SilentlyContinue'
        @(Get-RedisClusterNode -Connection $Connection 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -Be 0
    }
}

Describe 'Bad input to the read cmdlets' {
    It '<Command> rejects a malformed -EndPoint with InvalidArgument' -ForEach @(
        @{ Command = 'Get-RedisClusterNode' }, @{ Command = 'Get-RedisClusterInfo' },
        @{ Command = 'Get-RedisClusterSlot' }, @{ Command = 'Connect-RedisCluster' }
    ) {
        $err = Get-ErrorRecord { & $Command -EndPoint '127.0.0.1:99999' -Credential $Cred }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidEndPoint,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$err" | Should -BeLike '*port between 1 and 65535*'
    }

    It 'Get-RedisKeySlot refuses a null key' {
        $err = Get-ErrorRecord { Get-RedisKeySlot -Key $null }
        $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentValidationErrorNullNotAllowed,RedisCluster.Commands.GetRedisKeySlotCommand'
    }

    It 'Get-RedisKeySlot refuses piped node objects instead of hashing their display text' {
        $errors = $null
        $slots = Get-RedisClusterNode -Connection $Connection | Get-RedisKeySlot -ErrorVariable errors -ErrorAction SilentlyContinue
        $slots | Should -BeNullOrEmpty
        $errors.Count | Should -Be 6
        $errors[0].FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,RedisCluster.Commands.GetRedisKeySlotCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($errors[0])" | Should -BeLike '*A RedisClusterNode is not a key name*'
    }

    It 'Get-RedisClusterInfo reports a wrong password as SecurityError' {
        $err = Get-ErrorRecord { Get-RedisClusterInfo -EndPoint $Nodes[0].EndPoint -Credential (New-TestCredential 'wrong') }
        $err.FullyQualifiedErrorId | Should -Be 'AuthenticationFailed,RedisCluster.Commands.GetRedisClusterInfoCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
    }

    It 'Disconnect-RedisCluster refuses what is not a connection' {
        $err = Get-ErrorRecord { Disconnect-RedisCluster -Connection 'not a connection' }
        $err.FullyQualifiedErrorId | Should -Be 'CannotConvertArgumentNoMessage,RedisCluster.Commands.DisconnectRedisClusterCommand'
    }
}

Describe 'Get-RedisClusterSlot' {
    It 'lists the three ranges with master and replica' {
        $ranges = Get-RedisClusterSlot -Connection $Connection
        $ranges.Count | Should -Be 3
        ($ranges | ForEach-Object { $_.Range.ToString() }) -join ' ' | Should -Be '0-5460 5461-10922 10923-16383'
        $ranges | ForEach-Object { $_.ReplicaEndPoints.Count | Should -Be 1; $_.IsCovered | Should -BeTrue }
    }

    It 'shows only the slots asked for with -Slot, as numbers, ranges or one list' {
        $ranges = Get-RedisClusterSlot -Connection $Connection -Slot 0-100, 5000, '16000-16001,5461'
        ($ranges | ForEach-Object { "$($_.Range)" }) -join ' ' | Should -Be '0-100 5000 5461 16000-16001'
        $owner = $View | Where-Object { $_.Slots -contains '10923-16383' }
        ($ranges | Where-Object Start -eq 16000).MasterId | Should -Be $owner.Id
    }

    It 'shows uncovered slots as such' {
        $owner = $View | Where-Object { $_.Slots -contains '10923-16383' }
        $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER DELSLOTS 16383
        try {
            $ranges = Get-RedisClusterSlot -EndPoint $owner.EndPoint -Credential $Cred
            $gap = $ranges | Where-Object { -not $_.IsCovered }
            $gap.Range.ToString() | Should -Be '16383'
            ($ranges | Measure-Object SlotCount -Sum).Sum | Should -Be 16384
        } finally {
            $null = Invoke-RedisCli $owner.EndPoint $Password CLUSTER ADDSLOTS 16383
        }
    }
}

Describe 'Get-RedisKeySlot' {
    It 'works without any connection' {
        Disconnect-RedisCluster
        $slot = Get-RedisKeySlot -Key 'foo'
        $slot.Slot | Should -Be 12182
        $slot.NodeId | Should -BeNullOrEmpty
    }

    It 'takes keys from the pipeline, and its own output, and reports the hash tag' {
        Disconnect-RedisCluster
        $slots = '{user1000}.following', '{user1000}.followers', 'foo{}{bar}' | Get-RedisKeySlot
        $slots[0].Slot | Should -Be $slots[1].Slot
        $slots[0].HashTag | Should -Be 'user1000'
        $slots[2].HashTag | Should -BeNullOrEmpty
        @(($slots | Get-RedisKeySlot).Key) | Should -Be @($slots.Key)
    }

    It 'agrees with CLUSTER KEYSLOT on thousands of generated keys' {
        $random = [Random]::new(4242)
        $alphabet = 'ab{}{x}é€😀 _:-'.ToCharArray() + [char[]](97..122)
        $keys = [System.Collections.Generic.List[string]]::new()
        $keys.AddRange([string[]]@('', '{', '}', '{}', '{}{a}', '{a', 'a}', '{{a}}', 'x{a}y{b}', '{user}.{x}', ('k' * 5000), 'ключ', '日本語{タグ}'))
        while ($keys.Count -lt 3000) {
            $length = $random.Next(1, 40)
            $chars = for ($i = 0; $i -lt $length; $i++) { $alphabet[$random.Next($alphabet.Length)] }
            $keys.Add(-join $chars)
        }
        $ours = $keys | Get-RedisKeySlot | ForEach-Object Slot
        # Keys go to redis-cli as hex-escaped quoted strings so that every byte arrives as UTF-8.
        $lines = foreach ($key in $keys) {
            $hex = ([Text.Encoding]::UTF8.GetBytes($key) | ForEach-Object { '\x{0:x2}' -f $_ }) -join ''
            "CLUSTER KEYSLOT `"$hex`""
        }
        $server = @(Invoke-RedisCli $Nodes[0].EndPoint $Password -InputLines $lines)
        $server.Count | Should -Be $keys.Count
        $mismatches = for ($i = 0; $i -lt $keys.Count; $i++) { if ([int]$server[$i] -ne $ours[$i]) { $keys[$i] } }
        $mismatches | Should -BeNullOrEmpty
    }

    It 'names the owning node when connected' {
        $null = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        $slot = Get-RedisKeySlot -Key 'foo'
        $owner = $View | Where-Object { $_.Slots -contains '10923-16383' }
        $slot.NodeId | Should -Be $owner.Id
        $slot.EndPoint | Should -Be $owner.EndPoint
    }
}

Describe 'Reading a cluster with dead nodes' {
    BeforeAll {
        $script:Own = New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password
        $script:OwnView = Get-TestNodeView $Own[0].EndPoint $Password
        # Two replicas other than the node the reads go through: their ports refuse at once.
        $script:Dead = $Own | Where-Object { $_.EndPoint -in ($OwnView | Where-Object { -not $_.IsMaster }).EndPoint -and $_.EndPoint -ne $Own[0].EndPoint } | Select-Object -First 2
        Stop-TestNode -Node $Dead
    }
    AfterAll { Stop-TestNode -Node $Own }

    It 'reports stopped nodes as unreachable, with empty counters, instead of failing' {
        $info = Get-RedisClusterInfo -EndPoint $Own[0].EndPoint -Credential $Cred -ConnectTimeoutSeconds 2
        $info.Count | Should -Be 6
        foreach ($victim in $Dead) {
            $down = $info | Where-Object EndPoint -eq $victim.EndPoint
            $down.IsReachable | Should -BeFalse
            $down.Error | Should -Be "$($victim.EndPoint) refused the connection: nothing listens on port $($victim.Port) there."
            $down.SlotsAssigned | Should -BeNullOrEmpty
            $down.KnownNodes | Should -BeNullOrEmpty
            $down.AgreesOnSlots | Should -BeNullOrEmpty
            $row = ($info | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_ -like "$($victim.EndPoint)*" }
            $row | Should -Match "unreachable\s+$([regex]::Escape($victim.EndPoint)) refused" 
        }
        @($info | Where-Object IsReachable).Count | Should -Be 4
    }

    It 'does not wait out the connect timeout on ports that refuse at once' {
        # With a 30 s connect timeout, waiting on a refusing port would take 30 s; refusals are immediate.
        $watch = [Diagnostics.Stopwatch]::StartNew()
        foreach ($i in 1..4) { $null = Get-RedisClusterInfo -EndPoint $Own[0].EndPoint -Credential $Cred -ConnectTimeoutSeconds 30 }
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
    }
}
