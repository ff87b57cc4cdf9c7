BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/SshTestHost.psm1') -Force
    $script:Password = 'sudo-node-pw-1'
    $script:Cred = New-TestCredential $Password
    # Everything in the run folder: a killed run's sshd and nodes are stopped by the next one.
    $script:Root = Join-Path (Get-TestRunFolder) "sudo-$(New-Guid)"
    $script:Sshd = Start-TestSshd -Root "$Root/sshd" -PasswordAuthentication
    # Two users that are not root: one may sudo without a password (and its login shell logs what it runs), one may not.
    $suffix = Get-Random -Minimum 1000 -Maximum 9999
    $script:SudoUser = New-TestSshUser -Sshd $Sshd -Name "rcsudo$suffix" -Password "ssh-login-pw-$suffix" -Sudo -LoggingShell
    $script:PlainUser = New-TestSshUser -Sshd $Sshd -Name "rcplain$suffix" -Password "ssh-plain-pw-$suffix"
    $script:Deployed = [System.Collections.Generic.List[object]]::new()

    function Get-SshParameter([object] $User) { @{ SshUserName = $User.Name; SshKeyFile = $User.Key; SshPort = $Sshd.Port; KnownHostsPath = $Sshd.KnownHosts } }

    function Deploy([string] $Name, [hashtable] $Ssh, [int] $Port = (Get-FreeNodePort '127.0.0.2'), [pscredential] $Credential = $Cred) {
        <# Into a folder of root's (mode 0755), where the user can write only through sudo. #>
        $result = New-RedisClusterNode -ComputerName '127.0.0.2' -Port $Port -Credential $Credential -InstallPath "$Root/$Name/conf" -DataPath "$Root/$Name/data" @Ssh
        foreach ($r in $result) { $Deployed.Add($r) }
        $result
    }
}

AfterAll {
    foreach ($d in $Deployed) { Stop-ProcessById $d.ProcessId }
    if ($Sshd) { Stop-TestSshd $Sshd }
    $SudoUser, $PlainUser | Remove-TestSshUser
}

Describe 'New-RedisClusterNode over SSH as a user that is not root' {
    It 'deploys through sudo without a password: the config reaches its place 0600 and root''s, through the user''s home, which keeps no copy' {
        $node = Deploy 'sudo' (Get-SshParameter $SudoUser)
        $node.Status | Should -Be 'Created'
        Invoke-RedisCli $node.EndPoint $Password PING | Should -Be 'PONG'
        $config = Get-Item $node.ConfigPath
        $config.User | Should -Be 'root'
        $config.UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        @(Get-ChildItem -Force (Split-Path $node.ConfigPath)).Name | Should -Be "redis_$($node.Port).conf"
        @(Get-ChildItem -Force $SudoUser.Home -Filter '.rediscluster-*') | Should -BeNullOrEmpty
        # Run again, the config (which the user cannot read itself) is read through sudo: nothing to do.
        (Deploy 'sudo' (Get-SshParameter $SudoUser) -Port $node.Port).Status | Should -Be 'Unchanged'
        $commands = Get-Content $SudoUser.CommandLog
        $commands | Should -Contain '-c sudo -n true'
        @($commands | Where-Object { $_ -like '-c sudo -n install -m 600 -- *' }).Count | Should -Be 1
        @($commands | Where-Object { $_ -like "-c sudo -n cat -- $($node.ConfigPath)" }).Count | Should -Be 1
    }

    It 'refuses a user whose sudo would ask for a password with SudoPasswordRequired (PermissionDenied), writing nothing' {
        $port = Get-FreeNodePort '127.0.0.2'
        $err = Get-ErrorRecord { Deploy 'plain' (Get-SshParameter $PlainUser) -Port $port }
        $err.FullyQualifiedErrorId | Should -Be 'SudoPasswordRequired,RedisCluster.Commands.NewRedisClusterNodeCommand'
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err.Exception.Message | Should -BeLike "The SSH login to 127.0.0.2 as '$($PlainUser.Name)' is not root (uid *), and sudo -n would ask it for a password*NOPASSWD*"
        $err.TargetObject | Should -Be '127.0.0.2'
        Test-Path "$Root/plain" | Should -BeFalse
        Test-PortFree '127.0.0.2' $port | Should -BeTrue
    }

    It 'logs in with a password, and neither password is on any command line: not in the login shell''s log, the sshd log or /proc/*/cmdline during the deployment' {
        $nodePassword = "node-canary-$(New-Guid)"
        $sshLogin = New-TestCredential $SudoUser.Password $SudoUser.Name
        $logBefore = @(Get-Content $SudoUser.CommandLog).Count
        # Every process's command line, sampled until the deployment is over.
        $audit = Invoke-CommandLineAudit {
            Deploy 'password' @{ SshCredential = $sshLogin; SshPort = $Sshd.Port; KnownHostsPath = $Sshd.KnownHosts } -Credential (New-TestCredential $nodePassword)
        }
        $node = $audit.Result
        Invoke-RedisCli $node.EndPoint $nodePassword PING | Should -Be 'PONG'
        Select-String -Path $Sshd.Log -Pattern "Accepted password for $($SudoUser.Name)" | Should -Not -BeNullOrEmpty
        $commands = @(Get-Content $SudoUser.CommandLog | Select-Object -Skip $logBefore)
        # The login shell saw the deployment's commands (the start among them), so it would have seen a password.
        @($commands | Where-Object { $_ -like "*redis-server $($node.ConfigPath)" }).Count | Should -Be 1
        $audit.Samples | Should -BeGreaterThan 1
        $audit.CommandLines | Where-Object { $_ -like '*redis-server*' } | Should -Not -BeNullOrEmpty
        foreach ($secret in $nodePassword, $SudoUser.Password) {
            $commands | Where-Object { $_.Contains($secret) } | Should -BeNullOrEmpty
            Get-Content $Sshd.Log -Raw | Should -Not -BeLike "*$secret*"
            $audit.CommandLines | Where-Object { $_.Contains($secret) } | Should -BeNullOrEmpty
        }
    }
}
