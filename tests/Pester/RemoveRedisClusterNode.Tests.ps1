BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'remove-pw-1'
    $script:Cred = New-TestCredential $Password

    # One 3+3 cluster for the file, made by redis-cli. The tests run in order and each takes one node out of it
    # (a dead replica, a dead empty master, a live master with keys, a live replica), checking the five
    # invariants on what is left: dead masters come first, while three masters can still flag a node as failing
    # and elect a replica. The way in (the first node) stays until its own removal.
    $script:Members = [System.Collections.Generic.List[object]]::new()
    $Members.AddRange(@(New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password))
    $script:Entry = $Members[0].EndPoint
    $script:EntryId = (Get-TestNodeView $Entry $Password | Where-Object { $_.Flags -contains 'myself' }).Id
    $script:Data = Write-TestData -Node $Members -Password $Password -Count 300
    Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
    $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred

    function Get-View([string] $EndPoint) { Get-TestNodeView $EndPoint $Password }
    function Get-Own([string] $EndPoint) { Get-View $EndPoint | Where-Object { $_.Flags -contains 'myself' } }
    function Find-Member([string] $EndPoint) { $Members | Where-Object EndPoint -eq $EndPoint }

    function Remove-Member([string] $EndPoint) { $null = $Members.Remove((Find-Member $EndPoint)) }

    # Every member that answers, with nobody listing the given id any more.
    function Assert-Forgotten([string] $Id) {
        foreach ($m in $Members) { Get-View $m.EndPoint | Where-Object Id -eq $Id | Should -BeNullOrEmpty -Because "$($m.EndPoint) forgot it" }
    }

    # A one-node cluster that owns every slot: another cluster for the reset node to join, and a last master.
    function New-SingleMasterCluster {
        $single = Start-TestNode -Password $Password
        $null = Invoke-RedisCli $single.EndPoint $Password CLUSTER ADDSLOTSRANGE 0 16383
        # Alone it has not learnt its own address, which CLUSTER SLOTS would show: cluster_state is what to wait for.
        Wait-Until -Because 'the lone master serves every slot' { (Invoke-RedisCli $single.EndPoint $Password CLUSTER INFO) -contains 'cluster_state:ok' }
        $single
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Remove-RedisClusterNode' {
    It 'refuses an unknown id; -WhatIf prints the whole plan, and without -Force a script that cannot answer, changes nothing' {
        $before = Get-TestNodeState -Node $Members -Password $Password
        $err = Get-ErrorRecord { Remove-RedisClusterNode -NodeId ('f' * 40) -Force }
        $err.FullyQualifiedErrorId | Should -Be 'NodeNotFound,RedisCluster.Commands.RemoveRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'

        $master = Get-RedisClusterNode -Role Master | Where-Object EndPoint -ne $Entry | Select-Object -First 1
        # A new non-interactive process, as a scheduled task runs: what-if text shows only on a console, and
        # without -Force the confirmation ConfirmImpact High asks for cannot be answered there.
        $env:REDISCLUSTER_TEST_PASSWORD = $Password
        $text = Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('default', (ConvertTo-SecureString `$env:REDISCLUSTER_TEST_PASSWORD -AsPlainText -Force))
Remove-RedisClusterNode -EndPoint $Entry -Credential `$cred -NodeId $($master.NodeId) -WhatIf
Remove-RedisClusterNode -EndPoint $Entry -Credential `$cred -NodeId $($master.NodeId)
"@ | Out-String
        $text | Should -BeLike "*What if*Remove $($master.EndPoint) ($($master.NodeId.Substring(0, 8))), a master of $($master.SlotCount) slot(s):*"
        $text | Should -BeLike "*1. Move its $($master.SlotCount) slots with their keys to 2 other master(s):*"
        $text | Should -BeLike '*2. Re-point its replica(s)*'
        $text | Should -BeLike "*3. CLUSTER FORGET $($master.NodeId) on 5 node(s) at once*"
        $text | Should -BeLike "*4. CLUSTER RESET HARD on $($master.EndPoint)*"
        $text | Should -BeLike '*NonInteractive*'
        # Nothing changed, so the invariants the cluster was made with still hold.
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
    }

    It 'forgets a dead replica and a dead master whose replica took over; refuses a dead master that still owns slots, leaving every node as it was' {
        # A replica of a master other than the way in: that master is left lonely below.
        $replica = Get-RedisClusterNode -Role Replica | Where-Object MasterId -ne $EntryId | Select-Object -First 1
        $script:LonelyId = $replica.MasterId
        Stop-TestNode -Node (Find-Member $replica.EndPoint)
        Remove-Member $replica.EndPoint
        $result = Remove-RedisClusterNode -NodeId $replica.NodeId -Force
        $result.IsReset | Should -BeFalse
        $result.ForgottenBy.Count | Should -Be 5
        Assert-Forgotten $replica.NodeId
        Wait-TestClusterOk -Node $Members -Replicas 2

        # Its master has no replica left: nothing can take its slots over.
        $lonely = Get-RedisClusterNode -NodeId $LonelyId
        $stopped = Find-Member $lonely.EndPoint
        # The nodes keep no data on disk unless told: its keys must survive its restart below.
        $null = Invoke-RedisCli $lonely.EndPoint $Password SAVE
        Stop-TestNode -Node $stopped
        $alive = @($Members | Where-Object EndPoint -ne $lonely.EndPoint)
        try {
            # Two of the three masters flag it: from then on the views stay as they are.
            Wait-Until -Because 'the others flag it as failing' { @($alive | Where-Object { (Get-View $_.EndPoint | Where-Object Id -eq $lonely.NodeId).Flags -notcontains 'fail' }).Count -eq 0 }
            $before = Get-TestNodeState -Node $alive -Password $Password
            $err = Get-ErrorRecord { Remove-RedisClusterNode -NodeId $lonely.NodeId -Force }
            $err.FullyQualifiedErrorId | Should -Be 'DeadMasterOwnsSlots,RedisCluster.Commands.RemoveRedisClusterNodeCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            "$err" | Should -BeLike "$($lonely.EndPoint) ($($lonely.NodeId.Substring(0, 8))) does not answer and still owns $($lonely.SlotCount) slot(s) *Nothing was changed."
            Get-TestNodeState -Node $alive -Password $Password | Should -Be $before
        } finally { Restart-TestNode -Node $stopped }
        Wait-TestClusterOk -Node $Members -Replicas 2

        # A dead master whose replica took its slots over is only forgotten.
        $master = Get-RedisClusterNode -Role Master | Where-Object { $_.NodeId -ne $EntryId -and $_.NodeId -ne $LonelyId }
        Stop-TestNode -Node (Find-Member $master.EndPoint)
        Remove-Member $master.EndPoint
        Wait-Until -TimeoutSeconds 30 -Because 'its replica is promoted' { (Get-View $Entry | Where-Object Id -eq $master.NodeId).Slots.Count -eq 0 }
        Wait-TestClusterOk -Node $Members -Replicas 1
        $result = Remove-RedisClusterNode -NodeId $master.NodeId -Force
        $result.IsReset | Should -BeFalse
        $result.SlotsMoved | Should -Be 0
        $result.ForgottenBy.Count | Should -Be 4
        Assert-Forgotten $master.NodeId
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'drains a live master holding keys (the way in) to the others evenly, re-points its replica, forgets and resets it, then removes that replica; every key stays' {
        $master = Get-RedisClusterNode -NodeId $EntryId
        $replica = Get-RedisClusterNode -Role Replica | Where-Object MasterId -eq $master.NodeId
        $replica | Should -Not -BeNullOrEmpty
        $result = Remove-RedisClusterNode -NodeId $master.NodeId -Force

        $result | Should -BeOfType ([RedisCluster.RemoveNodeResult])
        $result.NodeId | Should -Be $master.NodeId
        $result.Role | Should -Be 'Master'
        $result.SlotsMoved | Should -Be $master.SlotCount
        $result.KeysMoved | Should -BeGreaterThan 0
        $result.ForgottenBy.Count | Should -Be 3
        $result.ReplicasMoved.ReplicaId | Should -Be $replica.NodeId
        $result.IsReset | Should -BeTrue
        $result.Node.NodeId | Should -Not -Be $master.NodeId
        # Reset: alone, empty, a new id.
        @(Get-View $master.EndPoint).Count | Should -Be 1
        Invoke-RedisCli $master.EndPoint $Password DBSIZE | Should -Be 0

        $script:Reset = Find-Member $master.EndPoint
        Remove-Member $master.EndPoint
        $script:Entry = $Members[0].EndPoint
        Assert-Forgotten $master.NodeId
        # The two masters left end even, and the replica follows one of them.
        $masters = @(Get-View $Entry | Where-Object { $_.IsMaster })
        $masters.Count | Should -Be 2
        foreach ($m in $masters) { (Get-SlotSet $m.Slots).Count | Should -Be 8192 }
        (Get-Own $replica.EndPoint).MasterId | Should -Be $result.ReplicasMoved.MasterId
        Wait-TestClusterOk -Node $Members -Replicas 1 -Synced

        # Then that replica, piped in: the connection made through the removed master still works.
        $replica = Get-RedisClusterNode -Role Replica
        $result = $replica | Remove-RedisClusterNode -Force
        $result.Role | Should -Be 'Replica'
        $result.SlotsMoved | Should -Be 0
        $result.IsReset | Should -BeTrue
        @(Get-View $replica.EndPoint).Count | Should -Be 1
        Remove-Member $replica.EndPoint
        Assert-Forgotten $replica.NodeId
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'refuses the last master; the node removed earlier joins that other cluster, as a reset node can' {
        $single = New-SingleMasterCluster
        $id = (Get-Own $single.EndPoint).Id
        $before = Get-TestNodeState -Node $single -Password $Password
        $err = Get-ErrorRecord { Remove-RedisClusterNode -EndPoint $single.EndPoint -Credential $Cred -Force }
        $err.FullyQualifiedErrorId | Should -Be 'LastMaster,RedisCluster.Commands.RemoveRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        "$err" | Should -Be "$($single.EndPoint) ($($id.Substring(0, 8))) is the cluster's last master: without it no node could serve a slot. Nothing was changed."
        Get-TestNodeState -Node $single -Password $Password | Should -Be $before

        $joined = Add-RedisClusterNode -EndPoint $single.EndPoint -Credential $Cred -NewNode $Reset.EndPoint
        $joined.Role | Should -Be 'Master'
        $pair = @($single, $Reset)
        Wait-TestClusterOk -Node $pair -Replicas 0
        Assert-ClusterInvariant -Node $pair -Password $Password
    }
}

Describe 'Remove-RedisClusterNode stopped part way' {
    BeforeAll {
        # Four masters without replicas, made by redis-cli: each test removes (or starts removing) one of them and
        # leaves a whole cluster behind, so the tests do not depend on each other's order.
        $script:Rest = [System.Collections.Generic.List[object]]::new()
        $Rest.AddRange(@(New-TestCluster -Masters 4 -ReplicasPerMaster 0 -Password $Password))
        $script:RestEntry = $Rest[0].EndPoint
        $script:RestConnection = Connect-RedisCluster -EndPoint $RestEntry -Credential $Cred

        # A master other than the way in that owns the slot of this hash tag: the first tag that gives one.
        function Get-OwnerOfTag([string] $Prefix) {
            $masters = @(Get-TestNodeView $RestEntry $Password | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 -and $_.EndPoint -ne $RestEntry })
            for ($i = 0; ; $i++) {
                $tag = "$Prefix$i"
                $slot = [RedisCluster.HashSlot]::Of($tag)
                $owner = $masters | Where-Object { (Get-SlotSet $_.Slots).Contains($slot) }
                if ($owner) { return [pscustomobject]@{ Tag = $tag; Slot = $slot; Owner = $owner } }
            }
        }
    }
    BeforeEach { foreach ($n in $Rest) { $null = Invoke-RedisCli $n.EndPoint $Password FLUSHALL } }
    AfterAll { $RestConnection | Disconnect-RedisCluster }

    It 'stops before forgetting anything when a key differs on the master taking its slot, names the key, and -Replace then finishes the removal with the node''s value' {
        $data = Write-TestData -Node $Rest -Password $Password -Count 200 -Prefix 'clash'
        $chosen = Get-OwnerOfTag 'clash'
        $node = $chosen.Owner
        $keys = @(1..20 | ForEach-Object { "{$($chosen.Tag)}:$_" })
        $null = Invoke-RedisCli $node.EndPoint $Password -InputLines ($keys | ForEach-Object { "SET $_ node-value-$_" })
        foreach ($k in $keys) { $data[$k] = "node-value-$k" }
        $plan = [RedisCluster.NodeRemover]::new($RestConnection, $null).PlanAsync([RedisCluster.NodeId]::Parse($node.Id), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
        $receiver = Get-TestNodeView $RestEntry $Password | Where-Object Id -eq ($plan.Transfers | Where-Object { $_.Slots.ContainsSlot($chosen.Slot) }).TargetId
        # The receiver already holds one of the keys with another value (the slot IMPORTING only while it is written).
        $clash = $keys[4]
        $null = Invoke-RedisCli $receiver.EndPoint $Password CLUSTER SETSLOT $chosen.Slot IMPORTING $node.Id
        $null = Invoke-RedisCli $receiver.EndPoint $Password -InputLines 'ASKING', "SET $clash the-receivers-value"
        $null = Invoke-RedisCli $receiver.EndPoint $Password CLUSTER SETSLOT $chosen.Slot STABLE

        $err = Get-ErrorRecord { Remove-RedisClusterNode -Connection $RestConnection -NodeId $node.Id -Force }

        $err.FullyQualifiedErrorId | Should -Be 'DrainIncomplete,RedisCluster.Commands.RemoveRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        "$err" | Should -BeLike "$($node.EndPoint) ($($node.Id.Substring(0, 8))) still owns 1 slot ($($chosen.Slot)) after its drain (*so it was not forgotten and stays in the cluster. Slot $($chosen.Slot) is left open (MIGRATING on $($node.Id.Substring(0, 8)), IMPORTING on $($receiver.Id.Substring(0, 8))): key(s) '$clash' exist on both nodes with different values*run the same command with -Replace*delete those keys on the node being removed first*"
        # The rest of its slots moved; that one stays open with both values; nobody forgot the node, nor was it reset.
        $own = Get-Own $node.EndPoint
        $own.Id | Should -Be $node.Id
        $own.Slots | Should -Be @("$($chosen.Slot)")
        $own.Open | Should -Be @("[$($chosen.Slot)->-$($receiver.Id)]")
        (Get-Own $receiver.EndPoint).Open | Should -Be @("[$($chosen.Slot)-<-$($node.Id)]")
        Invoke-RedisCli $node.EndPoint $Password GET $clash | Should -Be "node-value-$clash"
        Invoke-RedisCli $receiver.EndPoint $Password -InputLines 'ASKING', "GET $clash" | Select-Object -Last 1 | Should -Be 'the-receivers-value'
        foreach ($n in $Rest) { Get-View $n.EndPoint | Where-Object Id -eq $node.Id | Should -Not -BeNullOrEmpty -Because "$($n.EndPoint) still knows it" }
        $stillThere = [int](Invoke-RedisCli $node.EndPoint $Password CLUSTER COUNTKEYSINSLOT $chosen.Slot)

        $result = Remove-RedisClusterNode -Connection $RestConnection -NodeId $node.Id -Replace -Force

        $result.SlotsMoved | Should -Be 1
        $result.KeysMoved | Should -Be $stillThere
        $result.IsReset | Should -BeTrue
        $null = $Rest.Remove(($Rest | Where-Object EndPoint -eq $node.EndPoint))
        foreach ($n in $Rest) { Get-View $n.EndPoint | Where-Object Id -eq $node.Id | Should -BeNullOrEmpty -Because "$($n.EndPoint) forgot it" }
        Assert-ClusterInvariant -Node $Rest -Password $Password -ExpectedData $data
    }

    It 'on Ctrl+C mid-drain finishes the slots in flight and returns promptly, with no slot open and the node neither forgotten nor reset' {
        $data = Write-TestData -Node $Rest -Password $Password -Count 300 -Prefix 'stop'
        $node = (Get-OwnerOfTag 'stop').Owner
        $owned = (Get-SlotSet $node.Slots).Count

        # Stopped once the first group of 64 slots is done: the migrator's first report of slots moved.
        $run = Start-StoppedOnProgress -Command Remove-RedisClusterNode -ProgressPattern '(?m)^[1-9]\d* of \d+ slots' -Parameters @{
            EndPoint = $RestEntry; Credential = $Cred; NodeId = $node.Id; Force = $true; SlotsPerGroup = 64
        }
        try {
            Wait-Until { $run.Running.IsCompleted } -Because 'the stopped removal has returned' -TimeoutSeconds 90
            $run.Stopper.Stopped | Should -BeTrue
            $run.Shell.InvocationStateInfo.State | Should -Be 'Stopped'
            # The groups in flight finish first: seconds, not the grace period's minute and more.
            $run.Stopper.SinceStop.Elapsed.TotalSeconds | Should -BeLessThan 10
        } finally { $run.Shell.Dispose() }

        $own = Get-Own $node.EndPoint
        $own.Id | Should -Be $node.Id
        $left = (Get-SlotSet $own.Slots).Count
        $left | Should -BeGreaterThan 0
        $left | Should -BeLessThan $owned
        # Whole groups moved: the one in flight was finished, none was cut short.
        ($owned - $left) % 64 | Should -Be 0
        foreach ($n in $Rest) { Get-View $n.EndPoint | Where-Object Id -eq $node.Id | Should -Not -BeNullOrEmpty -Because "$($n.EndPoint) still knows it" }
        Assert-ClusterInvariant -Node $Rest -Password $Password -ExpectedData $data
    }

    It 'names the node that refused CLUSTER FORGET (ForgetFailed) after the others forgot, and leaves the removed node unreset' {
        # An empty master to remove, met by the cluster through the fixture, and a user allowed everything but
        # CLUSTER FORGET on one node of the cluster: that node answers NOPERM, every time.
        $refuser = $Rest[1]
        $extra = Start-TestNode -Password $Password
        try {
            foreach ($n in @($Rest) + $extra) { $null = Invoke-RedisCli $n.EndPoint $Password ACL SETUSER remover on '>remover-pw' '~*' '&*' '+@all' }
            $null = Invoke-RedisCli $refuser.EndPoint $Password ACL SETUSER remover '-cluster|forget'

            $null = Invoke-RedisCli $RestEntry $Password CLUSTER MEET $extra.Host $extra.Port
            $extraId = (Get-Own $extra.EndPoint).Id
            Wait-Until -TimeoutSeconds 20 -Because 'every node knows the new master' {
                @($Rest | Where-Object { -not (Get-View $_.EndPoint | Where-Object { $_.Id -eq $extraId -and $_.Flags -notcontains 'handshake' }) }).Count -eq 0
            }

            $err = Get-ErrorRecord { Remove-RedisClusterNode -EndPoint $RestEntry -Credential (New-TestCredential 'remover-pw' 'remover') -NodeId $extraId -Force }

            $err.FullyQualifiedErrorId | Should -Be 'ForgetFailed,RedisCluster.Commands.RemoveRedisClusterNodeCommand'
            $err.CategoryInfo.Category | Should -Be 'SecurityError'
            "$err" | Should -BeLike "1 of $($Rest.Count) node(s) did not forget $($extra.EndPoint) ($($extraId.Substring(0, 8))): $($refuser.EndPoint) answered CLUSTER FORGET with NOPERM *run CLUSTER FORGET $extraId on the nodes named within that time*It was not reset*"
            foreach ($n in $Rest | Where-Object EndPoint -ne $refuser.EndPoint) { Get-View $n.EndPoint | Where-Object Id -eq $extraId | Should -BeNullOrEmpty -Because "$($n.EndPoint) forgot it" }
            (Get-Own $extra.EndPoint).Id | Should -Be $extraId

            # What the error says to do, within the others' 60-second ban.
            $null = Invoke-RedisCli $refuser.EndPoint $Password CLUSTER FORGET $extraId
            foreach ($n in $Rest) { Get-View $n.EndPoint | Where-Object Id -eq $extraId | Should -BeNullOrEmpty -Because "$($n.EndPoint) forgot it" }
        } finally {
            Stop-TestNode -Node $extra
            foreach ($n in $Rest) { $null = Invoke-RedisCli $n.EndPoint $Password ACL DELUSER remover }
        }
        Assert-ClusterInvariant -Node $Rest -Password $Password
    }
}
