BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/SshTestHost.psm1') -Force
    $script:Password = 'example-pw-1'
    $script:Cred = New-TestCredential $Password
    # Everything in the run folder: a killed run's sshd and nodes are stopped by the next one.
    $script:Root = Join-Path (Get-TestRunFolder) "examples-$(New-Guid)"
    $script:Sshd = Start-TestSshd -Root "$Root/sshd"
    $script:Example = Join-Path $PSScriptRoot '../../examples/three-hosts.ps1'

    function Get-PortFreeEverywhere([string[]] $Address) {
        <# A node port free, with its bus port, on every address: the example gives every host the same ports. #>
        for ($i = 0; $i -lt 100; $i++) {
            $port = Get-FreeNodePort $Address[0]
            if (@($Address | Where-Object { -not (Test-PortFree $_ $port) -or -not (Test-PortFree $_ ($port + 10000)) }).Count -eq 0) { return $port }
        }
        throw 'No node port free on every address.'
    }

    $first = Get-PortFreeEverywhere $Sshd.Address
    do { $second = Get-PortFreeEverywhere $Sshd.Address } while ($second -eq $first)
    # The example's own parameters, pointed at the test's sshd on 127.0.0.1-3, with paths of its own per run.
    $script:Arguments = @{
        ComputerName = $Sshd.Address; Port = $first, $second; Credential = $Cred
        SshUserName = 'root'; SshKeyFile = $Sshd.ClientKey; SshPort = $Sshd.Port; KnownHostsPath = $Sshd.KnownHosts
        ServiceManager = 'Process'; InstallPath = "$Root/conf"; DataPath = "$Root/data"
        Setting = @{ 'cluster-node-timeout' = 2000; 'repl-diskless-sync-delay' = 0 }; ModulePath = $ModuleManifest
    }
    $script:EndPoints = @(foreach ($address in $Sshd.Address) { foreach ($port in $Arguments.Port) { "${address}:$port" } })
}

AfterAll {
    foreach ($pidFile in @(Get-ChildItem $Root -Recurse -Filter 'redis_*.pid' -ErrorAction SilentlyContinue)) {
        Stop-ProcessById ([int](Get-Content $pidFile.FullName -Raw -ErrorAction SilentlyContinue))
    }
    if ($Sshd) { Stop-TestSshd $Sshd }
}

Describe 'examples/three-hosts.ps1' {
    It '-WhatIf shows each host''s deployment and the cluster it would create, and deploys nothing' {
        # A new process: what-if text shows on its console, which is its output. The password is in the script file only.
        $output = Invoke-FreshPwsh @"
`$cred = [pscredential]::new('default', (ConvertTo-SecureString '$Password' -AsPlainText -Force))
& '$Example' -ComputerName $($Sshd.Address -join ',') -Port $($Arguments.Port -join ',') -Credential `$cred -SshKeyFile '$($Sshd.ClientKey)' ``
    -SshPort $($Sshd.Port) -KnownHostsPath '$($Sshd.KnownHosts)' -ServiceManager Process -InstallPath '$Root/conf' -DataPath '$Root/data' ``
    -ModulePath '$ModuleManifest' -WhatIf
"@
        $lines = @($output | ForEach-Object { "$_".TrimEnd() })
        foreach ($address in $Sshd.Address) {
            $lines | Where-Object { $_ -like "What if: Deploy 2 Redis cluster nodes on $address over SSH (port $($Sshd.Port)) as user 'root'*" } | Should -Not -BeNullOrEmpty
        }
        $lines | Should -Contain "    file $Root/conf/redis_$($Arguments.Port[0]).conf (mode 0600; written when its directives differ)"
        $lines | Should -Contain 'What if: Performing the operation "Create a Redis cluster with one replica per master" on target "6 nodes on 127.0.0.1, 127.0.0.2, 127.0.0.3".'
        Test-Path "$Root/conf" | Should -BeFalse
        foreach ($endPoint in $EndPoints) { Test-PortFree ($endPoint -split ':')[0] ($endPoint -split ':')[1] | Should -BeTrue }
    }

    It 'deploys over SSH and creates the cluster with one replica per master; run again, it changes nothing' {
        # All six ports on one address: the loopback "hosts" share one file system, so the same port on three of them
        # would share its config and data paths. The script's steps are the same for any number of hosts.
        $ports = @(1..6 | ForEach-Object { Get-FreeNodePort $Sshd.Address[0] })
        $oneHost = $Arguments.Clone()
        $oneHost.ComputerName = $Sshd.Address[0]
        $oneHost.Port = $ports
        $output = @(& $Example @oneHost 6>&1 3>$null | ForEach-Object { "$_" })
        $output | Should -Contain 'Creating the cluster'
        $nodes = @($ports | ForEach-Object { [pscustomobject]@{ EndPoint = "$($Sshd.Address[0]):$_"; Password = $Password } })
        Wait-TestClusterOk -Node $nodes -Replicas 3 -Synced
        $view = Get-TestNodeView $nodes[0].EndPoint $Password
        @($view | Where-Object IsMaster).Count | Should -Be 3
        @($view | Where-Object { -not $_.IsMaster }).Count | Should -Be 3
        # Test-RedisCluster's table and Get-RedisClusterNode's, one row per node.
        ($output -join "`n") | Should -Match 'SlotCoverage\s+Ok'
        foreach ($node in $nodes) { ($output -join "`n") | Should -Match ([regex]::Escape($node.EndPoint)) }
        $data = Write-TestData -Node $nodes[0] -Password $Password -Count 50

        $again = @(& $Example @oneHost 6>&1 3>$null | ForEach-Object { "$_" })
        $again | Should -Contain 'The nodes already form a cluster of 6 nodes: not created again.'
        @($again | Select-String -Pattern 'Unchanged' -AllMatches | ForEach-Object { $_.Matches.Count } | Measure-Object -Sum).Sum | Should -Be 6
        Assert-ClusterInvariant -Node $nodes -Password $Password -ExpectedData $data
    }
}
