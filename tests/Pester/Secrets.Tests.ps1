# The canary: passwords redis.conf must quote, for the default user and for an ACL user, through every cmdlet;
# then a search of everything the cmdlets produced.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Root = Join-Path $TestDrive 'deploy'
    $VerbosePreference = 'Continue'
    $DebugPreference = 'Continue'

    # Spaces, quotes, '#', '>', '$', backslashes and non-ASCII around one random part, so that each search is exact.
    function New-Canary([string] $UserName) {
        $secret = "p w `"q`" #h >g `$x \b\ ü€ 😀 canary-$([guid]::NewGuid().ToString('N'))"
        # As the node config holds it: inside double quotes, backslash and quote escaped.
        $escaped = $secret.Replace('\', '\\').Replace('"', '\"')
        $sha256 = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($secret))).ToLowerInvariant()
        [pscustomobject]@{
            UserName = $UserName
            Secret = $secret
            Credential = New-TestCredential $secret $UserName
            Escaped = $escaped
            Sha256 = $sha256
            # The default user's password is requirepass; an ACL user's is only its hash in the user rule.
            AuthLine = if ($UserName -eq 'default') { "requirepass `"$escaped`"" } else { "user $UserName on #$sha256 ~* &* +@all" }
            Nodes = @()
            LinkedReplicas = 0
        }
    }
    $script:Canaries = @((New-Canary 'default'), (New-Canary 'operator'))
    # Each canary whole, raw and escaped, its random part, its hash, and the fragments a cut-off copy would still show.
    $script:Needles = @(foreach ($c in $Canaries) { $c.Secret; $c.Escaped; ($c.Secret -split ' ')[-1]; $c.Sha256 }) +
        '"q" #h', '\"q\"', '#h >g $x', '\b\ ü€', 'ü€ 😀'

    $script:Transcript = [System.Collections.Generic.List[string]]::new()
    function Capture([scriptblock] $Block) {
        try { & $Block *>&1 | ForEach-Object { $Transcript.Add(($_ | Format-List * -Force | Out-String)); $Transcript.Add("$_") } }
        catch { $Transcript.Add(($_ | Format-List * -Force | Out-String)); $Transcript.Add($_.Exception.ToString()) }
    }

    function Wait-ReplicaLink($Canary) {
        # Replicas log in to their masters with masteruser/masterauth from the config: linked means read back exactly.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        do {
            $roles = foreach ($n in $Canary.Nodes) { @(Invoke-RedisCli $n.EndPoint $Canary.Secret -UserName $Canary.UserName INFO replication) -join "`n" }
            $linked = @($roles | Where-Object { $_ -match 'role:slave' -and $_ -match 'master_link_status:up' }).Count
            if ($linked -eq 3) { break }
            Start-Sleep -Milliseconds 200
        } while ([DateTime]::UtcNow -lt $deadline)
        $linked
    }

    foreach ($canary in $Canaries) {
        $cred = $canary.Credential
        $wrong = New-TestCredential "$($canary.Secret)-wrong" $canary.UserName
        $conf = Join-Path $Root "$($canary.UserName)/conf"
        $data = Join-Path $Root "$($canary.UserName)/data"
        # Six for the cluster, two it grows by.
        $ports = 1..8 | ForEach-Object { Get-FreeNodePort }
        Capture { $canary.Nodes = @(New-RedisClusterNode -Port $ports -Credential $cred -InstallPath $conf -DataPath $data) }
        # A start redis-server refuses: its complaint would quote config lines.
        Capture { New-RedisClusterNode -Port (Get-FreeNodePort) -Credential $cred -InstallPath $conf -DataPath $data -Setting @{ 'no-such-directive' = 'x' } }
        # Deployed again with a changed setting: each config read back and compared, the change sent with CONFIG SET.
        Capture { New-RedisClusterNode -Port $ports -Credential $cred -InstallPath $conf -DataPath $data -Setting @{ 'maxmemory-policy' = 'allkeys-lru' } }
        # Stopped and started, the node checked with the password its config holds.
        Capture { $canary.Nodes[7] = @($canary.Nodes[7] | Stop-RedisClusterNode | Start-RedisClusterNode)[0] }
        $endPoints = $canary.Nodes.EndPoint[0..5]
        $spare = $canary.Nodes.EndPoint[6..7]
        Capture { New-RedisCluster -EndPoint $endPoints -ReplicasPerMaster 1 -Credential $cred -WhatIf }
        Capture { New-RedisCluster -EndPoint $endPoints -ReplicasPerMaster 1 -Credential $cred }
        $canary.LinkedReplicas = Wait-ReplicaLink $canary
        Capture { Connect-RedisCluster -EndPoint $endPoints[0] -Credential $cred | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue }
        Capture { Get-RedisClusterNode | Format-List * }
        Capture { Get-RedisClusterNode | Select-Object -First 1 | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue }
        Capture { Get-RedisClusterInfo | Format-List * }
        Capture { Get-RedisClusterSlot | Format-List * }
        Capture { Get-RedisKeySlot -Key a, b }
        # Reads requirepass and masterauth (to learn whether they are set), with every command in the debug stream.
        Capture { Test-RedisCluster }
        Capture { Test-RedisCluster -EndPoint $endPoints[0] -Credential $cred -Quiet }
        # Grows the cluster and takes a node out again: the new nodes are reached with the cluster's credential,
        # their node timeout and the master's sync delay are lowered and put back.
        Capture { Add-RedisClusterNode -NewNode $spare[0] -WhatIf }
        Capture { Add-RedisClusterNode -NewNode $spare[0] }
        $masters = @(Get-RedisClusterNode -Role Master | Where-Object SlotCount -gt 0)
        Capture { Add-RedisClusterNode -EndPoint $endPoints[0] -Credential $cred -NewNode $spare[1] -MasterId $masters[0].NodeId }
        Capture { Get-RedisClusterNode -Role Replica | Where-Object EndPoint -eq $spare[1] | Set-RedisClusterReplica -MasterId $masters[1].NodeId }
        # A failover (every node read, the roles polled) and the placement repair's plan, with the cluster's credential.
        Capture { Invoke-RedisFailover -MasterId $masters[2].NodeId -WhatIf }
        Capture { Invoke-RedisFailover -MasterId $masters[2].NodeId }
        Capture { Optimize-RedisClusterPlacement -EndPoint $endPoints[0] -Credential $cred -WhatIf }
        Capture { Reset-RedisClusterNode -EndPoint $spare[1] -Credential $cred -Hard -DeleteData -Force -Confirm:$false }
        Capture { Connect-RedisCluster -EndPoint $endPoints[0] -Credential $wrong }
        Capture { Get-RedisClusterNode -EndPoint $endPoints[0] -Credential $wrong }
        Capture { New-RedisCluster -EndPoint $endPoints -Credential $cred }
        Capture { Disconnect-RedisCluster }
    }
    Capture { $Error | ForEach-Object { $_ | Format-List * -Force; $_.Exception.ToString() } }
    # While the nodes still run: every process command line on the machine.
    $script:CommandLines = Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | ForEach-Object {
        try { [IO.File]::ReadAllText("$($_.FullName)/cmdline") } catch { }
    }
    # Then the nodes stop: redis holds a lock on nodes.conf that keeps readers out while it runs.
    foreach ($node in $Canaries.Nodes) { Stop-Process -Id $node.ProcessId -Force -ErrorAction SilentlyContinue; Wait-Process -Id $node.ProcessId -Timeout 5 -ErrorAction SilentlyContinue }

    function Find-Needle([string] $Text) { $Needles | Where-Object { $Text.Contains($_, [StringComparison]::OrdinalIgnoreCase) } }
}

