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
    It 'returns every node with the fields CLUSTER NODES has' {
        $actual = Get-RedisClusterNode
        $actual.Count | Should -Be 6
        foreach ($expected in $View) {
            $node = $actual | Where-Object { $_.NodeId.ToString() -eq $expected.Id }
            $node.EndPoint | Should -Be $expected.EndPoint
            $node.BusPort | Should -Be ($node.Port + 10000)
            $node.LinkState.ToString() | Should -Be 'Connected'
            $node.Role.ToString() | Should -Be $(if ($expected.IsMaster) { 'Master' } else { 'Replica' })
            ($node.Slots | ForEach-Object ToString) -join ' ' | Should -Be ($expected.Slots -join ' ')
            if (-not $expected.IsMaster) { $node.MasterId.ToString() | Should -Be $expected.MasterId }
        }
        ($actual | Where-Object IsMyself).EndPoint | Should -Be $Nodes[0].EndPoint
    }

    It 'filters with Where Role -eq master as operators write it' {
        $masters = Get-RedisClusterNode | Where-Object Role -eq master
        $masters.Count | Should -Be 3
        ($masters | Measure-Object SlotCount -Sum).Sum | Should -Be 16384
    }

    It 'filters by -Role and -NodeId' {
        (Get-RedisClusterNode -Role Replica).Count | Should -Be 3
        $one = $View[1].Id
        (Get-RedisClusterNode -NodeId $one).NodeId.ToString() | Should -Be $one
        (Get-RedisClusterNode -NodeId $one.ToUpperInvariant()).Count | Should -Be 1
    }

    It 'rejects a malformed node id with InvalidArgument' {
        { Get-RedisClusterNode -NodeId 'abc' } | Should -Throw -ErrorId 'InvalidNodeId*'
    }

    It 'rejects an unknown role' {
        { Get-RedisClusterNode -Role Primary } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'shows open slots while a slot is being moved' {
        $source = $View | Where-Object { $_.IsMaster -and $_.Slots -contains '0-5460' }
        $target = $View | Where-Object { $_.IsMaster -and $_.Id -ne $source.Id } | Select-Object -First 1
        $null = Invoke-RedisCli $source.EndPoint $Password CLUSTER SETSLOT 7 MIGRATING $target.Id
        try {
            $node = Get-RedisClusterNode -EndPoint $source.EndPoint -Credential $Cred | Where-Object IsMyself
            $node.MigratingSlots.Slot | Should -Be 7
            $node.MigratingSlots.PeerId.ToString() | Should -Be $target.Id
        } finally {
            $null = Invoke-RedisCli $source.EndPoint $Password CLUSTER SETSLOT 7 STABLE
        }
    }

    It 'has a table view' {
        $text = Get-RedisClusterNode | Format-Table | Out-String -Width 200
        $text | Should -BeLike '*EndPoint*Role*SlotCount*'
        $text | Should -BeLike '*0-5460*'
    }
}

Describe 'Get-RedisClusterInfo' {
    It 'reports every node healthy and in agreement' {
        $info = Get-RedisClusterInfo
        $info.Count | Should -Be 6
        $info | ForEach-Object {
            $_.IsReachable | Should -BeTrue
            $_.State | Should -Be 'ok'
            $_.SlotsAssigned | Should -Be 16384
            $_.KnownNodes | Should -Be 6
            $_.AgreesOnSlots | Should -BeTrue
        }
    }

    It 'reports a stopped node as unreachable instead of failing' {
        # A replica other than the node the connection reads from.
        $replicaEndPoints = ($View | Where-Object { -not $_.IsMaster }).EndPoint
        $victim = $Nodes | Where-Object { $_.EndPoint -in $replicaEndPoints -and $_.EndPoint -ne $Nodes[0].EndPoint } | Select-Object -First 1
        Stop-TestNode -Node $victim
        $info = Get-RedisClusterInfo -EndPoint $Nodes[0].EndPoint -Credential $Cred -ConnectTimeoutSeconds 2
        $down = $info | Where-Object EndPoint -eq $victim.EndPoint
        $down.IsReachable | Should -BeFalse
        $down.Error | Should -BeLike "*$($victim.EndPoint)*"
        @($info | Where-Object IsReachable).Count | Should -Be 5
    }
}

Describe 'Bad input to the read cmdlets' {
    It '<Command> rejects a malformed -EndPoint with InvalidArgument' -ForEach @(
        @{ Command = 'Get-RedisClusterNode' }, @{ Command = 'Get-RedisClusterInfo' },
        @{ Command = 'Get-RedisClusterSlot' }, @{ Command = 'Connect-RedisCluster' }
    ) {
        $err = $null
        try { & $Command -EndPoint '127.0.0.1:99999' -Credential $Cred } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidEndPoint*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$err" | Should -BeLike '*port between 1 and 65535*'
    }

    It 'Get-RedisKeySlot refuses a null key' {
        { Get-RedisKeySlot -Key $null } | Should -Throw -ErrorId 'ParameterArgumentValidationErrorNullNotAllowed*'
    }

    It 'Get-RedisClusterInfo reports a wrong password as SecurityError' {
        { Get-RedisClusterInfo -EndPoint $Nodes[0].EndPoint -Credential (New-TestCredential 'wrong') } | Should -Throw -ErrorId 'AuthenticationFailed*'
    }

    It 'Disconnect-RedisCluster refuses what is not a connection' {
        { Disconnect-RedisCluster -Connection 'not a connection' } | Should -Throw -ErrorId 'CannotConvertArgument*'
    }
}

Describe 'Get-RedisClusterSlot' {
    It 'lists the three ranges with master and replica' {
        $ranges = Get-RedisClusterSlot
        $ranges.Count | Should -Be 3
        ($ranges | ForEach-Object { $_.Range.ToString() }) -join ' ' | Should -Be '0-5460 5461-10922 10923-16383'
        $ranges | ForEach-Object { $_.ReplicaEndPoints.Count | Should -Be 1; $_.IsCovered | Should -BeTrue }
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

    It 'takes keys from the pipeline and reports the hash tag' {
        $slots = '{user1000}.following', '{user1000}.followers', 'foo{}{bar}' | Get-RedisKeySlot
        $slots[0].Slot | Should -Be $slots[1].Slot
        $slots[0].HashTag | Should -Be 'user1000'
        $slots[2].HashTag | Should -BeNullOrEmpty
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
        $slot.NodeId.ToString() | Should -Be $owner.Id
        $slot.EndPoint | Should -Be $owner.EndPoint
    }
}
