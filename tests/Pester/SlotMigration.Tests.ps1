# The slot-migration executor (RedisCluster.SlotMigrator), called directly from PowerShell before any cmdlet uses it:
# slots move with every key, under a password, through BUSYKEY and under Ctrl+C. A key that differs on the two sides
# and a slot left open by hand are proven through Invoke-RedisReshard (InvokeRedisReshard.Tests.ps1), which drives
# the same executor: the same scenarios here cost time and proved nothing more.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')

    function New-Move([int] $Slot, [string] $Source, [string] $Target) {
        [RedisCluster.SlotMove]::new($Slot, [RedisCluster.NodeId]::Parse($Source), [RedisCluster.NodeId]::Parse($Target))
    }

    function Invoke-SlotMove {
        param($Connection, [RedisCluster.SlotMove[]] $Moves, [RedisCluster.SlotMigrationOptions] $Options, [Threading.CancellationToken] $Token = [Threading.CancellationToken]::None,
            [IProgress[RedisCluster.OperationProgress]] $Progress)
        $migrator = [RedisCluster.SlotMigrator]::new($Connection, $Options)
        $migrator.MoveAsync($Moves, $Progress, $Token).GetAwaiter().GetResult()
    }

    function Get-Master([object[]] $Node, [string] $Password) {
        @(Get-TestNodeView $Node[0].EndPoint $Password | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 } | Sort-Object EndPoint)
    }

    function Get-OwnerOf([int] $Slot, [object[]] $Node, [string] $Password) {
        Get-Master $Node $Password | Where-Object { (Get-SlotSet $_.Slots).Contains($Slot) }
    }

    function Write-SlotData {
        # PerTag keys under each hash tag (so in that tag's slot), written through routing in one redis-cli.
        param([object[]] $Node, [string] $Password, [string[]] $Tag, [int] $PerTag)
        $data = @{}
        foreach ($t in $Tag) { foreach ($i in 1..$PerTag) { $data["{$t}:$i"] = "v$i-$t-$(Get-Random)" } }
        $null = Invoke-RedisCli $Node[0].EndPoint $Password -c -InputLines ($data.Keys | ForEach-Object { "SET $_ $($data[$_])" })
        $data
    }

    function Clear-TestData([object[]] $Node, [string] $Password) {
        foreach ($m in Get-Master $Node $Password) { $null = Invoke-RedisCli $m.EndPoint $Password FLUSHALL }
    }

    function Get-Slot([string] $Tag) { [RedisCluster.HashSlot]::Of($Tag) }

    # One cluster of three masters for the plain tests: each test loads its own data after a FLUSHALL and moves
    # slots from whoever owns them now, so none depends on another's leftovers.
    $script:Nodes = @(New-TestCluster -Masters 3 -ReplicasPerMaster 0)
    $script:Connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'SlotMigrator' {
    It 'moves slots with their keys in several MIGRATE rounds and groups, keeping every key, and the five invariants hold' {
        Clear-TestData $Nodes
        $data = Write-TestData -Node $Nodes -Count 100 -Prefix 'plain'
        $tags = 'alpha', 'beta', 'gamma'
        $slotData = Write-SlotData -Node $Nodes -Tag $tags -PerTag 300
        $masters = Get-Master $Nodes
        $moves = foreach ($t in $tags) {
            $slot = Get-Slot $t
            $owner = Get-OwnerOf $slot $Nodes
            $target = $masters | Where-Object Id -ne $owner.Id | Select-Object -First 1
            New-Move $slot $owner.Id $target.Id
        }
        $options = [RedisCluster.SlotMigrationOptions]::new()
        $options.KeysPerBatch = 70
        $options.SlotsPerGroup = 2

        $result = Invoke-SlotMove $Connection $moves $options

        $result.SlotsPlanned | Should -Be 3
        $result.SlotsMoved | Should -Be 3
        $result.KeysMoved | Should -Be 900
        $result.Issues.Count | Should -Be 0
        $result.Cancelled | Should -BeFalse
        # Redis 7 offers no server-side slot migration: the move went key by key, and says so.
        $result.Method | Should -Be 'KeyByKey'
        $result.ServerSideMethods.Count | Should -Be 0
        foreach ($m in $moves) { (Get-OwnerOf $m.Slot $Nodes).Id | Should -Be "$($m.Target)" }
        Assert-ClusterInvariant -Node $Nodes -ExpectedData ($data + $slotData)
    }

    It 'moves the same slots back from several sources at once, and a slot already on its target is reported, not moved' {
        Clear-TestData $Nodes
        $tags = 'delta', 'epsilon', 'zeta', 'eta'
        $slotData = Write-SlotData -Node $Nodes -Tag $tags -PerTag 50
        $masters = Get-Master $Nodes
        $target = $masters[0]
        $moves = @(foreach ($t in $tags) {
            $slot = Get-Slot $t
            $owner = Get-OwnerOf $slot $Nodes
            if ($owner.Id -ne $target.Id) { New-Move $slot $owner.Id $target.Id }
        })
        # A slot the target owns already, planned from another master: the plan is stale for that slot.
        $ownSlot = (Get-SlotSet $target.Slots) | Sort-Object | Select-Object -First 1
        $moves += New-Move $ownSlot $masters[1].Id $target.Id
        $alreadyThere = @($ownSlot)

        $result = Invoke-SlotMove $Connection $moves $null

        $result.SlotsMoved | Should -Be ($moves.Count - $alreadyThere.Count)
        @($result.Issues | Where-Object Outcome -eq 'AlreadyOnTarget').Slot | Should -Be $alreadyThere
        foreach ($m in $moves) { (Get-OwnerOf $m.Slot $Nodes).Id | Should -Be $target.Id }
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $slotData
    }

    It 'settles a key present on both sides with the same value (BUSYKEY, equal DUMP) by replacing it' {
        Clear-TestData $Nodes
        $slotData = Write-SlotData -Node $Nodes -Tag 'theta' -PerTag 20
        $slot = Get-Slot 'theta'
        $owner = Get-OwnerOf $slot $Nodes
        $target = Get-Master $Nodes | Where-Object Id -ne $owner.Id | Select-Object -First 1
        # The target already has one key with the same value: what a MIGRATE leaves when it timed out after the
        # target's RESTORE. The slot is left IMPORTING on the target, as such a run would leave it.
        $null = Invoke-RedisCli $target.EndPoint '' CLUSTER SETSLOT $slot IMPORTING $owner.Id
        $null = Invoke-RedisCli $target.EndPoint -InputLines 'ASKING', "SET {theta}:7 $($slotData['{theta}:7'])"

        $result = Invoke-SlotMove $Connection @(New-Move $slot $owner.Id $target.Id) $null

        $result.SlotsMoved | Should -Be 1
        $result.KeysMoved | Should -Be 20
        $result.Issues.Count | Should -Be 0
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $slotData
    }

    It 'moves a key above the big-key size alone, with a MIGRATE timeout scaled to its size' {
        Clear-TestData $Nodes
        $slotData = Write-SlotData -Node $Nodes -Tag 'omicron' -PerTag 10
        $bigValue = 'x' * 300000
        $null = Invoke-RedisCli $Nodes[0].EndPoint -c -InputLines "SET {omicron}:big $bigValue"
        $slotData['{omicron}:big'] = $bigValue
        $slot = Get-Slot 'omicron'
        $owner = Get-OwnerOf $slot $Nodes
        $target = Get-Master $Nodes | Where-Object Id -ne $owner.Id | Select-Object -First 1
        $options = [RedisCluster.SlotMigrationOptions]::new()
        $options.BigKeyBytes = 100000
        $log = [Collections.Generic.List[string]]::new()
        $listening = [RedisCluster.CommandLog]::Listen([Action[string]] $log.Add)
        try { $result = Invoke-SlotMove $Connection @(New-Move $slot $owner.Id $target.Id) $options }
        finally { $listening.Dispose() }

        $result.KeysMoved | Should -Be 11
        $migrates = @($log | Where-Object { $_ -match ' <- MIGRATE ' })
        # The ten small keys in one MIGRATE at the ordinary 60 s; the big one alone at 60 s plus its size (over 300 kB) at 1 MB/s.
        $migrates.Count | Should -Be 2
        $migrates[0] | Should -Match ' 60000 KEYS( <\d+ bytes>){10}$'
        $migrates[1] -match ' (\d+) KEYS <13 bytes>$' | Should -BeTrue
        [int]$Matches[1] | Should -BeGreaterThan 60250
        [int]$Matches[1] | Should -BeLessThan 61000
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $slotData
    }

    It 'keeps a node client on its own node after an ASK reply: later commands on that client are answered by that node' {
        # The engine bug behind the source-side scripts: StackExchange.Redis adds the node an ASK (or MOVED) reply
        # names to the client's multiplexer even though it does not follow it, and commands the multiplexer routed
        # then went to either node in turn. NodeClient now sends every command to its own node's server.
        Clear-TestData $Nodes
        $slotData = Write-SlotData -Node $Nodes -Tag 'nu' -PerTag 5
        $slot = Get-Slot 'nu'
        $owner = Get-OwnerOf $slot $Nodes
        $target = Get-Master $Nodes | Where-Object Id -ne $owner.Id | Select-Object -First 1
        $null = Invoke-RedisCli $target.EndPoint '' CLUSTER SETSLOT $slot IMPORTING $owner.Id
        $null = Invoke-RedisCli $owner.EndPoint '' CLUSTER SETSLOT $slot MIGRATING $target.Id
        $none = [Threading.CancellationToken]::None
        $client = $Connection.GetNodeAsync([RedisCluster.NodeEndPoint]::Parse($owner.EndPoint), $none, $null).GetAwaiter().GetResult()
        try {
            # A key the MIGRATING source does not have: the source answers ASK, which reaches the caller as such.
            $asked = try { $client.ExecuteAsync([RedisCluster.RedisCommand]::new('GET', [object[]]@('{nu}:absent')), $none, $null).GetAwaiter().GetResult(); $null }
                     catch { $_.Exception.GetBaseException() }
            $asked.Code | Should -Be 'Ask'
            # The library has now heard of the target. Every later command must still be answered by the source:
            # 200 of them, enough for the redirect target's connection to come up and a round robin to show.
            $answers = @(foreach ($i in 1..200) { [RedisCluster.NodeClientExtensions]::CallStringAsync($client, $none, 'CLUSTER', [object[]]@('MYID')).GetAwaiter().GetResult() })
            @($answers | Sort-Object -Unique) | Should -Be @($owner.Id)
            [RedisCluster.NodeClientExtensions]::CallStringAsync($client, $none, 'GET', [object[]]@('{nu}:3')).GetAwaiter().GetResult() | Should -Be $slotData['{nu}:3']
        } finally {
            $null = Invoke-RedisCli $owner.EndPoint '' CLUSTER SETSLOT $slot STABLE
            $null = Invoke-RedisCli $target.EndPoint '' CLUSTER SETSLOT $slot STABLE
        }
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $slotData
    }

    It 'on cancellation finishes the slots in flight, leaves none open and reports the rest as not started' {
        Clear-TestData $Nodes
        $source = (Get-Master $Nodes)[0]
        $target = (Get-Master $Nodes)[1]
        $slots = @((Get-SlotSet $source.Slots) | Sort-Object | Select-Object -First 300)
        $chosen = [Collections.Generic.HashSet[int]]::new([int[]]$slots)
        # A loop, not a pipeline of 40,000 objects: a second or more on a loaded machine.
        $keys = @(for ($i = 1; $i -le 40000; $i++) { if ($chosen.Contains([RedisCluster.HashSlot]::Of("c:$i"))) { "c:$i" } })
        $data = @{}
        foreach ($k in $keys) { $data[$k] = "v-$k" }
        $null = Invoke-RedisCli $Nodes[0].EndPoint -c -InputLines ($keys | ForEach-Object { "SET $_ v-$_" })
        $options = [RedisCluster.SlotMigrationOptions]::new()
        $options.SlotsPerGroup = 1
        $options.Parallelism = 1
        # Ctrl+C once the first slot is done (the migrator's second report), not after a time: a quiet machine
        # moves every slot before any fixed delay a loaded one needs.
        Add-Type -ReferencedAssemblies ([RedisCluster.OperationProgress].Assembly.Location), netstandard, System.Threading -TypeDefinition @'
public sealed class CancelOnSecondReport : System.IProgress<RedisCluster.OperationProgress>
{
    private readonly System.Threading.CancellationTokenSource _cancel;
    private int _seen;
    public CancelOnSecondReport(System.Threading.CancellationTokenSource cancel) { _cancel = cancel; }
    // Cancelled from another thread: the migrator reports under its own lock.
    public void Report(RedisCluster.OperationProgress value)
    {
        if (System.Threading.Interlocked.Increment(ref _seen) == 2) System.Threading.Tasks.Task.Run(() => _cancel.Cancel());
    }
}
'@
        $cancel = [Threading.CancellationTokenSource]::new()

        $result = Invoke-SlotMove $Connection @($slots | ForEach-Object { New-Move $_ $source.Id $target.Id }) $options $cancel.Token ([CancelOnSecondReport]::new($cancel))

        $result.Cancelled | Should -BeTrue
        $result.SlotsMoved | Should -BeLessThan $slots.Count
        $notStarted = @($result.Issues | Where-Object Outcome -eq 'NotStarted')
        ($result.SlotsMoved + $notStarted.Count) | Should -Be $slots.Count
        # The moved slots are the lowest ones, each wholly on the target; the rest untouched on the source.
        $movedSlots = @($slots | Where-Object { $notStarted.Slot -notcontains $_ })
        foreach ($s in $movedSlots) { (Get-OwnerOf $s $Nodes).Id | Should -Be $target.Id }
        Assert-ClusterInvariant -Node $Nodes -ExpectedData $data
    }
}

