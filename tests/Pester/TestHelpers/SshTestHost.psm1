# A private sshd for the SSH deployment tests: its own host key, client key, authorized_keys and known_hosts,
# on one free loopback port of several addresses (each address plays a host), started from a config file and
# always stopped by PID; optionally serving PowerShell remoting too (New-TestPSSession). It logs in root with the client key only; other users (made with New-TestSshUser) with
# their own keys, or a password when asked. Its folder belongs in the run folder (Get-TestRunFolder), whose
# leftovers the node fixture cleans up after a run that was killed.
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
    param(
        [Parameter(Mandatory)] [string] $Root,
        [string[]] $Address = @('127.0.0.1', '127.0.0.2', '127.0.0.3'),
        # Directories put before the usual ones on the PATH of every SSH session (a stand-in systemctl).
        [string[]] $Path = @(),
        # Let users log in with a password too.
        [switch] $PasswordAuthentication,
        # Serve PowerShell remoting over SSH (New-PSSession -HostName) with the PowerShell running the tests.
        [switch] $PowerShellSubsystem
    )
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
        "PasswordAuthentication $(if ($PasswordAuthentication) { 'yes' } else { 'no' })"
        'KbdInteractiveAuthentication no'
        # TestDrive lies under /tmp, which StrictModes would refuse as a home for authorized_keys.
        'StrictModes no'
        'UsePAM no'
        'Subsystem sftp internal-sftp'
        if ($PowerShellSubsystem) { "Subsystem powershell $(Get-PowerShellSubsystemCommand)" }
        # Every host's connections come at once.
        'MaxStartups 60'
        'LogLevel VERBOSE'
        if ($Path) { "SetEnv PATH=$(($Path + '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin') -join ':')" }
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

function Get-PowerShellSubsystemCommand {
    <#
    .SYNOPSIS
        The sshd Subsystem command that serves PowerShell remoting: the restored PowerShell tool (pwsh.dll, run by
        dotnet) in server mode, so the far side runs the same PowerShell as the tests.
    #>
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    if (-not (Test-Path $pwshDll)) { throw "No pwsh.dll in $($PSHOME): the tests run under the restored PowerShell tool (dotnet pwsh)." }
    $dotnet = (Get-Command dotnet -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    "$dotnet $pwshDll -sshs -NoLogo -NoProfile"
}

function New-TestPSSession {
    <#
    .SYNOPSIS
        A PowerShell session over the test sshd (started with -PowerShellSubsystem) to one of its addresses, logged in
        with a key and checking the host key against the fixture's known_hosts, never asking; one per address.
    #>
    param([Parameter(Mandatory)] [object] $Sshd, [Parameter(Mandatory)] [string[]] $Address, [string] $UserName = 'root', [string] $KeyFile = $Sshd.ClientKey)
    New-PSSession -HostName $Address -Port $Sshd.Port -UserName $UserName -KeyFilePath $KeyFile -ErrorAction Stop `
        -Options @{ UserKnownHostsFile = $Sshd.KnownHosts; StrictHostKeyChecking = 'yes' }
}

function Invoke-CommandLineAudit {
    <#
    .SYNOPSIS
        Runs a script block while another runspace samples every process's command line (/proc/*/cmdline) until it
        is over. Returns Result (the block's output), CommandLines (each seen once) and Samples (how many rounds).
    #>
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $seen = [System.Collections.Concurrent.ConcurrentDictionary[string, byte]]::new()
    $done = [System.Threading.ManualResetEventSlim]::new()
    $sampler = [powershell]::Create().AddScript({
        param($Seen, $Done)
        $samples = 0
        while (-not $Done.IsSet) {
            foreach ($process in [System.IO.Directory]::GetDirectories('/proc')) {
                try { $null = $Seen.TryAdd([System.IO.File]::ReadAllText("$process/cmdline").Replace([char]0, ' '), 0) } catch { }
            }
            $samples++
            $null = $Done.Wait(5)
        }
        $samples
    }).AddArgument($seen).AddArgument($done)
    $sampling = $sampler.BeginInvoke()
    try {
        $result = & $ScriptBlock
    } finally {
        $done.Set()
        $samples = $sampler.EndInvoke($sampling)[0]
        $sampler.Dispose()
    }
    [pscustomobject]@{ Result = $result; CommandLines = @($seen.Keys); Samples = $samples }
}

function Stop-TestSshd {
    param([Parameter(Mandatory)] [object] $Sshd)
    Stop-ProcessById $Sshd.ProcessId
}

function New-TestSystemctl {
    <#
    .SYNOPSIS
        A stand-in for systemctl (systemd cannot run here): it records each call in a log, one line of arguments, and
        does what systemd would for the units in one directory: start runs the unit's ExecStart as its User= (a
        forking redis-server returns once it has daemonized), stop sends SIGTERM to the process in its PIDFile= and
        waits until it is gone; daemon-reload, enable and disable only check the unit is there. Returns Directory (to
        put on the PATH) and Log.
    #>
    param([Parameter(Mandatory)] [string] $Root, [Parameter(Mandatory)] [string] $UnitDirectory)
    $bin = New-Item -ItemType Directory -Force (Join-Path $Root 'bin')
    $log = Join-Path $Root 'systemctl.log'
    Set-Content $log -Value @() -NoNewline
    (Get-Item $log).UnixFileMode = 'UserRead, UserWrite, GroupRead, GroupWrite, OtherRead, OtherWrite'
    $script = @"
#!/bin/sh
echo "`$*" >> '$log'
verb=`$1
unit='$UnitDirectory'/`$2
setting() { sed -n "s/^`$1=//p" "`$unit" | tail -n 1; }
case "`$verb" in
    daemon-reload) exit 0 ;;
    enable|disable|start|stop) [ -f "`$unit" ] || { echo "Unit `$2 not found." >&2; exit 5; } ;;
    *) echo "systemctl stand-in: `$verb is not supported" >&2; exit 1 ;;
