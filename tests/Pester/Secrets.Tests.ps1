# The canary: one unique password through every cmdlet, then a search of everything they produced.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Canary = "canary-$([guid]::NewGuid().ToString('N'))"
    $script:Cred = New-TestCredential $Canary
    $script:Root = Join-Path $TestDrive 'deploy'
    $VerbosePreference = 'Continue'
    $DebugPreference = 'Continue'
    $ports = 1..6 | ForEach-Object { Get-FreeNodePort }
    $script:Transcript = [System.Collections.Generic.List[string]]::new()
    function Capture([scriptblock] $Block) {
        try { & $Block *>&1 | ForEach-Object { $Transcript.Add(($_ | Format-List * -Force | Out-String)); $Transcript.Add("$_") } }
        catch { $Transcript.Add(($_ | Format-List * -Force | Out-String)); $Transcript.Add($_.Exception.ToString()) }
    }
    Capture { $script:Deployed = New-RedisClusterNode -Port $ports -Credential $Cred -InstallPath "$Root/conf" -DataPath "$Root/data" }
    Capture { $Deployed | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred -WhatIf }
    Capture { $Deployed | New-RedisCluster -ReplicasPerMaster 1 -Credential $Cred }
    Capture { Connect-RedisCluster -EndPoint $Deployed[0].EndPoint -Credential $Cred | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue }
    Capture { Get-RedisClusterNode | Format-List * }
    Capture { Get-RedisClusterNode | Select-Object -First 1 | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue }
    Capture { Get-RedisClusterInfo | Format-List * }
    Capture { Get-RedisClusterSlot | Format-List * }
    Capture { Get-RedisKeySlot -Key a, b }
    Capture { Connect-RedisCluster -EndPoint $Deployed[0].EndPoint -Credential (New-TestCredential "$Canary-wrong") }
    Capture { Get-RedisClusterNode -EndPoint $Deployed[0].EndPoint -Credential (New-TestCredential "$Canary-wrong") }
    Capture { New-RedisCluster -EndPoint $Deployed.EndPoint -Credential $Cred }
    Capture { Disconnect-RedisCluster }
    Capture { $Error | ForEach-Object { $_ | Format-List * -Force; $_.Exception.ToString() } }
    # While the nodes still run: every process command line on the machine.
    $script:CommandLines = Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | ForEach-Object {
        try { [IO.File]::ReadAllText("$($_.FullName)/cmdline") } catch { }
    }
    # Then the nodes stop: redis holds a lock on nodes.conf that keeps readers out while it runs.
    foreach ($d in $Deployed) { Stop-Process -Id $d.ProcessId -Force -ErrorAction SilentlyContinue; Wait-Process -Id $d.ProcessId -Timeout 5 -ErrorAction SilentlyContinue }
}

AfterAll {
    foreach ($d in $Deployed) { Stop-Process -Id $d.ProcessId -Force -ErrorAction SilentlyContinue }
}

Describe 'Secrets' {
    It 'ran the cmdlets it meant to (the canary search is not vacuous)' {
        $Deployed.Count | Should -Be 6
        ($Transcript -join "`n") | Should -BeLike '*0-5460*'
        ($Transcript -join "`n") | Should -BeLike '*AuthenticationFailed*'
    }

    It 'never appear in any output, verbose, debug, warning or error stream' {
        ($Transcript -join "`n") | Should -Not -BeLike "*$Canary*"
    }

    It 'never appear on a process command line' {
        @($CommandLines | Where-Object { $_ -like "*$Canary*" }).Count | Should -Be 0
    }

    It 'appear in no file but the node configs the user asked for' {
        $leaks = Get-ChildItem $Root -Recurse -File | Where-Object { $_.Name -notlike 'redis_*.conf' -and (Select-String -Path $_.FullName -SimpleMatch $Canary -Quiet) }
        $leaks | Should -BeNullOrEmpty
        (Get-ChildItem "$Root/conf" -Filter 'redis_*.conf' | Select-String -SimpleMatch $Canary -List).Count | Should -Be 6
    }
}
