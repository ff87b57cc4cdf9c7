<#
.SYNOPSIS
    The operator's recipe in miniature: six nodes on three loopback "hosts" (127.0.0.1-3, ports 6379
    and 6479 each), one cluster with a replica per master, each replica on another host than its master.
.EXAMPLE
    ./examples/New-LocalCluster.ps1 -Path ./out/demo
#>
[CmdletBinding()]
param(
    # The module to import; by default the one on PSModulePath.
    [string] $ModulePath = 'RedisCluster',
    # Where configs, data and the generated password go.
    [string] $Path = (Join-Path ([IO.Path]::GetTempPath()) 'redis-cluster-demo'),
    [string[]] $ComputerName = @('127.0.0.1', '127.0.0.2', '127.0.0.3'),
    [int[]] $Port = @(6379, 6479)
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$null = New-Item -ItemType Directory -Force $Path
# A random password, kept in a file only its owner can read: never on a command line.
$passwordFile = Join-Path $Path 'password'
$password = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(18))
Set-Content -Path $passwordFile -Value $password -NoNewline
if (-not $IsWindows) { [IO.File]::SetUnixFileMode($passwordFile, [IO.UnixFileMode]'UserRead, UserWrite') }
$credential = [pscredential]::new('default', (ConvertTo-SecureString $password -AsPlainText -Force))

Write-Host "Deploying $($ComputerName.Count * $Port.Count) nodes under $Path" -ForegroundColor Cyan
$nodes = foreach ($computer in $ComputerName) {
    New-RedisClusterNode -ComputerName $computer -Port $Port -Credential $credential `
        -InstallPath (Join-Path $Path "$computer/conf") -DataPath (Join-Path $Path "$computer/data") `
        -Setting @{ 'cluster-node-timeout' = 3000 }
}
$nodes | Format-Table EndPoint, ProcessId, ConfigPath -AutoSize | Out-String -Width 200 | Write-Host

Write-Host 'Creating the cluster' -ForegroundColor Cyan
$null = $nodes | New-RedisCluster -ReplicasPerMaster 1 -Credential $credential
$connection = Connect-RedisCluster -EndPoint $nodes[0].EndPoint -Credential $credential
Get-RedisClusterNode -Connection $connection | Sort-Object Role, EndPoint | Format-Table | Out-String -Width 200 | Write-Host
Get-RedisClusterSlot -Connection $connection | Format-Table | Out-String -Width 200 | Write-Host
Write-Host "The password is in $passwordFile (readable by you only)."
