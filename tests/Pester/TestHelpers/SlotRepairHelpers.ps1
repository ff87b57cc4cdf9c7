# Dot-sourced by the repair tests: slot owners read with redis-cli (not the module under test), keys written under
# hash tags (so into one known slot), and slots put in the shapes a stopped move or a hand edit leaves.

function Get-Master([object[]] $Node, [string] $Password) {
    @(Get-TestNodeView $Node[0].EndPoint $Password | Where-Object { $_.IsMaster -and $_.Slots.Count -gt 0 -and $_.Flags -notcontains 'fail' } | Sort-Object EndPoint)
}

function Get-OwnerOf([int] $Slot, [object[]] $Node, [string] $Password) {
    Get-Master $Node $Password | Where-Object { (Get-SlotSet $_.Slots).Contains($Slot) }
}

function Get-OwnLine([string] $EndPoint, [string] $Password) {
    Get-TestNodeView $EndPoint $Password | Where-Object { $_.Flags -contains 'myself' }
}

function Get-Slot([string] $Tag) { [RedisCluster.HashSlot]::Of($Tag) }

function Write-SlotData {
    # PerTag keys under each hash tag (so in that tag's slot), written through routing in one pipelined redis-cli.
    param([object[]] $Node, [string] $Password, [string[]] $Tag, [int] $PerTag)
    $data = @{}
    foreach ($t in $Tag) { foreach ($i in 1..$PerTag) { $data["{$t}:$i"] = "v$i-$t-$(Get-Random)" } }
    $null = Invoke-RedisCli $Node[0].EndPoint $Password -c -InputLines ($data.Keys | ForEach-Object { "SET $_ $($data[$_])" })
    $data
}

function Write-ImportedKey {
    # Keys written straight onto a node that imports their slot (ASKING before each), as a half-done move leaves them.
    param([string] $EndPoint, [string] $Password, [hashtable] $Data)
    $null = Invoke-RedisCli $EndPoint $Password -InputLines ($Data.Keys | ForEach-Object { 'ASKING'; "SET $_ $($Data[$_])" })
}

function Clear-TestData([object[]] $Node, [string] $Password) {
    foreach ($m in Get-Master $Node $Password) { $null = Invoke-RedisCli $m.EndPoint $Password FLUSHALL }
}

function Move-TestKey {
    # MIGRATE of some keys of an open slot by hand, as a move stopped after its first batch leaves them.
    param([string] $From, [string] $To, [string] $Password, [string[]] $Key)
    $toHost, $toPort = $To -split ':'
    $migrate = @('MIGRATE', $toHost, $toPort, '', 0, 5000) + $(if ($Password) { 'AUTH', $Password }) + @('KEYS') + $Key
    $null = Invoke-RedisCli $From $Password @migrate
}
