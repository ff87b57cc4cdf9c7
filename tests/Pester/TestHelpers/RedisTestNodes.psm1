# Real redis-server nodes for the Pester tests, independent of the module under test: started from
# plain config files, checked with redis-cli, always stopped by PID.
Set-StrictMode -Version Latest

$script:Nodes = [System.Collections.Generic.List[object]]::new()
$script:Root = Join-Path ([IO.Path]::GetTempPath()) "redis-cluster-tests-$PID"
# Ports and their bus ports (port + 10000) stay below the ephemeral range (32768-60999).
$script:PortRange = 17100..21999

function Remove-DeadRunLeftover {
    <#
    .SYNOPSIS
        Stops the nodes and SSH servers of earlier test runs whose process died before its AfterAll (killed by a
        timeout or Ctrl+C) and removes their folders: they would otherwise run, and hold their ports, until the
        machine restarts.
    .DESCRIPTION
        A node is found by its working directory, which lies in the dead run's folder. An sshd works in /, so it is
        found by its pid file in that folder instead, and stopped only if /proc/<pid>/cmdline shows an sshd started
        from a config file in that same folder: a pid reused since by another process is left alone.
    #>
    $dead = @(Get-ChildItem ([IO.Path]::GetTempPath()) -Directory -Filter 'redis-cluster-tests-*' -ErrorAction SilentlyContinue | Where-Object {
        $owner = 0
        [int]::TryParse($_.Name.Substring('redis-cluster-tests-'.Length), [ref] $owner) -and -not (Test-Path "/proc/$owner")
    })
    if ($dead.Count -eq 0) { return }
    foreach ($folder in $dead) {
        foreach ($pidFile in @(Get-ChildItem $folder.FullName -Recurse -Filter 'sshd.pid' -ErrorAction SilentlyContinue)) {
            $sshdPid = 0
            if (-not [int]::TryParse((Get-Content $pidFile.FullName -Raw -ErrorAction SilentlyContinue), [ref] $sshdPid)) { continue }
            # sshd rewrites its command line as "sshd: /usr/sbin/sshd -f <config> [listener] ...": its arguments are one string.
            $cmdline = try { [IO.File]::ReadAllText("/proc/$sshdPid/cmdline") -replace "`0", ' ' } catch { '' }
            if ($cmdline -match '^(sshd:\s+)?\S*/?sshd\b' -and $cmdline.Contains($folder.FullName + '/')) {
                Stop-Process -Id $sshdPid -Force -ErrorAction SilentlyContinue
            }
        }
    }
    foreach ($process in @(Get-ChildItem /proc -Directory -ErrorAction SilentlyContinue | Where-Object Name -match '^\d+$')) {
        $cwd = try { [IO.Directory]::ResolveLinkTarget($process.FullName + '/cwd', $false).FullName } catch { $null }
        if ($cwd -and @($dead | Where-Object { $cwd.StartsWith($_.FullName + '/') }).Count -gt 0) {
            Stop-Process -Id ([int]$process.Name) -Force -ErrorAction SilentlyContinue
        }
    }
    $dead | Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
}

function Get-TestRunFolder {
    <# This run's folder: what a test puts here (a node's files, an sshd's pid file) is cleaned up after a run that was killed. #>
    $null = New-Item -ItemType Directory -Force $script:Root
    $script:Root
}

Remove-DeadRunLeftover
$script:NextPort = Get-Random -Minimum 17100 -Maximum 21000

function Wait-Until {
    <#
    .SYNOPSIS
        Polls a condition until it holds; throws, naming what was awaited, when the deadline passes. The one way
        tests wait: never a fixed sleep.
    #>
    param(
        [Parameter(Mandatory)] [scriptblock] $Condition,
        [Parameter(Mandatory)] [string] $Because,
        [double] $TimeoutSeconds = 15,
        [int] $IntervalMilliseconds = 50
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -ge $deadline) { throw "Timed out after $TimeoutSeconds s waiting until $Because." }
        Start-Sleep -Milliseconds $IntervalMilliseconds
    }
}

function Test-PortFree([string] $Address, [int] $Port) {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Parse($Address), $Port)
    try { $listener.Start(); $true } catch { $false } finally { $listener.Stop() }
}

