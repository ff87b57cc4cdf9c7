BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'reset-pw-1'
    $script:Cred = New-TestCredential $Password

    # One 3+3 cluster for the file, made by redis-cli: a test that takes a node out puts it back before it ends.
    $script:Members = @(New-TestCluster -Masters 3 -ReplicasPerMaster 1 -Password $Password)
    $script:Entry = $Members[0].EndPoint
    $script:Data = Write-TestData -Node $Members -Password $Password -Count 100
    Wait-TestClusterOk -Node $Members -Replicas 3 -Synced

    function Get-View([string] $EndPoint = $Entry) { Get-TestNodeView $EndPoint $Password }
    function Get-Own([string] $EndPoint) { Get-View $EndPoint | Where-Object { $_.Flags -contains 'myself' } }

    function New-MetPair {
        # Two nodes that met and nothing more: what a creation that failed early leaves behind.
        $pair = @(Start-TestNode -Count 2 -Password $Password)
        $null = Invoke-RedisCli $pair[0].EndPoint $Password CLUSTER MEET $pair[1].Host $pair[1].Port
        Wait-Until -Because 'the two nodes have met' {
            @($pair | Where-Object { @(Get-View $_.EndPoint | Where-Object { $_.Flags -notcontains 'handshake' }).Count -eq 2 }).Count -eq 2
        }
        $pair
    }

    function Invoke-AsScheduledScript([string] $Command) {
        # A new non-interactive process, as a scheduled task runs: it shows what-if text, and cannot answer a prompt.
        $env:REDISCLUSTER_TEST_PASSWORD = $Password
        Invoke-FreshPwsh @"
Import-Module '$ModuleManifest'
`$cred = [pscredential]::new('default', (ConvertTo-SecureString `$env:REDISCLUSTER_TEST_PASSWORD -AsPlainText -Force))
$Command
"@ | Out-String
    }
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Reset-RedisClusterNode' {
    It 'resets a piped replica with -Hard -DeleteData -Force, names every node that still lists it, and the node can join again' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $replica = Get-RedisClusterNode -Role Replica | Select-Object -First 1
        $others = @($Members | Where-Object EndPoint -ne $replica.EndPoint)
        $reset = @($replica | Reset-RedisClusterNode -Hard -DeleteData -Force -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue)

        $reset.Count | Should -Be 1
        $reset[0] | Should -BeOfType ([RedisCluster.RedisClusterNode])
        $reset[0].EndPoint | Should -Be $replica.EndPoint
        $reset[0].Role | Should -Be 'Master'
        $reset[0].SlotCount | Should -Be 0
        # -Hard: a new id; it knows only itself and holds no copy of the data.
        $reset[0].NodeId | Should -Not -Be $replica.NodeId
        @(Get-View $replica.EndPoint).Count | Should -Be 1
        Invoke-RedisCli $replica.EndPoint $Password DBSIZE | Should -Be 0
        # The other nodes still list it under its old id: the one warning names each of them.
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike "5 node(s) still list $($replica.EndPoint) as $($replica.NodeId): *"
        foreach ($o in $others) {
            "$($warnings[0])" | Should -BeLike "*$($o.EndPoint)*"
            Get-View $o.EndPoint | Where-Object Id -eq $replica.NodeId | Should -Not -BeNullOrEmpty
        }

        # Done what the warning asks, the node is fit to join again, which is what a reset is for.
        foreach ($o in $others) { $null = Invoke-RedisCli $o.EndPoint $Password CLUSTER FORGET $replica.NodeId }
        $back = Add-RedisClusterNode -NewNode $replica.EndPoint -MasterId $replica.MasterId
        $back.MasterId | Should -Be $replica.MasterId

        Wait-TestClusterOk -Node $Members -Replicas 3 -Synced
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'resets a node left from a failed creation, keeping its id without -Hard, and names the node that still knows it' {
        $pair = New-MetPair
        try {
            $id = (Get-Own $pair[0].EndPoint).Id
            $reset = Reset-RedisClusterNode -EndPoint $pair[0].EndPoint -Credential $Cred -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
            $reset.NodeId | Should -Be $id
            @(Get-View $pair[0].EndPoint).Count | Should -Be 1
            "$warnings" | Should -BeLike "1 node(s) still list $($pair[0].EndPoint) as ${id}: $($pair[1].EndPoint). *CLUSTER FORGET $id*"
            # Fit for a new cluster now: the module's own creation takes it.
            (Get-View $pair[0].EndPoint | Where-Object { $_.Flags -notcontains 'myself' }) | Should -BeNullOrEmpty
        } finally { Stop-TestNode -Node $pair }
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'deletes the keys of a master without slots only with -DeleteData, flushing them before the reset' {
        $full = Start-TestNode -Password $Password -Setting @{ 'enable-debug-command' = 'yes' }
        try {
            # DEBUG POPULATE ignores slot ownership: a node without slots that holds keys, which CLUSTER RESET refuses.
            $null = Invoke-RedisCli $full.EndPoint $Password DEBUG POPULATE 3
            $before = Get-TestNodeState -Node $full -Password $Password
            $err = Get-ErrorRecord { Reset-RedisClusterNode -EndPoint $full.EndPoint -Credential $Cred }
            $err.FullyQualifiedErrorId | Should -Be 'NodeHoldsData,RedisCluster.Commands.ResetRedisClusterNodeCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            "$err" | Should -BeLike "$($full.EndPoint) (*) holds 3 key(s), which a reset requires deleting. Add -DeleteData to delete them with the reset; nothing was changed."
            Get-TestNodeState -Node $full -Password $Password | Should -Be $before

            $reset = Reset-RedisClusterNode -EndPoint $full.EndPoint -Credential $Cred -DeleteData -Force -Hard -Confirm:$false
            Invoke-RedisCli $full.EndPoint $Password DBSIZE | Should -Be 0
            $reset.NodeId | Should -Not -Be ($before -split '[| ]')[1]
        } finally { Stop-TestNode -Node $full }
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It 'asks before resetting (ConfirmImpact High) and before deleting data unless -Force: a script that cannot answer changes nothing' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        $before = Get-TestNodeState -Node $Members -Password $Password
        # The reset itself is confirmed by default; with that waived, the data loss still asks.
        foreach ($waiver in '', '-Confirm:$false') {
            $output = Invoke-AsScheduledScript "Reset-RedisClusterNode -EndPoint $($replica.EndPoint) -Credential `$cred -DeleteData $waiver"
            $output | Should -BeLike '*NonInteractive*'
        }
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
        Assert-ClusterInvariant -Node $Members -Password $Password -ExpectedData $Data
    }

    It '-WhatIf prints the plan and changes nothing, and asks nothing' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        $before = Get-TestNodeState -Node $Members -Password $Password
        $output = Invoke-AsScheduledScript "Reset-RedisClusterNode -EndPoint $($replica.EndPoint) -Credential `$cred -Hard -DeleteData -WhatIf"
        # Console lines may wrap: match short pieces.
        $output | Should -BeLike "*What if*Reset Redis cluster node*CLUSTER RESET HARD on $($replica.EndPoint) ($($replica.Id.Substring(0, 8))), a replica of $($replica.MasterId.Substring(0, 8))*it forgets the 5 other node(s)*its copy of the data*is deleted*new node id*"
        $output | Should -Not -BeLike '*NonInteractive*'
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
    }
}