esac
case "`$verb" in
    start) exec runuser -u "`$(setting User)" -- `$(setting ExecStart) ;;
    stop)
        pid=`$(cat "`$(setting PIDFile)" 2>/dev/null) || exit 0
        kill -TERM "`$pid" 2>/dev/null || exit 0
        i=0
        # Gone, or a zombie that init has yet to reap (systemd, being init, reaps at once).
        while [ `$i -lt 600 ] && [ -n "`$(sed -n 's/.*) \([^Z]\).*/\1/p' /proc/`$pid/stat 2>/dev/null)" ]; do sleep 0.05; i=`$((i + 1)); done
        ;;
esac
exit 0
"@
    $file = Join-Path $bin 'systemctl'
    Set-Content $file $script -NoNewline
    (Get-Item $file).UnixFileMode = 'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute'
    [pscustomobject]@{ Directory = $bin.FullName; Log = $log }
}

function New-TestSshUser {
    <#
    .SYNOPSIS
        A user of this machine for the SSH tests (removed again with Remove-TestSshUser): a home, a password (read
        by chpasswd from its input, never from a command line), a key the test sshd accepts, optionally sudo without
        a password (a file in /etc/sudoers.d) and a login shell that logs every command it is asked to run before
        running it with /bin/sh. Returns Name, Password, Key, Home, SudoersFile and CommandLog.
    #>
    param([Parameter(Mandatory)] [object] $Sshd, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Password, [switch] $Sudo, [switch] $LoggingShell)
    $root = Split-Path $Sshd.Log
    $shell = '/bin/sh'
    $commandLog = $null
    if ($LoggingShell) {
        $commandLog = Join-Path $root "commands_$Name.log"
        Set-Content $commandLog -Value @() -NoNewline
        (Get-Item $commandLog).UnixFileMode = 'UserRead, UserWrite, GroupRead, GroupWrite, OtherRead, OtherWrite'
        $shell = Join-Path $root "logshell_$Name"
        Set-Content $shell "#!/bin/sh`nprintf '%s
' `"`$*`" >> '$commandLog'`nexec /bin/sh `"`$@`"`n" -NoNewline
        (Get-Item $shell).UnixFileMode = 'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute'
    }
    & useradd --create-home --shell $shell $Name
    if ($LASTEXITCODE -ne 0) { throw "useradd could not make $Name" }
    # A user without a password is locked, and sshd (without PAM) refuses a locked user even a key login.
    "${Name}:$Password" | & chpasswd
    if ($LASTEXITCODE -ne 0) { throw "chpasswd could not set the password of $Name" }
    $key = New-TestSshKey (Join-Path $root "client_$Name")
    Copy-Item "$key.pub" (Join-Path $root "authorized_keys_$Name")
    $sudoers = $null
    if ($Sudo) {
        $sudoers = "/etc/sudoers.d/rediscluster-test-$Name"
        Set-Content $sudoers "$Name ALL=(ALL) NOPASSWD: ALL"
        (Get-Item $sudoers).UnixFileMode = 'UserRead, GroupRead'
    }
    [pscustomobject]@{ Name = $Name; Password = $Password; Key = $key; Home = "/home/$Name"; SudoersFile = $sudoers; CommandLog = $commandLog }
}

function Remove-TestSshUser {
    <# Removes what New-TestSshUser made: the sudoers file, then the user with its home. #>
    param([Parameter(ValueFromPipeline)] [object] $User)
    process {
        if (-not $User) { return }
        if ($User.SudoersFile) { Remove-Item $User.SudoersFile -Force -ErrorAction SilentlyContinue }
        & userdel --remove $User.Name 2>&1 | Out-Null
    }
}

Export-ModuleMember -Function Start-TestSshd, Stop-TestSshd, New-TestPSSession, Invoke-CommandLineAudit, New-TestSshKey, Get-KnownHostsLine, Get-FreeSshPort, New-TestSystemctl, New-TestSshUser, Remove-TestSshUser
