BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'replica-pw-1'
    $script:Cred = New-TestCredential $Password

    $script:Members = [System.Collections.Generic.List[object]]::new()
    $Members.AddRange(@(New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password))
    $script:Entry = $Members[0].EndPoint
    $script:Data = Write-TestData -Node $Members -Password $Password -Count 200
    Wait-TestClusterOk -Node $Members -Replicas 3 -Synced

    function Get-View { Get-TestNodeView $Entry $Password }
    function Get-Master { Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } }

    function Join-EmptyMaster([hashtable] $Setting = @{}) {
        # An empty master joined by redis-cli, not by the module under test.
        $node = Start-TestNode -Password $Password -Setting $Setting
        $Members.Add($node)
        Add-ByRedisCli $node $Entry
        Wait-TestClusterOk -Node $Members -Synced
        $node
    }

    function Add-ByRedisCli([object] $Node, [string] $Existing) {
        $env:REDISCLI_AUTH = $Password
        try { $out = & redis-cli --no-auth-warning --cluster add-node $Node.EndPoint $Existing 2>&1 }
        finally { Remove-Item Env:REDISCLI_AUTH }
        if ($LASTEXITCODE -ne 0) { throw "redis-cli --cluster add-node failed: $out" }
    }

    function Assert-Replicates([string] $EndPoint, [object] $Master) {
        # As the replica itself reports it: the new master, link up, first sync over, the master's data.
        $info = Invoke-RedisCli $EndPoint $Password INFO replication
        $info | Should -Contain "master_host:$(($Master.EndPoint -split ':')[0])"
        $info | Should -Contain "master_port:$(($Master.EndPoint -split ':')[1])"
        $info | Should -Contain 'master_link_status:up'
        $info | Should -Contain 'master_sync_in_progress:0'
        Invoke-RedisCli $EndPoint $Password DBSIZE | Should -Be (Invoke-RedisCli $Master.EndPoint $Password DBSIZE)
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Set-RedisClusterReplica' {
    It 'moves every replica piped from Get-RedisClusterNode under one master, and each is synced when it is written' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $target = Get-Master | Select-Object -First 1
        $moved = @(Get-RedisClusterNode | Where-Object Role -eq replica | Set-RedisClusterReplica -MasterId $target.Id -WarningVariable warnings -WarningAction SilentlyContinue)

        $moved.Count | Should -Be 3
        $moved | ForEach-Object { $_ | Should -BeOfType ([RedisCluster.RedisClusterNode]); $_.MasterId | Should -Be $target.Id }
        foreach ($replica in $moved) { Assert-Replicates $replica.EndPoint $target }
        # The two masters left without a replica are named.
        @($warnings | Where-Object { "$_" -like '*keeps no replica once*' }).Count | Should -Be 2

        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'makes an empty master a replica, reached through -EndPoint with -Credential, the master named by an id prefix' {
        $node = Join-EmptyMaster
        $master = Get-Master | Select-Object -Last 1
        $replica = Set-RedisClusterReplica -EndPoint $node.EndPoint -Credential $Cred -MasterId $master.Id.Substring(0, 10)

        $replica.EndPoint | Should -Be $node.EndPoint
        $replica.Role | Should -Be 'Replica'
        $replica.MasterId | Should -Be $master.Id
        Assert-Replicates $node.EndPoint $master
        # Every node lists it under that master.
        foreach ($n in $Members) { (Get-TestNodeView $n.EndPoint $Password | Where-Object Id -eq $replica.NodeId).MasterId | Should -Be $master.Id }

        Wait-TestClusterOk -Node $Members -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'changes nothing for a replica already under that master, and returns it' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        $before = Get-TestNodeState -Node $Members -Password $Password
        $same = Set-RedisClusterReplica -EndPoint $replica.EndPoint -Credential $Cred -MasterId $replica.MasterId
        $same.NodeId | Should -Be $replica.Id
        $same.MasterId | Should -Be $replica.MasterId
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It '-WhatIf prints the plan and changes nothing' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        $other = Get-Master | Where-Object Id -ne $replica.MasterId | Select-Object -First 1
        $before = Get-TestNodeState -Node $Members -Password $Password
        $env:REDISCLUSTER_TEST_PASSWORD = $Password
        $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('default', (ConvertTo-SecureString `$env:REDISCLUSTER_TEST_PASSWORD -AsPlainText -Force))
Set-RedisClusterReplica -EndPoint $($replica.EndPoint) -Credential `$cred -MasterId $($other.Id) -WhatIf
"@ | Out-String
        $output | Should -BeLike "*What if*Set Redis cluster replica*Make $($replica.EndPoint) ($($replica.Id.Substring(0, 8)))*a replica of $($other.EndPoint) ($($other.Id.Substring(0, 8)))*"
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
    }

    It 'takes -MasterId only as given: a piped replica does not bind its own master' {
        $parameter = (Get-Command Set-RedisClusterReplica).Parameters['MasterId']
        @($parameter.Attributes | Where-Object { $_ -is [Parameter] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) }) | Should -BeNullOrEmpty
        $before = Get-TestNodeState -Node $Members -Password $Password
        # In a non-interactive shell, as scheduled scripts run: a missing mandatory parameter is an error, not a prompt.
        $env:REDISCLUSTER_TEST_PASSWORD = $Password
        $output = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('default', (ConvertTo-SecureString `$env:REDISCLUSTER_TEST_PASSWORD -AsPlainText -Force))
Get-RedisClusterNode -EndPoint $Entry -Credential `$cred -Role Replica | Select-Object -First 1 | Set-RedisClusterReplica
"@ | Out-String
        # The console wraps the message: match its pieces.
        $output | Should -BeLike '*missing mandatory*parameters: MasterId*'
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
    }

    It 'completes -MasterId with the masters only' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $line = 'Set-RedisClusterReplica -MasterId '
        $offered = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Sort-Object)
        $offered | Should -Be @(Get-View | Where-Object IsMaster | ForEach-Object Id | Sort-Object)
    }
}

Describe 'Set-RedisClusterReplica refuses what Redis would refuse obscurely, and changes nothing' {
    BeforeAll {
        function Assert-Refused([scriptblock] $Attempt, [string] $ErrorId, [string] $Category, [string] $Message) {
            $before = Get-TestNodeState -Node $Members -Password $Password
            $err = Get-ErrorRecord $Attempt
            $err.FullyQualifiedErrorId | Should -Be "$ErrorId,RedisCluster.Commands.SetRedisClusterReplicaCommand"
            $err.CategoryInfo.Category | Should -Be $Category
            "$err" | Should -BeLike $Message
            Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
        }
    }

    It 'refuses a -MasterId of a replica, of no node, or that is no id' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        $otherReplica = Get-View | Where-Object { $_.Flags -contains 'slave' -and $_.Id -ne $replica.Id } | Select-Object -First 1
        Assert-Refused { Set-RedisClusterReplica -EndPoint $replica.EndPoint -Credential $Cred -MasterId $otherReplica.Id } NotAMaster InvalidArgument `
            "-MasterId names $($otherReplica.EndPoint) ($($otherReplica.Id.Substring(0, 8))), which is a replica of $($otherReplica.MasterId.Substring(0, 8)): only a master can take replicas. Get-RedisClusterNode -Role Master lists them."
        Assert-Refused { Set-RedisClusterReplica -EndPoint $replica.EndPoint -Credential $Cred -MasterId 'abcdef0123456789' } NodeNotFound ObjectNotFound `
            "No node of the cluster has the id abcdef0123456789... (as seen from *)."
        Assert-Refused { Set-RedisClusterReplica -EndPoint $replica.EndPoint -Credential $Cred -MasterId 'no-such-id' } InvalidNodeId InvalidArgument "'no-such-id' is not a node id*"
    }

    It 'refuses a node that is to replicate itself' {
        $master = Get-Master | Select-Object -First 1
        Assert-Refused { Set-RedisClusterReplica -EndPoint $master.EndPoint -Credential $Cred -MasterId $master.Id } ReplicaOfItself InvalidArgument `
            "$($master.EndPoint) ($($master.Id.Substring(0, 8))) cannot replicate itself: give the id of another master."
    }

    It 'refuses a master that owns slots' {
        $masters = @(Get-Master)
        Assert-Refused { Set-RedisClusterReplica -EndPoint $masters[0].EndPoint -Credential $Cred -MasterId $masters[1].Id } MasterOwnsSlots InvalidOperation `
            "$($masters[0].EndPoint) ($($masters[0].Id.Substring(0, 8))) is a master that owns * slot(s) (*): a replica owns no slots, so they would be lost to the cluster. Move its slots to other masters first; nothing was changed."
    }

    It 'refuses a master without slots that still holds keys' {
        $node = Join-EmptyMaster -Setting @{ 'enable-debug-command' = 'yes' }
        # DEBUG POPULATE ignores slot ownership: keys in slots the node does not own.
        $null = Invoke-RedisCli $node.EndPoint $Password DEBUG POPULATE 2
        try {
            Assert-Refused { Set-RedisClusterReplica -EndPoint $node.EndPoint -Credential $Cred -MasterId (Get-Master | Select-Object -First 1).Id } NodeHoldsKeys InvalidOperation `
                "* is a master without slots that still holds 2 key(s) (in slots it does not own): Redis turns only an empty master into a replica.*"
        } finally { $null = Invoke-RedisCli $node.EndPoint $Password FLUSHALL }
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'refuses a node the cluster does not know, and goes on with the next piped one' {
        $stranger = Start-TestNode -Password $Password
        try {
            $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
            $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
            $before = Get-TestNodeState -Node $Members -Password $Password
            $result = @([pscustomobject]@{ EndPoint = $stranger.EndPoint }, [pscustomobject]@{ EndPoint = $replica.EndPoint } |
                Set-RedisClusterReplica -MasterId $replica.MasterId -ErrorVariable errors -ErrorAction SilentlyContinue)
            $errors[0].FullyQualifiedErrorId | Should -Be 'NodeNotFound,RedisCluster.Commands.SetRedisClusterReplicaCommand'
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            "$($errors[0])" | Should -BeLike "$($stranger.EndPoint) is not a node of the cluster (as seen from *)."
            $result.NodeId | Should -Be $replica.Id
            Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
        } finally { Stop-TestNode -Node $stranger }
    }
}

Describe 'Set-RedisClusterReplica when Redis moves the replica away' {
    BeforeAll {
        # A 3+3 cluster of its own, replica migration on as Redis ships it, and a fourth master that got a slot in a
        # reshard and has no replica: Redis moves a replica there from any master that has two.
        $script:Own = @(New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password)
        $script:Orphan = Start-TestNode -Password $Password
        Add-ByRedisCli $Orphan $Own[0].EndPoint
        $script:Own += $Orphan
        Wait-TestClusterOk -Node $Own -Replicas 3
        $orphanId = (Get-TestNodeView $Orphan.EndPoint $Password | Where-Object { $_.Flags -contains 'myself' }).Id
        $source = Get-TestNodeView $Own[0].EndPoint $Password | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -First 1
        $slot = ($source.Slots[0] -split '-')[0]
        $null = Invoke-RedisCli $Orphan.EndPoint $Password CLUSTER SETSLOT $slot IMPORTING $source.Id
        $null = Invoke-RedisCli $source.EndPoint $Password CLUSTER SETSLOT $slot MIGRATING $orphanId
        foreach ($n in @($Orphan) + @(Get-TestNodeView $Own[0].EndPoint $Password | Where-Object IsMaster)) {
            $null = Invoke-RedisCli $n.EndPoint $Password CLUSTER SETSLOT $slot NODE $orphanId
        }
        $script:OwnData = Write-TestData -Node $Own -Password $Password -Count 50
        Wait-TestClusterOk -Node $Own -Replicas 3 -Synced
    }
    AfterAll { Stop-TestNode -Node $Own }

    It 'warns, then stops with ReplicaMigrated instead of waiting for a sync that cannot come' {
        # Of the two replicas the target master then has, Redis moves the one with the smaller id, 5 s later: ours
        # has the smallest id of all, and its first sync is slowed down (a second per key written) so the move comes first.
        $view = Get-TestNodeView $Own[0].EndPoint $Password
        $ours = $view | Where-Object { $_.Flags -contains 'slave' } | Sort-Object Id | Select-Object -First 1
        $target = $view | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 -and $_.Id -ne $ours.MasterId -and $_.EndPoint -ne $Orphan.EndPoint } | Select-Object -First 1
        $null = Invoke-RedisCli $target.EndPoint $Password CONFIG SET rdb-key-save-delay 1000000
        try {
            $reported = @(Set-RedisClusterReplica -EndPoint $ours.EndPoint -Credential $Cred -MasterId $target.Id -ErrorAction Continue 2>&1 3>&1)
            $err = $reported | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Select-Object -First 1
            "$($reported | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })" | Should -BeLike "*$($Orphan.EndPoint) own(s) slots without a replica: Redis's replica migration may move one of $($target.EndPoint)'s 2 replicas there at once*"
            $err.FullyQualifiedErrorId | Should -Be 'ReplicaMigrated,RedisCluster.Commands.SetRedisClusterReplicaCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            "$err" | Should -Be ("Redis moved $($ours.EndPoint) from $($target.EndPoint) to $($Orphan.EndPoint) by replica migration: $($Orphan.EndPoint) owned slots without a replica, " +
                "and $($target.EndPoint) had more replicas than cluster-migration-barrier asks for. It now replicates $($Orphan.EndPoint). " +
                "To keep a replica under $($target.EndPoint), give $($Orphan.EndPoint) a replica of its own first (or set cluster-allow-replica-migration no).")
            # The master's sync delay, lowered for the sync, is its own again.
            (Invoke-RedisCli $target.EndPoint $Password CONFIG GET repl-diskless-sync-delay)[1] | Should -Be '5'
        } finally { $null = Invoke-RedisCli $target.EndPoint $Password CONFIG SET rdb-key-save-delay 0 }
        Wait-TestClusterOk -Node $Own -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Own -Password $Password -ExpectedData $OwnData
    }
}