Describe 'Reset-RedisClusterNode refuses and changes nothing' {
    BeforeAll {
        function Assert-Refused([scriptblock] $Attempt, [string] $ErrorId, [string] $Category, [string] $Message) {
            $before = Get-TestNodeState -Node $Members -Password $Password
            $err = Get-ErrorRecord $Attempt
            $err.FullyQualifiedErrorId | Should -Be "$ErrorId,RedisCluster.Commands.ResetRedisClusterNodeCommand"
            $err.CategoryInfo.Category | Should -Be $Category
            "$err" | Should -BeLike $Message
            Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
        }
    }

    It 'refuses a master that owns slots, with -DeleteData -Force too' {
        $master = Get-View | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Select-Object -First 1
        Assert-Refused { Reset-RedisClusterNode -EndPoint $master.EndPoint -Credential $Cred -Hard -DeleteData -Force } MasterOwnsSlots InvalidOperation `
            "$($master.EndPoint) ($($master.Id.Substring(0, 8))) is a master that owns * slot(s) ($($master.Slots -join ',')): resetting it would take them out of the cluster. Move its slots to other masters first; nothing was changed."
    }

    It 'refuses a replica without -DeleteData: the reset would delete its copy of the data' {
        $replica = Get-View | Where-Object { $_.Flags -contains 'slave' } | Select-Object -First 1
        Assert-Refused { Reset-RedisClusterNode -EndPoint $replica.EndPoint -Credential $Cred -Force } NodeHoldsData InvalidOperation `
            "$($replica.EndPoint) ($($replica.Id.Substring(0, 8))) is a replica of $($replica.MasterId.Substring(0, 8)): a reset turns it into an empty master, deleting its copy of the data (* key(s)). Add -DeleteData to delete them with the reset; nothing was changed."
    }

    It 'refuses each piped node on its own, the masters by name, and resets none' {
        $null = Connect-RedisCluster -EndPoint $Entry -Credential $Cred
        $before = Get-TestNodeState -Node $Members -Password $Password
        $reset = @(Get-RedisClusterNode -Role Master | Reset-RedisClusterNode -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue)
        $reset | Should -BeNullOrEmpty
        $errors.Count | Should -Be 3
        $errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'MasterOwnsSlots,RedisCluster.Commands.ResetRedisClusterNodeCommand' }
        Get-TestNodeState -Node $Members -Password $Password | Should -Be $before
    }

    It 'refuses a node without cluster support' {
        $plain = Start-TestNode -NoCluster -Password $Password
        try {
            Assert-Refused { Reset-RedisClusterNode -EndPoint $plain.EndPoint -Credential $Cred -Force -DeleteData } ClusterSupportDisabled InvalidOperation `
                "$($plain.EndPoint): cluster support is disabled (set 'cluster-enabled yes' in its config and restart it). It has no cluster to forget."
        } finally { Stop-TestNode -Node $plain }
    }

    It 'refuses a node that cannot be reached' {
        $dead = "127.0.0.1:$(Get-FreeNodePort)"
        Assert-Refused { Reset-RedisClusterNode -EndPoint $dead -Credential $Cred -ConnectTimeoutSeconds 2 } ConnectionRefused ConnectionError "*$dead refused the connection*"
    }
}
