# Dot-sourced (after Common.ps1) by the Invoke-RedisReshard and Invoke-RedisRebalance tests: slot owners read with
# redis-cli (not the module under test), the seed layout restored between tests, data loaded per slot with few
# round trips, and a client that writes through MOVED and ASK redirections on its own thread.

function Get-Master([object[]] $Node, [string] $Password) {
    <# Masters as the first node lists them, by endpoint: Id, EndPoint, Slots (ranges), SlotCount. #>
    foreach ($m in @(Get-TestNodeView $Node[0].EndPoint $Password | Where-Object IsMaster | Sort-Object EndPoint)) {
        $count = 0
        foreach ($range in $m.Slots) { $first, $last = $range -split '-'; $count += $(if ($last) { [int]$last - [int]$first + 1 } else { 1 }) }
        $m | Add-Member -NotePropertyName SlotCount -NotePropertyValue $count -PassThru
    }
}

function Get-OwnerOf([int[]] $Slot, [object[]] $Node, [string] $Password) {
    <# The master owning each slot, in order, from one read of the cluster. #>
    $masters = @(Get-Master $Node $Password)
    foreach ($s in $Slot) {
        # By the ranges' bounds: a set of every owned slot costs a second per call in PowerShell.
        $masters | Where-Object {
            foreach ($range in $_.Slots) {
                $first, $last = $range -split '-'
                if (-not $last) { $last = $first }
                if ($s -ge [int]$first -and $s -le [int]$last) { return $true }
            }
        } | Select-Object -First 1
    }
}

function Clear-TestData([object[]] $Node, [string] $Password) {
    foreach ($n in $Node) { $null = Invoke-RedisCli $n.EndPoint $Password FLUSHALL }
}

function Clear-OpenSlot([object[]] $Node, [string] $Password) {
    <# Closes every slot a node marks MIGRATING or IMPORTING (keys stay where they are): a failed test leaves none behind for the next. #>
    foreach ($n in $Node) {
        $self = Get-TestNodeView $n.EndPoint $Password | Where-Object { $_.Flags -contains 'myself' }
        foreach ($marker in @($self.Open)) {
            $null = Invoke-RedisCli $n.EndPoint $Password CLUSTER SETSLOT ($marker -replace '^\[(\d+).*$', '$1') STABLE
        }
    }
}

function Restore-SeedLayout {
    <#
    .SYNOPSIS
        Empties every master and gives the first three (by endpoint) redis-cli's three-master split, 0-5460,
        5461-10922, 10923-16383, with the module's idempotent -Slot move: slots already in place are skipped.
    #>
    param([object[]] $Node, [object[]] $Masters, [string] $Password)
    Clear-TestData $Node $Password
    $ranges = '0-5460', '5461-10922', '10923-16383'
    $now = @(Get-Master $Node $Password | Where-Object SlotCount -gt 0 | ForEach-Object { "$($_.Id) $($_.Slots -join ',')" } | Sort-Object)
    $seed = @(for ($i = 0; $i -lt 3; $i++) { "$($Masters[$i].Id) $($ranges[$i])" }) | Sort-Object
    if (($now -join ';') -eq ($seed -join ';')) { return }
    for ($i = 0; $i -lt 3; $i++) {
        $null = Invoke-RedisReshard -EndPoint $Masters[0].EndPoint -TargetNodeId $Masters[$i].Id -Slot $ranges[$i] -SlotsPerGroup 2048 -InformationAction Ignore
    }
    Wait-TestClusterOk -Node $Node
}

function Write-SlotKey {
    <#
    .SYNOPSIS
        Count keys "{Tag}:1".. under one hash tag (so all in its slot), written to the slot's owner with MSETs of a
        thousand keys: a few round trips however many keys. Returns key -> value.
    #>
    param([object[]] $Node, [string] $Password, [string] $Tag, [int] $Count)
    $owner = Get-OwnerOf ([RedisCluster.HashSlot]::Of($Tag)) $Node $Password
    $data = @{}
    $lines = for ($start = 1; $start -le $Count; $start += 1000) {
        $line = [Text.StringBuilder]::new('MSET')
        for ($i = $start; $i -le [Math]::Min($Count, $start + 999); $i++) {
            $key = "{$Tag}:$i"
            $data[$key] = "v$i"
            $null = $line.Append(' ').Append($key).Append(' v').Append($i)
        }
        $line.ToString()
    }
    $null = Invoke-RedisCli $owner.EndPoint $Password -InputLines $lines
    $data
}