Describe 'SlotMigrator on a password-protected cluster' {
    BeforeAll {
        # The file's cluster, given a password now rather than a second cluster made for one test: MIGRATE sees
        # the same requirepass either way. Last in the file, as nothing after it knows the password.
        $script:Password = 'mig pw #>$ 1'
        Disconnect-RedisCluster
        foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint '' -InputLines "CONFIG SET requirepass `"$Password`"" }
        $script:Secured = @($Nodes)
        $script:SecuredConnection = Connect-RedisCluster -EndPoint $Secured[0].EndPoint -Credential (New-TestCredential $Password)
    }

    It 'moves keys with MIGRATE AUTH, and the password shows in no debug line or result' {
        Clear-TestData $Secured $Password
        $slotData = Write-SlotData -Node $Secured -Password $Password -Tag 'lambda', 'mu' -PerTag 40
        $masters = Get-Master $Secured $Password
        $moves = foreach ($t in 'lambda', 'mu') {
            $slot = Get-Slot $t
            $owner = Get-OwnerOf $slot $Secured $Password
            New-Move $slot $owner.Id ($masters | Where-Object Id -ne $owner.Id | Select-Object -First 1).Id
        }
        $log = [Collections.Generic.List[string]]::new()
        $listening = [RedisCluster.CommandLog]::Listen([Action[string]] $log.Add)
        try { $result = Invoke-SlotMove $SecuredConnection $moves $null }
        finally { $listening.Dispose() }

        $result.SlotsMoved | Should -Be 2
        $result.KeysMoved | Should -Be 80
        $migrates = @($log | Where-Object { $_ -match ' <- MIGRATE ' })
        $migrates.Count | Should -BeGreaterThan 0
        $migrates | Should -Match ' AUTH \*{8} KEYS '
        ($log -join "`n").Contains($Password) | Should -BeFalse
        ($result | Format-List * | Out-String).Contains($Password) | Should -BeFalse
        Assert-ClusterInvariant -Node $Secured -Password $Password -ExpectedData $slotData
    }
}