AfterAll {
    foreach ($node in $Canaries.Nodes) { Stop-Process -Id $node.ProcessId -Force -ErrorAction SilentlyContinue }
}

Describe 'Secrets' {
    It 'ran the cmdlets it meant to (the canary search is not vacuous)' {
        $Canaries[0].Nodes.Count | Should -Be 8
        $Canaries[1].Nodes.Count | Should -Be 8
        $text = $Transcript -join "`n"
        $text | Should -BeLike '*0-5460*'
        $text | Should -BeLike '*AuthenticationFailed*'
        $text | Should -BeLike '*NodeStartFailed*'
        $text | Should -BeLike "*(line *, directive 'no-such-directive')*"
        $text | Should -BeLike '* <- CLUSTER *'
        $text | Should -BeLike '* <- CONFIG GET masterauth*'
        $text | Should -BeLike '*AuthConsistency*'
        $text | Should -BeLike '* <- CLUSTER MEET *'
        $text | Should -BeLike '* <- CLUSTER REPLICATE *'
        $text | Should -BeLike '* <- CLUSTER FAILOVER*'
        $text | Should -BeLike '* <- CLUSTER RESET HARD*'
        $text | Should -BeLike '*still list*'
        $text | Should -BeLike '*Status*: Updated*'
        $text | Should -BeLike '* <- CONFIG SET maxmemory-policy allkeys-lru*'
        $text | Should -BeLike '*: stopping port *'
        foreach ($canary in $Canaries) { $canary.Nodes[7].Status | Should -Be 'Started' }
    }

    It 'let the replicas log in to their masters (user <UserName>)' -ForEach @(@{ Index = 0; UserName = 'default' }, @{ Index = 1; UserName = 'operator' }) {
        $Canaries[$Index].LinkedReplicas | Should -Be 3
    }

    It 'never appear in any output, verbose, debug, warning or error stream' {
        Find-Needle ($Transcript -join "`n") | Should -BeNullOrEmpty
    }

    It 'never appear on a process command line' {
        @($CommandLines | Where-Object { Find-Needle $_ }).Count | Should -Be 0
    }

    It 'appear in no file but the node configs the user asked for' {
        $leaks = Get-ChildItem $Root -Recurse -File | Where-Object { $_.Name -notlike 'redis_*.conf' -and (Find-Needle ([IO.File]::ReadAllText($_.FullName))) }
        $leaks | Should -BeNullOrEmpty
    }

    It 'are in the node configs as redis.conf reads them (user <UserName>): escaped, an ACL user''s hashed' -ForEach @(@{ Index = 0; UserName = 'default' }, @{ Index = 1; UserName = 'operator' }) {
        $canary = $Canaries[$Index]
        $configs = @(Get-ChildItem (Join-Path $Root "$UserName/conf") -Filter 'redis_*.conf')
        $configs.Count | Should -Be 8
        foreach ($config in $configs) {
            $lines = Get-Content $config.FullName
            $lines | Should -Contain $canary.AuthLine
            $lines | Should -Contain "masterauth `"$($canary.Escaped)`""
        }
    }
}
