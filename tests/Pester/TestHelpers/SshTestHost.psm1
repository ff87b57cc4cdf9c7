# A private sshd for the SSH deployment tests: its own host key, client key, authorized_keys and known_hosts,
# on one free loopback port of several addresses (each address plays a host), started from a config file and
# always stopped by PID. It logs in root with the client key only.
Set-StrictMode -Version Latest
# The node fixture's instance (already loaded by Common.ps1): Wait-Until, Test-PortFree, Stop-ProcessById.
Import-Module (Join-Path $PSScriptRoot 'RedisTestNodes.psm1')

function Get-FreeSshPort([string[]] $Address) {
    <# A port free on every address, from the range the tests own (below the ephemeral ports). #>
    for ($i = 0; $i -lt 200; $i++) {
        $port = Get-Random -Minimum 17100 -Maximum 22000
        if (@($Address | Where-Object { -not (Test-PortFree $_ $port) }).Count -eq 0) { return $port }
    }
    throw 'No port free on every test address in 17100-21999.'
}

function New-TestSshKey([string] $Path, [string] $Type = 'ed25519', [string] $Passphrase = '') {
    <# An OpenSSH key pair; returns the private key's path. #>
    & ssh-keygen -q -t $Type -N $Passphrase -C 'rediscluster-test' -f $Path
    if ($LASTEXITCODE -ne 0) { throw "ssh-keygen could not make $Path" }
    $Path
}

function Get-KnownHostsLine {
    <# The known_hosts line for a host key (a .pub file) at an address and port, as ssh writes it. #>
    param([Parameter(Mandatory)] [string] $PublicKeyPath, [Parameter(Mandatory)] [string] $Address, [Parameter(Mandatory)] [int] $Port)
    $type, $key, $null = (Get-Content $PublicKeyPath -Raw).Trim() -split '\s+'
    $name = if ($Port -eq 22) { $Address } else { "[$Address]:$Port" }
    "$name $type $key"
}

function Start-TestSshd {
    <#
    .SYNOPSIS
        Starts sshd on one free port of each address. Returns Port, Address, ClientKey (the private key root logs
        in with), HostPublicKey, KnownHosts (a file trusting the host key on every address), Log and ProcessId.
    #>
    param([Parameter(Mandatory)] [string] $Root, [string[]] $Address = @('127.0.0.1', '127.0.0.2', '127.0.0.3'))
    $null = New-Item -ItemType Directory -Force $Root
    # sshd refuses to start without its privilege separation directory, which a container may lack.
    if (-not (Test-Path /run/sshd)) { $null = New-Item -ItemType Directory /run/sshd }
    $hostKey = New-TestSshKey (Join-Path $Root 'host_ed25519_key')
    $clientKey = New-TestSshKey (Join-Path $Root 'client_ed25519')
    Copy-Item "$clientKey.pub" (Join-Path $Root 'authorized_keys_root')
    $port = Get-FreeSshPort $Address
    $pidFile = Join-Path $Root 'sshd.pid'
    $log = Join-Path $Root 'sshd.log'
    $config = Join-Path $Root 'sshd_config'
    $lines = @(
        "Port $port"
        foreach ($a in $Address) { "ListenAddress $a" }
        "HostKey $hostKey"
        "PidFile $pidFile"
        # Per user: root has a file, any other user none.
        "AuthorizedKeysFile $(Join-Path $Root 'authorized_keys_%u')"
        'PermitRootLogin prohibit-password'
        'PasswordAuthentication no'
        'KbdInteractiveAuthentication no'
        # TestDrive lies under /tmp, which StrictModes would refuse as a home for authorized_keys.
        'StrictModes no'
        'UsePAM no'
        'Subsystem sftp internal-sftp'
        # Every host's connections come at once.
        'MaxStartups 60'
        'LogLevel VERBOSE'
    )
    Set-Content -Path $config -Value $lines
    & /usr/sbin/sshd -f $config -E $log
    if ($LASTEXITCODE -ne 0) { throw "sshd did not start: $(Get-Content $log -Raw -ErrorAction SilentlyContinue)" }
    Wait-Until { (Test-Path $pidFile) -and @($Address | Where-Object { Test-PortFree $_ $port }).Count -eq 0 } -Because "sshd listens on port $port" -TimeoutSeconds 10
    $knownHosts = Join-Path $Root 'known_hosts'
    Set-Content -Path $knownHosts -Value @(foreach ($a in $Address) { Get-KnownHostsLine "$hostKey.pub" $a $port })
    [pscustomobject]@{
        Port = $port; Address = $Address; ClientKey = $clientKey; HostPublicKey = "$hostKey.pub"; KnownHosts = $knownHosts
        Log = $log; ProcessId = [int](Get-Content $pidFile -Raw)
    }
}

function Stop-TestSshd {
    param([Parameter(Mandatory)] [object] $Sshd)
    Stop-ProcessById $Sshd.ProcessId
}

Export-ModuleMember -Function Start-TestSshd, Stop-TestSshd, New-TestSshKey, Get-KnownHostsLine, Get-FreeSshPort
