<#
.SYNOPSIS
    The seed's fault drill, end to end, against the demo cluster (./build.sh demo): kill a master's process, watch
    its replica take over, start it again (it comes back as a replica, and one host now carries two masters), see
    Test-RedisCluster report the imbalance, and let Optimize-RedisClusterPlacement put one master back on each host.
.EXAMPLE
    ./build.sh demo
    dotnet pwsh ./examples/failover-drill.ps1 -ModulePath ./out/RedisCluster/RedisCluster.psd1
#>
[CmdletBinding()]
param(
    # The module to import; by default the one on PSModulePath.
    [string] $ModulePath = 'RedisCluster',
    # Where New-LocalCluster.ps1 put configs, data and the password (./build.sh demo uses out/demo).
    [string] $Path = (Join-Path $PSScriptRoot '../out/demo'),
    # The node to reach the cluster through; the master killed is another one.
    [string] $EndPoint = '127.0.0.1:6379',
    # Seconds each wait may take.
    [int] $TimeoutSeconds = 60
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function Show([string] $Title) {
    Write-Host "`n== $Title" -ForegroundColor Cyan
    Get-RedisClusterNode | Sort-Object EndPoint | Format-Table EndPoint, Role, MasterId, SlotCount, Flags | Out-String -Width 200 | Write-Host
    Test-RedisCluster | Where-Object { $_.Check -in 'MasterPlacement', 'ReplicaPlacement' } | Format-Table Check, Severity, Message -Wrap |
        Out-String -Width 200 | Write-Host
}

function Wait-For([string] $Because, [scriptblock] $Condition) {
    # Polls with a deadline, as every wait here must.
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Gave up after $TimeoutSeconds s waiting until $Because." }
        Start-Sleep -Milliseconds 250
    }
    Write-Host "  $Because"
}

# The password New-LocalCluster.ps1 wrote to a file only its owner can read: never on a command line.
$password = Get-Content (Join-Path $Path 'password') -Raw
$credential = [pscredential]::new('default', (ConvertTo-SecureString $password -AsPlainText -Force))
$null = Connect-RedisCluster -EndPoint $EndPoint -Credential $credential
Show 'The cluster as deployed: one master per host'

$victim = Get-RedisClusterNode -Role Master | Where-Object EndPoint -ne $EndPoint | Sort-Object EndPoint | Select-Object -First 1
$replica = Get-RedisClusterNode -Role Replica | Where-Object MasterId -eq $victim.NodeId | Select-Object -First 1
$config = Join-Path $Path "$($victim.Host)/conf/redis_$($victim.Port).conf"
# The node's own config names its pid file.
$pidFile = ((Get-Content $config | Where-Object { $_ -like 'pidfile *' }) -replace '^pidfile\s+', '').Trim('"')
$processId = [int](Get-Content $pidFile -Raw)

Write-Host "`n== Killing the master $($victim.EndPoint) (pid $processId) with SIGKILL" -ForegroundColor Yellow
Stop-Process -Id $processId -Force
Wait-For "$($replica.EndPoint) has taken over" { (Get-RedisClusterNode -NodeId $replica.NodeId).Role -eq 'Master' }
Show 'After the failover: the old master is down'

Write-Host "`n== Starting $($victim.EndPoint) again" -ForegroundColor Yellow
& redis-server $config | Out-Null
Wait-For "$($victim.EndPoint) is back as a replica of $($replica.EndPoint)" {
    $node = Get-RedisClusterNode -NodeId $victim.NodeId
    $node.Role -eq 'Replica' -and -not $node.IsFailing
}
Wait-RedisCluster -Timeout $TimeoutSeconds | Out-Null
Show 'The old master is back as a replica: one host now carries two masters'

Write-Host "`n== The plan (-WhatIf)" -ForegroundColor Cyan
Optimize-RedisClusterPlacement -WhatIf | Format-Table | Out-String -Width 200 | Write-Host

Write-Host "`n== Optimizing" -ForegroundColor Cyan
Optimize-RedisClusterPlacement -Confirm:$false | Format-Table | Out-String -Width 200 | Write-Host
Show 'Placement restored'
Write-Host "Test-RedisCluster -Quiet: $(Test-RedisCluster -Quiet)" -ForegroundColor Green