function Get-FreeNodePort {
    <# A port whose bus port is free too, on the given address. #>
    param([string] $Address = '127.0.0.1')
    for ($i = 0; $i -lt $script:PortRange.Count; $i++) {
        $port = $script:NextPort
        $script:NextPort = if ($port -ge $script:PortRange[-1]) { $script:PortRange[0] } else { $port + 1 }
        if ((Test-PortFree $Address $port) -and (Test-PortFree $Address ($port + 10000))) { return $port }
    }
    throw 'No free node port left in 17100-21999.'
}

function Invoke-RedisCli {
    <# redis-cli against one node; the password travels in REDISCLI_AUTH, never on the command line. -UserName logs in as that ACL user. #>
    [CmdletBinding(PositionalBinding = $false)]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $EndPoint,
        [Parameter(Position = 1)] [string] $Password,
        [Parameter(ValueFromRemainingArguments)] [string[]] $Arguments,
        [string[]] $InputLines,
        [string] $UserName
    )
    $hostName, $port = $EndPoint -split ':'
    $options = @('-h', $hostName, '-p', $port, '--no-auth-warning')
    if ($UserName) { $options += '--user', $UserName }
    if ($Password) { $env:REDISCLI_AUTH = $Password }
    try {
        # One string, not one pipeline object per line: a third faster for the 100,000-line inputs of big data checks.
        if ($InputLines) { ($InputLines -join "`n") | & redis-cli @options @Arguments }
        else { & redis-cli @options @Arguments }
    } finally { Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue }
}

# Printed by ECHO between the commands of a batch: no reply the fixture reads contains it.
$script:ReplyBoundary = 'fixture-reply-boundary'

function Invoke-RedisCliBatch {
    <#
    .SYNOPSIS
        Several commands to one node through one redis-cli; returns the lines of each reply, in order. A redis-cli
        started per command was most of what the fixture's checks cost on a loaded machine.
    #>
    param([string] $EndPoint, [string] $Password, [string[]] $Command)
    $lines = @(Invoke-RedisCli $EndPoint $Password -InputLines @(for ($i = 0; $i -lt $Command.Count; $i++) {
        if ($i -gt 0) { "ECHO $script:ReplyBoundary" }
        $Command[$i]
    }))
    $replies = [System.Collections.Generic.List[object]]::new()
    $reply = [System.Collections.Generic.List[string]]::new()
    foreach ($line in $lines) {
        if ($line -ceq $script:ReplyBoundary) { $replies.Add([string[]]$reply.ToArray()); $reply.Clear() }
        else { $reply.Add($line) }
    }
    $replies.Add([string[]]$reply.ToArray())
    # A node that refused the batch (a wrong password) answers each command with an error and no boundary.
    while ($replies.Count -lt $Command.Count) { $replies.Add([string[]]@()) }
    # Each reply one object down the pipeline: "$first, $second = Invoke-RedisCliBatch ..." takes them apart.
    $replies.ToArray()
}

