<#
.SYNOPSIS
    Time to grow a 3+3 cluster by one master and its replica, until both are usable: Add-RedisClusterNode
    beside redis-cli --cluster add-node, on identical clusters and nodes, alternating, in one run.
    usable (master)  - every node, old and new, knows every other one (no handshake left), agrees on the slot
                       map and reports cluster_state:ok: a slot move to the new master can start at once;
    usable (replica) - also the new replica is listed under the new master by every node and has its link up
                       with the first sync over.
    Add-RedisClusterNode returns in those states; after redis-cli exits the same state is polled for, read with
    the module's snapshot 20 ms apart. redis-cli's own exit times are shown too: it returns before the new
    master reports ok, which is why a reshard started right after it fails with CLUSTERDOWN.
#>
param(
    [string] $ModulePath,
    [int] $Iterations = 3,
    # Both sides get the same nodes. A new master reports ok only a rejoin delay (its node timeout, at most 5 s)
    # after it saw itself in a minority; Add-RedisClusterNode lowers the new nodes' timeout while they join.
    [int] $NodeTimeoutMs = 5000,
    # Another build (an earlier commit) with Add-RedisClusterNode, timed in a child pwsh in the same run.
    [string] $BaselineModulePath
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1') -ModulePath $ModulePath
$password = "bench-$(Get-Random)"
$credential = New-BenchCredential $password
$none = [Threading.CancellationToken]::None

# A 3+3 cluster made by the module (the part not timed) and two more empty nodes of the same age.
function New-BenchCluster {
    $nodes = Start-TestNode -Count 8 -Password $password -Setting @{ 'cluster-node-timeout' = $NodeTimeoutMs }
    # Fresh processes hold a master in fail for 2 s after start (CLUSTER_WRITABLE_DELAY): real nodes have
    # been up longer, so both tools get nodes that old (a benchmark's pause, not a test's wait).
    Start-Sleep -Seconds 2
    $created = $nodes[0..5] | New-RedisCluster -ReplicasPerMaster 1 -Credential $credential -WarningAction SilentlyContinue -TimeoutSeconds 120
    Wait-RedisCluster -Connection $created[0].Connection -Timeout 120
    [pscustomobject]@{ Nodes = $nodes; Connection = $created[0].Connection; Master = $nodes[6]; Replica = $nodes[7] }
}

# True when every node named reads, knows all the others, agrees on the slot map and reports ok; with a
# replica, when that replica is also listed under the master by every node and in sync with it.
function Test-Usable($Connection, [string[]] $EndPoints, [string] $ReplicaEndPoint, [string] $MasterEndPoint) {
    $snapshot = [RedisCluster.ClusterSnapshot]::ReadAsync($Connection, [RedisCluster.NodeEndPoint[]]@($EndPoints | ForEach-Object { [RedisCluster.NodeEndPoint]::Parse($_) }), $none).GetAwaiter().GetResult()
    if (@($snapshot.Unreachable).Count -or -not $snapshot.SlotMapAgreed) { return $false }
    foreach ($node in $snapshot.Nodes) {
        if ($node.ClusterState -ne 'ok') { return $false }
        $known = @($node.View.Nodes | Where-Object { -not ($_.Flags -band [RedisCluster.NodeFlags]::Handshake) })
        if ($known.Count -ne $EndPoints.Count) { return $false }
    }
    if (-not $ReplicaEndPoint) { return $true }
    $replica = $snapshot.Find([RedisCluster.NodeEndPoint]::Parse($ReplicaEndPoint))
    $master = $snapshot.Find([RedisCluster.NodeEndPoint]::Parse($MasterEndPoint))
    if (-not $replica.Replication.IsInSync) { return $false }
    -not ($snapshot.Nodes | Where-Object { $_.View.Find($replica.Id).MasterId -ne $master.Id.ToString() })
}

function Wait-Usable($Connection, [string[]] $EndPoints, [string] $ReplicaEndPoint, [string] $MasterEndPoint) {
    Wait-Until -TimeoutSeconds 120 -IntervalMilliseconds 20 -Because 'the new nodes are usable' {
        Test-Usable $Connection $EndPoints $ReplicaEndPoint $MasterEndPoint
    }
}

$rows = @{ OursMaster = @(); OursBoth = @(); TheirsMaster = @(); TheirsBoth = @(); TheirsMasterExit = @(); TheirsBothExit = @(); Baseline = @() }
try {
    foreach ($i in 1..$Iterations) {
        $cluster = New-BenchCluster
        $all = @($cluster.Nodes.EndPoint)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $master = Add-RedisClusterNode -Connection $cluster.Connection -NewNode $cluster.Master.EndPoint -Confirm:$false
        $rows.OursMaster += $watch.Elapsed.TotalMilliseconds
        $null = Add-RedisClusterNode -Connection $cluster.Connection -NewNode $cluster.Replica.EndPoint -MasterId $master.NodeId -Confirm:$false -WarningAction SilentlyContinue
        $rows.OursBoth += $watch.Elapsed.TotalMilliseconds
        # What it returned in is what redis-cli is polled for: proven here, outside the timing.
        if (-not (Test-Usable $cluster.Connection $all $cluster.Replica.EndPoint $cluster.Master.EndPoint)) { throw 'Add-RedisClusterNode returned before its nodes were usable.' }
        $cluster.Connection | Disconnect-RedisCluster
        Stop-TestNode -Node $cluster.Nodes

        $cluster = New-BenchCluster
        $all = @($cluster.Nodes.EndPoint)
        $env:REDISCLI_AUTH = $password
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = & redis-cli --no-auth-warning --cluster add-node $cluster.Master.EndPoint $cluster.Nodes[0].EndPoint
        $rows.TheirsMasterExit += $watch.Elapsed.TotalMilliseconds
        Wait-Usable $cluster.Connection $all[0..6]
        $rows.TheirsMaster += $watch.Elapsed.TotalMilliseconds
        # The id redis-cli needs for the replica is looked up off the clock.
        $watch.Stop()
        $masterId = (Get-RedisClusterNode -Connection $cluster.Connection | Where-Object EndPoint -eq $cluster.Master.EndPoint).NodeId
        $watch.Start()
        $null = & redis-cli --no-auth-warning --cluster add-node $cluster.Replica.EndPoint $cluster.Nodes[0].EndPoint --cluster-slave --cluster-master-id $masterId
        $rows.TheirsBothExit += $watch.Elapsed.TotalMilliseconds
        Remove-Item Env:REDISCLI_AUTH
        Wait-Usable $cluster.Connection $all $cluster.Replica.EndPoint $cluster.Master.EndPoint
        $rows.TheirsBoth += $watch.Elapsed.TotalMilliseconds
        $cluster.Connection | Disconnect-RedisCluster
        Stop-TestNode -Node $cluster.Nodes

        if ($BaselineModulePath) {
            $cluster = New-BenchCluster
            $rows.Baseline += Invoke-InBuild $BaselineModulePath $password @"
if (-not (Get-Command Add-RedisClusterNode -ErrorAction SilentlyContinue)) { 'none'; return }
Measure-Milliseconds { Add-RedisClusterNode -EndPoint '$($cluster.Nodes[0].EndPoint)' -Credential `$credential -NewNode '$($cluster.Master.EndPoint)' -Confirm:`$false }
"@
            $cluster.Connection | Disconnect-RedisCluster
            Stop-TestNode -Node $cluster.Nodes
        }
    }
} finally {
    Remove-Item Env:REDISCLI_AUTH -ErrorAction SilentlyContinue
    Stop-TestNode
}

$oursMaster = Get-Median $rows.OursMaster; $theirsMaster = Get-Median $rows.TheirsMaster
$oursBoth = Get-Median $rows.OursBoth; $theirsBoth = Get-Median $rows.TheirsBoth
[pscustomobject]@{
    Benchmark                          = "Add a master, then its replica, to a 3+3 cluster (cluster-node-timeout $NodeTimeoutMs)"
    Iterations                         = $Iterations
    'Master usable: RedisCluster ms'   = [Math]::Round($oursMaster)
    'Master usable: redis-cli ms'      = [Math]::Round($theirsMaster)
    'Master usable: ratio'             = [Math]::Round($theirsMaster / $oursMaster, 2)
    'Both usable: RedisCluster ms'     = [Math]::Round($oursBoth)
    'Both usable: redis-cli ms'        = [Math]::Round($theirsBoth)
    'Both usable: ratio'               = [Math]::Round($theirsBoth / $oursBoth, 2)
    'redis-cli add-node master exits ms' = [Math]::Round((Get-Median $rows.TheirsMasterExit))
    'Baseline build master usable ms'  = if ($rows.Baseline -contains 'none') { 'no Add-RedisClusterNode' } elseif ($rows.Baseline) { [Math]::Round((Get-Median $rows.Baseline)) } else { $null }
}