function Get-KeyInSlot([int[]] $Slot, [int] $Count, [string] $Prefix) {
    <# Count keys "$Prefix:N" whose slots are among $Slot, found by hashing candidates. #>
    $wanted = [Collections.Generic.HashSet[int]]::new($Slot)
    $keys = [Collections.Generic.List[string]]::new()
    for ($i = 0; $keys.Count -lt $Count; $i++) {
        if ($wanted.Contains([RedisCluster.HashSlot]::Of("${Prefix}:$i"))) { $keys.Add("${Prefix}:$i") }
    }
    $keys.ToArray()
}

function Start-IncrWriter {
    <#
    .SYNOPSIS
        A client on its own thread that sends INCR to the keys in turn, one at a time, following MOVED (it learns the
        new owner) and ASK (ASKING, then the command, on the ask target) as a cluster client must, until
        $State.Stop. It counts every acknowledged INCR per key: what the cluster must hold afterwards.
        $State (synchronized) also gets Sent, Moved, Ask and Errors as it goes.
    #>
    param([string] $EndPoint, [string[]] $Key, [hashtable] $State)
    Start-ThreadJob -ArgumentList $EndPoint, $Key, $State -ScriptBlock {
        param($Seed, $Keys, $State)
        $links = @{}
        function Get-Link([string] $EndPoint) {
            if (-not $links.ContainsKey($EndPoint)) {
                $address, $port = $EndPoint -split ':'
                $client = [Net.Sockets.TcpClient]::new($address, [int]$port)
                $client.ReceiveTimeout = 10000
                $stream = $client.GetStream()
                $links[$EndPoint] = @{ Client = $client; Stream = $stream; Reader = [IO.StreamReader]::new($stream, [Text.Encoding]::ASCII) }
            }
            $links[$EndPoint]
        }
        function Send-Command([string] $EndPoint, [string[][]] $Commands) {
            # Commands pipelined on one link; the reply line of each comes back (INCR and ASKING reply on one line).
            $link = Get-Link $EndPoint
            $text = foreach ($command in $Commands) {
                "*$($command.Count)`r`n" + (($command | ForEach-Object { "`$$([Text.Encoding]::UTF8.GetByteCount($_))`r`n$_`r`n" }) -join '')
            }
            $bytes = [Text.Encoding]::UTF8.GetBytes(($text -join ''))
            $link.Stream.Write($bytes, 0, $bytes.Length)
            foreach ($command in $Commands) { $link.Reader.ReadLine() }
        }
        $owner = @{}
        $acknowledged = @{}
        foreach ($k in $Keys) { $acknowledged[$k] = 0 }
        $i = 0
        try {
            while (-not $State.Stop) {
                $key = $Keys[$i % $Keys.Count]
                $i++
                $target = if ($owner.ContainsKey($key)) { $owner[$key] } else { $Seed }
                for ($attempt = 0; $attempt -lt 20; $attempt++) {
                    $State.Sent++
                    $reply = Send-Command $target @(, @('INCR', $key))
                    if ($reply -match '^-ASK \d+ (\S+)$') {
                        $State.Ask++
                        $reply = (Send-Command $Matches[1] @(@('ASKING'), @('INCR', $key)))[1]
                    }
                    if ($reply -match '^:\d+$') { $acknowledged[$key]++; break }
                    if ($reply -match '^-MOVED \d+ (\S+)$') { $State.Moved++; $target = $owner[$key] = $Matches[1]; continue }
                    if ($reply -match '^-(TRYAGAIN|CLUSTERDOWN)') { Start-Sleep -Milliseconds 20; continue }
                    # Anything else is not acknowledged; the test fails on it.
                    $State.Errors += "$key -> $reply"
                    break
                }
                if ($attempt -eq 20) { $State.Errors += "$key -> still redirected after 20 tries" }
            }
        } finally {
            foreach ($link in $links.Values) { $link.Client.Dispose() }
        }
        $acknowledged
    }
}