function Start-TestNode {
    <#
    .SYNOPSIS
        Starts empty redis-server nodes on free loopback ports, cluster-enabled unless told otherwise.
    #>
    param(
        [int] $Count = 1,
        [string] $Password,
        [string] $Address = '127.0.0.1',
        [switch] $NoCluster,
        [hashtable] $Setting = @{}
    )
    # Every server is launched before any is waited for: they start side by side.
    $launched = foreach ($n in 1..$Count) {
        $port = Get-FreeNodePort $Address
        $dir = Join-Path $script:Root "$Address-$port"
        # A port can come round again in a later test file of the same run: never start on an old node's files.
        if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
        $null = New-Item -ItemType Directory -Force $dir
        $lines = @(
            "port $port", "bind $Address", "bind-source-addr $Address", "daemonize yes",
            "dir `"$dir`"", "pidfile `"$dir/redis.pid`"", "logfile `"$dir/redis.log`"",
            'save ""', 'appendonly no'
        )
        if (-not $NoCluster) { $lines += 'cluster-enabled yes', 'cluster-config-file nodes.conf', 'cluster-node-timeout 2000' }
        if ($Password) { $lines += "requirepass `"$Password`"", "masterauth `"$Password`"" }
        foreach ($key in $Setting.Keys) { $lines += "$key $($Setting[$key])" }
        $config = Join-Path $dir 'redis.conf'
        Set-Content -Path $config -Value $lines
        & redis-server $config | Out-Null
        [pscustomobject]@{ EndPoint = "${Address}:$port"; Host = $Address; Port = $port; Dir = $dir; ProcessId = 0; Password = $Password }
    }
    try {
        foreach ($node in $launched) {
            Wait-Until { (Test-Path "$($node.Dir)/redis.pid") -and ((Invoke-RedisCli $node.EndPoint $Password PING) -eq 'PONG') } -Because "redis-server on $($node.EndPoint) answers PING" -TimeoutSeconds 10
            $node.ProcessId = [int](Get-Content "$($node.Dir)/redis.pid" -Raw)
            $script:Nodes.Add($node)
            $node
        }
    } catch {
        # The ones launched but not yet handed out would be left running.
        foreach ($node in $launched | Where-Object ProcessId -eq 0) {
            if (Test-Path "$($node.Dir)/redis.pid") { Stop-ProcessById ([int](Get-Content "$($node.Dir)/redis.pid" -Raw)) }
        }
        throw
    }
}

function Stop-TestNode {
    <# Stops nodes by PID (all started ones by default) and waits until they are gone. #>
    param([Parameter(ValueFromPipeline)] [object[]] $Node)
    begin { $toStop = [System.Collections.Generic.List[object]]::new() }
    process { if ($Node) { $toStop.AddRange($Node) } }
    end {
        if ($toStop.Count -eq 0) { $toStop.AddRange($script:Nodes) }
        # Every one is killed before any is waited for: a file's dozens of nodes go in the time of one.
        foreach ($n in @($toStop)) { if ($n.ProcessId -gt 0) { Stop-Process -Id $n.ProcessId -Force -ErrorAction SilentlyContinue } }
        foreach ($n in @($toStop)) { Stop-ProcessById $n.ProcessId; $null = $script:Nodes.Remove($n) }
    }
}

function Test-ProcessAlive([int] $ProcessId) {
    # A killed daemon lingers as a zombie until init reaps it; it holds no port and counts as gone.
    $stat = "/proc/$ProcessId/stat"
    if (-not (Test-Path $stat)) { return $false }
    $text = try { [IO.File]::ReadAllText($stat) } catch { '' }
    $text.Length -gt 0 -and $text.Substring($text.LastIndexOf(')') + 2, 1) -ne 'Z'
}

function Stop-ProcessById([int] $ProcessId) {
    if ($ProcessId -le 0) { return }
    Stop-Process -Id $ProcessId -Force -ErrorAction SilentlyContinue
    Wait-Until { -not (Test-ProcessAlive $ProcessId) } -Because "process $ProcessId is gone" -TimeoutSeconds 5 -IntervalMilliseconds 20
}

function Restart-TestNode {
    <#
    .SYNOPSIS
        Starts a stopped node again from its own config and directory: same port, same nodes.conf, so it comes back
        as the node it was (and rejoins its cluster).
    #>
    param([Parameter(Mandatory)] [object] $Node)
    $oldProcessId = $Node.ProcessId
    & redis-server (Join-Path $Node.Dir 'redis.conf') | Out-Null
    Wait-Until -TimeoutSeconds 10 -Because "redis-server on $($Node.EndPoint) answers PING again" {
        (Test-Path "$($Node.Dir)/redis.pid") -and [int](Get-Content "$($Node.Dir)/redis.pid" -Raw) -ne $oldProcessId -and
            ((Invoke-RedisCli $Node.EndPoint $Node.Password PING) -eq 'PONG')
    }
    $Node.ProcessId = [int](Get-Content "$($Node.Dir)/redis.pid" -Raw)
    $script:Nodes.Add($Node)
}

function New-TestCluster {
    <#
    .SYNOPSIS
        A ready cluster made by redis-cli (not by the module under test), for tests of the read path.
    .PARAMETER Address
        Loopback addresses that stand for hosts: nodes are spread over them in turn, so redis-cli puts masters and
        their replicas on different ones.
    #>
    param([int] $Masters = 3, [int] $ReplicasPerMaster = 1, [string] $Password, [string[]] $Address = @('127.0.0.1'), [hashtable] $Setting = @{})
    $count = $Masters * (1 + $ReplicasPerMaster)
    $nodes = if ($Address.Count -eq 1) { @(Start-TestNode -Count $count -Password $Password -Address $Address[0] -Setting $Setting) }
             else { @(for ($i = 0; $i -lt $count; $i++) { Start-TestNode -Password $Password -Address $Address[$i % $Address.Count] -Setting $Setting }) }
    if ($Password) { $env:REDISCLI_AUTH = $Password }
    try {
        $out = & redis-cli --no-auth-warning --cluster create @($nodes.EndPoint) --cluster-replicas $ReplicasPerMaster --cluster-yes 2>&1
        if ($LASTEXITCODE -ne 0) { throw "redis-cli --cluster create failed: $out" }
    } finally { Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue }
    Wait-TestClusterOk -Node $nodes -Replicas ($Masters * $ReplicasPerMaster)
    $nodes
}

function Wait-TestClusterOk {
    <#
    .SYNOPSIS
        Until every node reports ok, the same slot map, and (redis-cli returns before this) every replica as one.
    .DESCRIPTION
        CLUSTER SLOTS lists a replica once the node asked has heard a non-zero replication offset from it, which
        happens after its first sync: so this also waits until every replica with an offset is listed by every
        node, or a later CLUSTER SLOTS could still change. -Synced also waits until every replica of a master
        with slots has its link up (its first sync over).
    #>
    param([object[]] $Node, [int] $Replicas = -1, [int] $TimeoutSeconds = 30, [switch] $Synced)
    Wait-Until -TimeoutSeconds $TimeoutSeconds -IntervalMilliseconds 200 -Because 'every node reports ok, one slot map and every replica' {
        $states = @(); $slots = @()
        $replicaCounts = @()
        $listedReplicas = @()
        $linksDown = 0
        foreach ($n in $Node) {
            $clusterInfo, $slotLines, $nodeLines, $replication = Invoke-RedisCliBatch $n.EndPoint $n.Password 'CLUSTER INFO', 'CLUSTER SLOTS', 'CLUSTER NODES', 'INFO replication'
            $states += @($clusterInfo -match '^cluster_state:')
            $slots += ConvertTo-TestSlotMap $slotLines
            $view = @(ConvertFrom-ClusterNodesLine $nodeLines)
            $replicaCounts += @($view | Where-Object { $_.Flags -contains 'slave' }).Count
            $own = $view | Where-Object { $_.Flags -contains 'myself' }
            $master = if ($own -and $own.Flags -contains 'slave') { $view | Where-Object Id -eq $own.MasterId }
            if ($master -and $master.Slots.Count -gt 0) {
                $offset = @($replication -match '^slave_repl_offset:') -replace '^slave_repl_offset:'
                # A replica of a master with slots that has an offset: every node must list it in CLUSTER SLOTS.
                if ($offset.Count -eq 1 -and [long]$offset[0] -gt 0) { $listedReplicas += $own.Id }
                if ($replication -notcontains 'master_link_status:up') { $linksDown++ }
            }
        }
        $replicasSeen = $Replicas -lt 0 -or @($replicaCounts | Where-Object { $_ -ne $Replicas }).Count -eq 0
        $listed = @(foreach ($s in $slots) { $listedReplicas | Where-Object { $s -notlike "*$_*" } }).Count -eq 0
        @($states | Where-Object { $_ -ne 'cluster_state:ok' }).Count -eq 0 -and @($slots | Select-Object -Unique).Count -eq 1 -and
            $replicasSeen -and $listed -and (-not $Synced -or $linksDown -eq 0)
    }
}

function Get-TestSlotMap {
    <#
    .SYNOPSIS
        CLUSTER SLOTS of one node as one line, in a form two nodes' answers compare by: ranges in order, each with its
        master, then its replicas sorted. A node lists a master's replicas in the order it learnt of them, which
        differs between nodes that met them in another order.
    #>
    param([string] $EndPoint, [string] $Password)
    ConvertTo-TestSlotMap @(Invoke-RedisCli $EndPoint $Password CLUSTER SLOTS)
}

function ConvertTo-TestSlotMap([string[]] $Lines) {
    # redis-cli flattens the nested reply: start, end, then per node ip, port, id and its metadata (an empty map).
    $lines = @($Lines)
    $ranges = [System.Collections.Generic.List[string]]::new()
    $i = 0
    while ($i + 1 -lt $lines.Count) {
        $range = "$($lines[$i])-$($lines[$i + 1])"
        $i += 2
        $nodes = [System.Collections.Generic.List[string]]::new()
        while ($i + 2 -lt $lines.Count -and $lines[$i] -match '[.:]' -and $lines[$i] -notmatch '^\d+$') {
            $nodes.Add("$($lines[$i]):$($lines[$i + 1]):$($lines[$i + 2])")
            $i += 3
            while ($i -lt $lines.Count -and $lines[$i] -notmatch '^\d+$' -and -not ($lines[$i] -match '[.:]' -and $i + 1 -lt $lines.Count -and $lines[$i + 1] -match '^\d+$')) { $i++ }
        }
        $master = if ($nodes.Count -gt 0) { $nodes[0] } else { '' }
        $replicas = @($nodes | Select-Object -Skip 1 | Sort-Object)
        $ranges.Add("$range $master [$($replicas -join ' ')]")
    }
    ($ranges | Sort-Object { [int]($_ -split '-')[0] }) -join ', '
}

function Get-TestNodeView {
    <# CLUSTER NODES of one node as simple objects, parsed here rather than by the module under test. #>
    param([string] $EndPoint, [string] $Password)
    ConvertFrom-ClusterNodesLine (Invoke-RedisCli $EndPoint $Password CLUSTER NODES)
}

function ConvertFrom-ClusterNodesLine([string[]] $Line) {
    foreach ($l in $Line) {
        if (-not $l) { continue }
        $f = $l -split ' '
        # Operators on arrays, not Select-Object and Where-Object: every check of the fixture parses every node's view.
        $slotFields = @(if ($f.Count -gt 8) { $f[8..($f.Count - 1)] })
        [pscustomobject]@{
            Id = $f[0]; EndPoint = ($f[1] -split '@')[0]; Flags = $f[2] -split ','; MasterId = $f[3]
            Slots = @($slotFields -notmatch '^\['); Open = @($slotFields -match '^\[')
            IsMaster = ($f[2] -split ',') -contains 'master'
        }
    }
}

function Get-TestNodeState {
    <#
    .SYNOPSIS
        What a refused change must leave exactly as it was, one line per node: every node it knows (id, flags,
        master, slots, open slots), its key count and its cluster-node-timeout. Ping times are left out; so is
        "fail?", which a busy machine can show for a moment.
    #>
    param([Parameter(Mandatory)] [object[]] $Node, [string] $Password)
    foreach ($n in $Node) {
        # One redis-cli for the three reads (refusal tests read every node twice): CLUSTER NODES' lines, then the
        # setting's name and value, then the key count.
        $lines = @(Invoke-RedisCli $n.EndPoint $Password -InputLines 'CLUSTER NODES', 'CONFIG GET cluster-node-timeout', 'DBSIZE')
        if ($lines.Count -lt 3 -or $lines[-3] -ne 'cluster-node-timeout') { '{0}|unexpected answer: {1}' -f $n.EndPoint, ($lines -join ' | '); continue }
        $view = foreach ($v in ConvertFrom-ClusterNodesLine ($lines | Select-Object -SkipLast 3) | Sort-Object Id) {
            '{0} {1} {2} {3} {4}' -f $v.Id, (($v.Flags | Where-Object { $_ -ne 'fail?' }) -join ','), $v.MasterId, ($v.Slots -join ','), ($v.Open -join ',')
        }
        '{0}|{1}|keys {2}|timeout {3}' -f $n.EndPoint, ($view -join ';'), $lines[-1], $lines[-2]
    }
}

function Get-SlotSet([string[]] $Ranges) {
    $set = [System.Collections.Generic.HashSet[int]]::new()
    foreach ($r in $Ranges) {
        $a, $b = $r -split '-'
        if (-not $b) { $b = $a }
        $set.UnionWith([int[]]([int]$a..[int]$b))
    }
    , $set
}

function Get-DataDigest([hashtable] $Data) {
    # Ordinal sort and one StringBuilder: Sort-Object and ForEach-Object took half a minute for 100,000 keys.
    $keys = [string[]]::new($Data.Count)
    $Data.Keys.CopyTo($keys, 0)
    [Array]::Sort($keys, [StringComparer]::Ordinal)
    $text = [Text.StringBuilder]::new()
    foreach ($key in $keys) { $null = $text.Append($key).Append('=').Append($Data[$key]).Append("`n") }
    [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($text.ToString())))
}

