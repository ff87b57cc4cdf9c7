<#
.SYNOPSIS
    The seed's recipe as one script: two Redis nodes (ports 6379 and 6479) on each of three hosts, deployed over SSH
    (config, systemd unit, start), made into one cluster with a replica per master, each replica on another host
    than its master; then the cluster's health checks and its nodes as a table.
.DESCRIPTION
    Safe to run again, say from a scheduled job: nodes already deployed as asked are reported Unchanged, a changed
    -Setting is applied (or reported RestartNeeded; New-RedisClusterNode -Restart does those), and nodes that already
    form a cluster are not made into one again. -WhatIf shows each host's files and commands and changes nothing.
    The password comes in a PSCredential and travels in the config files only, never on a command line.
.EXAMPLE
    $cred = Get-Credential default
    ./examples/three-hosts.ps1 -ComputerName lwz1, lwz2, lwz3 -SshUserName root -SshKeyFile ~/.ssh/id_ed25519 -Credential $cred -WhatIf
.EXAMPLE
    ./examples/three-hosts.ps1 -ComputerName lwz1, lwz2, lwz3 -SshUserName ops -SshKeyFile ~/.ssh/id_ed25519 -Credential $cred
    As the non-root user ops, who needs sudo without a password (a NOPASSWD line) on each host.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    # The three hosts (names or addresses this machine reaches them by); each gets every port.
    [string[]] $ComputerName = @('lwz1', 'lwz2', 'lwz3'),
    [int[]] $Port = @(6379, 6479),
    # The password every node requires and its replicas use (user default: requirepass and masterauth).
    [Parameter(Mandatory)]
    [pscredential] $Credential,
    # The SSH login: a user and a private key (OpenSSH format); -SshCredential for the key's passphrase or a password login.
    [string] $SshUserName = 'root',
    [string] $SshKeyFile = '~/.ssh/id_ed25519',
    [pscredential] $SshCredential,
    [int] $SshPort = 22,
    # Host keys are checked against this file; a host not in it is refused unless -AcceptNewHostKey records it.
    [string] $KnownHostsPath = '~/.ssh/known_hosts',
    [switch] $AcceptNewHostKey,
    # Systemd as in the seed (units redis_<port>.service); Process for hosts without systemd.
    [ValidateSet('Systemd', 'Process')]
    [string] $ServiceManager = 'Systemd',
    # Where configs and data go on the hosts; by default the seed's /usr/local/redis and /data/redis.
    [string] $InstallPath,
    [string] $DataPath,
    # Further redis.conf directives for every node.
    [hashtable] $Setting = @{},
    # The module to import; by default the one on PSModulePath.
    [string] $ModulePath = 'RedisCluster'
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$deploy = @{
    ComputerName = $ComputerName; Port = $Port; Credential = $Credential; ServiceManager = $ServiceManager; Setting = $Setting
    SshUserName = $SshUserName; SshKeyFile = $SshKeyFile; SshPort = $SshPort; KnownHostsPath = $KnownHostsPath; AcceptNewHostKey = $AcceptNewHostKey
}
foreach ($name in 'SshCredential', 'InstallPath', 'DataPath') {
    if ($PSBoundParameters.ContainsKey($name)) { $deploy[$name] = $PSBoundParameters[$name] }
}

Write-Host "Deploying ports $($Port -join ', ') on $($ComputerName -join ', ')" -ForegroundColor Cyan
$nodes = @(New-RedisClusterNode @deploy -WhatIf:$WhatIfPreference)
if ($WhatIfPreference) {
    # Nothing was deployed, so there is nothing to create a cluster from: say what would come next.
    $null = $PSCmdlet.ShouldProcess("$($ComputerName.Count * $Port.Count) nodes on $($ComputerName -join ', ')", 'Create a Redis cluster with one replica per master')
    return
}
$nodes | Format-Table ComputerName, EndPoint, Status, ProcessId -AutoSize | Out-String -Width 200 | Write-Host

$connection = Connect-RedisCluster -EndPoint $nodes[0].EndPoint -Credential $Credential
$known = @(Get-RedisClusterNode -Connection $connection)
if ($known.Count -gt 1) {
    Write-Host "The nodes already form a cluster of $($known.Count) nodes: not created again." -ForegroundColor Cyan
} elseif ($PSCmdlet.ShouldProcess("$($nodes.Count) nodes on $($ComputerName -join ', ')", 'Create a Redis cluster with one replica per master')) {
    Write-Host 'Creating the cluster' -ForegroundColor Cyan
    $null = $nodes | New-RedisCluster -ReplicasPerMaster 1 -Credential $Credential
}

Write-Host 'Health and placement checks' -ForegroundColor Cyan
Test-RedisCluster -Connection $connection | Format-Table Check, Severity, Message -Wrap | Out-String -Width 200 | Write-Host
Get-RedisClusterNode -Connection $connection | Sort-Object Role, EndPoint | Format-Table | Out-String -Width 200 | Write-Host
