BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:ModuleDir = Split-Path $ModuleManifest
    $script:Manifest = Import-PowerShellDataFile $ModuleManifest
}

Describe 'The built module' {
    It 'has a manifest that tests clean and exports exactly the listed cmdlets' {
        $info = Test-ModuleManifest $ModuleManifest
        $info.Version | Should -Be ([version]$Manifest.ModuleVersion)
        $exported = (Get-Command -Module RedisCluster).Name | Sort-Object
        $exported | Should -Be ($Manifest.CmdletsToExport | Sort-Object)
        $Manifest.CompatiblePSEditions | Should -Be @('Core', 'Desktop')
        $Manifest.PrivateData.PSData.Tags | Should -Contain 'Redis'
        $Manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $Manifest.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
    }

    It 'keeps the engine and its dependencies in dependencies/' {
        Test-Path (Join-Path $ModuleDir 'dependencies/StackExchange.Redis.dll') | Should -BeTrue
        Test-Path (Join-Path $ModuleDir 'dependencies/RedisCluster.Core.dll') | Should -BeTrue
        @(Get-ChildItem $ModuleDir -Filter *.dll).Name | Should -Be @('RedisCluster.dll')
    }

    It 'loads StackExchange.Redis into a private load context' {
        $null = Get-RedisKeySlot -Key x
        $assembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'RedisCluster.Core' }
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).GetType().Name | Should -Be 'DependencyLoadContext'
    }

    It 'has help with a synopsis and an example for every cmdlet' -ForEach @(
        (Import-PowerShellDataFile $(if ($env:REDISCLUSTER_MODULE) { $env:REDISCLUSTER_MODULE } else { Join-Path $PSScriptRoot '../../out/RedisCluster/RedisCluster.psd1' })).CmdletsToExport |
            ForEach-Object { @{ Name = $_ } }
    ) {
        $help = Get-Help $Name -Full
        # Without MAML help PowerShell makes the synopsis from the syntax, which starts with the name.
        $help.Synopsis.Trim() | Should -Not -Match "^$Name\b"
        $help.Description | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
    }

    It 'has an about topic' {
        Test-Path (Join-Path $ModuleDir 'en-US/about_RedisCluster.help.txt') | Should -BeTrue
        (Get-Help about_RedisCluster | Out-String) | Should -BeLike '*Connect-RedisCluster*'
    }

    It 'has a default view for every type it writes' {
        $formats = [xml](Get-Content (Join-Path $ModuleDir 'RedisCluster.Format.ps1xml') -Raw)
        $viewed = $formats.Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName
        foreach ($command in Get-Command -Module RedisCluster) {
            foreach ($type in $command.OutputType.Name) {
                if ($type -ne 'System.Void') { $viewed | Should -Contain $type -Because "$($command.Name) writes $type" }
            }
        }
    }

    It 'imports and works in a session that loaded another StackExchange.Redis first' {
        $node = Start-TestNode
        try {
            $nuget = $env:REDISCLUSTER_NUGET
            if (-not $nuget) { $nuget = ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim() }
            $output = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$nuget/microsoft.extensions.logging.abstractions/6.0.0/lib/net6.0/Microsoft.Extensions.Logging.Abstractions.dll'
Add-Type -Path '$nuget/pipelines.sockets.unofficial/2.2.8/lib/net5.0/Pipelines.Sockets.Unofficial.dll'
Add-Type -Path '$nuget/stackexchange.redis/2.8.16/lib/net6.0/StackExchange.Redis.dll'
`$old = [StackExchange.Redis.ConnectionMultiplexer]::Connect('$($node.EndPoint)')
Import-Module '$ModuleManifest'
`$ours = Get-RedisClusterNode -EndPoint '$($node.EndPoint)'
'nodes=' + @(`$ours).Count
'old=' + `$old.GetDatabase().Ping().TotalMilliseconds.GetType().Name
`$old.Dispose()
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'StackExchange.Redis' } |
    ForEach-Object { 'loaded=' + `$_.GetName().Version.ToString(2) }
"@
            $output | Should -Contain 'nodes=1'
            $output | Should -Contain 'old=Double'
            # Assembly versions are major.0: 2.x is the one loaded first, 3.x ours, side by side.
            ($output | Where-Object { $_ -like 'loaded=*' } | Sort-Object) -join ' ' | Should -Be 'loaded=2.0 loaded=3.0'
        } finally { Stop-TestNode -Node $node }
    }

    It 'installs from a local repository with Install-Module and imports in a fresh session' {
        $repository = Join-Path $TestDrive 'repo'
        $installRoot = Join-Path $TestDrive 'installed'
        $null = New-Item -ItemType Directory $repository, $installRoot
        $output = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
`$name = 'RedisClusterTest$(Get-Random)'
Register-PSResourceRepository -Name `$name -Uri '$repository' -Trusted
try {
    Publish-PSResource -Path '$ModuleDir' -Repository `$name
    Save-PSResource -Name RedisCluster -Repository `$name -Path '$installRoot' -TrustRepository
} finally { Unregister-PSResourceRepository -Name `$name }
`$env:PSModulePath = '$installRoot' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module RedisCluster
'slot=' + (Get-RedisKeySlot -Key foo).Slot
"@
        $output | Should -Contain 'slot=12182'
    }
}