# "slot count" for every slot in which the node holds keys, by the node's own CLUSTER COUNTKEYSINSLOT. On one line:
# a batch sends each command as one input line.
$script:SlotsWithKeysScript = 'local found = {} ' +
    'for slot = 0, 16383 do ' +
    "local count = redis.call('CLUSTER', 'COUNTKEYSINSLOT', slot) " +
    "if count > 0 then found[#found + 1] = slot .. ' ' .. count end " +
    'end ' +
    'return found'

# DBSIZE, then every key of the node followed by its value (GET: the tests write strings only).
$script:KeysAndValuesScript = "local reply = { tostring(redis.call('DBSIZE')) } " +
    "for _, key in ipairs(redis.call('KEYS', '*')) do " +
    'reply[#reply + 1] = key ' +
    "reply[#reply + 1] = redis.call('GET', key) " +
    'end ' +
    'return reply'

function Assert-ClusterInvariant {
    <#
    .SYNOPSIS
        Checks the five invariants of shared/notes/reliability-facts.md and throws on the first broken one.
    .PARAMETER ExpectedData
        key -> value of everything loaded; checked for presence, value, count and digest.
    #>
    param(
        [Parameter(Mandatory)] [object[]] $Node,
        [string] $Password,
        [hashtable] $ExpectedData = @{}
    )
    # Each node's view, slot map and state from one redis-cli; slot maps are read again only while nodes disagree.
    $views = @{}
    $last = @{ Replies = @(); States = @() }
    foreach ($n in $Node) {
        $nodeLines, $slotLines, $clusterInfo = Invoke-RedisCliBatch $n.EndPoint $Password 'CLUSTER NODES', 'CLUSTER SLOTS', 'CLUSTER INFO'
        $views[$n.EndPoint] = @(ConvertFrom-ClusterNodesLine $nodeLines)
        $last.Replies += ConvertTo-TestSlotMap $slotLines
        $last.States += , @($clusterInfo -match '^cluster_state:')
    }

    # 1. Coverage: same CLUSTER SLOTS everywhere (replicas in any order), all 16384 slots, cluster_state ok everywhere. CLUSTER SLOTS
    # lists a replica once the asking node has heard (by gossip) of a replication offset for it, so right after
    # the first writes nodes may list different replicas for a moment: agreement is awaited, briefly.
    if (@($last.Replies | Select-Object -Unique).Count -ne 1) {
        try {
            Wait-Until -TimeoutSeconds 10 -IntervalMilliseconds 100 -Because 'every node returns the same CLUSTER SLOTS' {
                $last.Replies = foreach ($n in $Node) { Get-TestSlotMap $n.EndPoint $Password }
                @($last.Replies | Select-Object -Unique).Count -eq 1
            }
        } catch {
            $replies = for ($i = 0; $i -lt $Node.Count; $i++) { "$($Node[$i].EndPoint): $($last.Replies[$i])" }
            throw "Invariant 1 broken: nodes disagree on CLUSTER SLOTS. $($replies -join ' | ')"
        }
        # The states read with the first slot maps may be older than the agreement.
        $last.States = foreach ($n in $Node) { , @((Invoke-RedisCli $n.EndPoint $Password CLUSTER INFO) -match '^cluster_state:') }
    }
    for ($i = 0; $i -lt $Node.Count; $i++) {
        $state = $last.States[$i]
        if ($state -ne 'cluster_state:ok') { throw "Invariant 1 broken: $($Node[$i].EndPoint) reports $state." }
    }
    $first = $views[$Node[0].EndPoint]
    $masters = @($first | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 })
    $covered = 0
    foreach ($m in $masters) { $covered += (Get-SlotSet $m.Slots).Count }
    if ($covered -ne 16384) { throw "Invariant 1 broken: $covered of 16384 slots covered." }

    # 2. No open slots on any node's own line.
    foreach ($n in $Node) {
        $own = $views[$n.EndPoint] | Where-Object { $_.Flags -contains 'myself' }
        if ($own.Open.Count -gt 0) { throw "Invariant 2 broken: $($n.EndPoint) has open slots $($own.Open -join ' ')." }
    }

    # Each master counts its keys per slot and lists its keys and values itself, in scripts (16,384 COUNTKEYSINSLOT
    # and a GET per key, each a round trip, took seconds per master); one with replicas then waits until one has
    # acknowledged its writes, before invariant 5 reads them.
    $read = @{}
    foreach ($m in $masters) {
        $commands = @("EVAL `"$script:SlotsWithKeysScript`" 0", "EVAL `"$script:KeysAndValuesScript`" 0")
        $hasReplicas = @($first | Where-Object { $_.Flags -contains 'slave' -and $_.MasterId -eq $m.Id }).Count -gt 0
        if ($hasReplicas) { $commands += 'WAIT 1 5000' }
        $read[$m.Id] = Invoke-RedisCliBatch $m.EndPoint $Password $commands
    }

    # 3. No orphans: no master holds keys in a slot it does not own.
    foreach ($m in $masters) {
        $owned = Get-SlotSet $m.Slots
        foreach ($line in $read[$m.Id][0]) {
            if (-not $line) { continue }
            if ($line -notmatch '^\d+ \d+$') { throw "Invariant 3 unchecked: $($m.EndPoint) answered '$line' to the count of its keys per slot." }
            $slot, $count = [int[]]($line -split ' ')
            if (-not $owned.Contains($slot)) { throw "Invariant 3 broken: $($m.EndPoint) holds $count key(s) in slot $slot it does not own." }
        }
    }

    # 4. Data: every key once, with its value; count and digest as loaded.
    $total = 0
    $found = @{}
    $keyCount = @{}
    foreach ($m in $masters) {
        $reply = $read[$m.Id][1]
        if ($reply.Count -eq 0 -or $reply[0] -notmatch '^\d+$') { throw "Invariant 4 unchecked: $($m.EndPoint) answered '$($reply | Select-Object -First 1)' to the read of its keys." }
        $keyCount[$m.Id] = [int]$reply[0]
        $total += $keyCount[$m.Id]
        for ($i = 1; $i + 1 -lt $reply.Count; $i += 2) { $found[$reply[$i]] = $reply[$i + 1] }
    }
    if ($total -ne $ExpectedData.Count) { throw "Invariant 4 broken: masters hold $total keys, $($ExpectedData.Count) expected." }
    if ((Get-DataDigest $found) -ne (Get-DataDigest $ExpectedData)) { throw 'Invariant 4 broken: the data digest differs from the one loaded.' }

    # 5. Replicas: link up and as many keys as their master.
    foreach ($replica in @($first | Where-Object { $_.Flags -contains 'slave' })) {
        $master = $first | Where-Object Id -eq $replica.MasterId
        $info, $dbSize = Invoke-RedisCliBatch $replica.EndPoint $Password 'INFO replication', 'DBSIZE'
        if (-not ($info -match '^master_link_status:up')) { throw "Invariant 5 broken: $($replica.EndPoint) has its master link down." }
        $replicaKeys = [int]($dbSize | Select-Object -First 1)
        $masterKeys = if ($keyCount.ContainsKey($master.Id)) { $keyCount[$master.Id] }
                      else { [int]((Invoke-RedisCliBatch $master.EndPoint $Password 'WAIT 1 5000', 'DBSIZE')[1] | Select-Object -First 1) }
        if ($replicaKeys -ne $masterKeys) { throw "Invariant 5 broken: $($replica.EndPoint) has $replicaKeys keys, its master $masterKeys." }
    }
}

function Write-TestData {
    <# Writes Count keys through cluster routing (redis-cli -c) and returns them as key -> value. #>
    param([Parameter(Mandatory)] [object[]] $Node, [string] $Password, [int] $Count = 100, [string] $Prefix = 'k')
    $data = @{}
    foreach ($i in 1..$Count) { $data["${Prefix}:$i"] = "v$i-$(Get-Random)" }
    $null = Invoke-RedisCli $Node[0].EndPoint $Password -c -InputLines ($data.Keys | ForEach-Object { "SET $_ $($data[$_])" })
    $data
}

Export-ModuleMember -Function Get-TestRunFolder, Wait-Until, Test-ProcessAlive, Test-PortFree, Stop-ProcessById, Get-FreeNodePort, Invoke-RedisCli, Start-TestNode, Stop-TestNode, Restart-TestNode, New-TestCluster, Wait-TestClusterOk,
    Get-TestNodeView, Get-TestNodeState, Get-SlotSet, Assert-ClusterInvariant, Write-TestData, Get-DataDigest
