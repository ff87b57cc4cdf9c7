BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:ModuleDir = Split-Path $ModuleManifest
    $script:Manifest = Import-PowerShellDataFile $ModuleManifest
    $script:NuGet = if ($env:REDISCLUSTER_NUGET) { $env:REDISCLUSTER_NUGET } else { ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim() }
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

    It 'keeps the cmdlets and the model beside the manifest, the engine and its libraries in dependencies/' {
        @(Get-ChildItem $ModuleDir -Filter *.dll | Sort-Object Name).Name | Should -Be @('RedisCluster.Core.dll', 'RedisCluster.dll')
        Test-Path (Join-Path $ModuleDir 'dependencies/StackExchange.Redis.dll') | Should -BeTrue
        Test-Path (Join-Path $ModuleDir 'dependencies/RedisCluster.Engine.dll') | Should -BeTrue
        Test-Path (Join-Path $ModuleDir 'dependencies/Renci.SshNet.dll') | Should -BeTrue
        Test-Path (Join-Path $ModuleDir 'dependencies/BouncyCastle.Cryptography.dll') | Should -BeTrue
        # One copy of the model only, or every type would exist twice.
        Test-Path (Join-Path $ModuleDir 'dependencies/RedisCluster.Core.dll') | Should -BeFalse
    }

    It 'loads the engine, StackExchange.Redis and SSH.NET into a private load context and the model into the default one' {
        # Any use of a connection loads the engine, a failed one too.
        try { $null = Get-RedisClusterNode -EndPoint "127.0.0.1:$(Get-FreeNodePort)" } catch { }
        $contexts = @{}
        foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
            $contexts[$assembly.GetName().Name] = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).GetType().Name
        }
        $contexts['RedisCluster.Engine'] | Should -Be 'DependencyLoadContext'
        $contexts['StackExchange.Redis'] | Should -Be 'DependencyLoadContext'
        # Reading an SSH key and connecting load SSH.NET and its cryptography, a refused connection too.
        $key = Join-Path $TestDrive 'module_test_key'
        & ssh-keygen -q -t ed25519 -N '' -f $key
        $err = Get-ErrorRecord { New-RedisClusterNode -Port (Get-FreeNodePort) -SshKeyFile $key -SshPort (Get-FreeNodePort) -InstallPath '/tmp/never' }
        $err.FullyQualifiedErrorId | Should -Be 'SshConnectionRefused,RedisCluster.Commands.NewRedisClusterNodeCommand'
        foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
            $contexts[$assembly.GetName().Name] = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).GetType().Name
        }
        $contexts['Renci.SshNet'] | Should -Be 'DependencyLoadContext'
        $contexts['BouncyCastle.Cryptography'] | Should -Be 'DependencyLoadContext'
        $contexts['RedisCluster.Core'] | Should -Be 'DefaultAssemblyLoadContext'
        $contexts['RedisCluster'] | Should -Be 'DefaultAssemblyLoadContext'
    }

    It 'lets scripts name the module''s types: every parameter and output type resolves from a script to the very type the cmdlet uses' {
        $unresolved = foreach ($command in Get-Command -Module RedisCluster) {
            $types = @($command.Parameters.Values.ParameterType) + @($command.OutputType.Type)
            foreach ($type in $types) {
                $element = if ($type.IsArray) { $type.GetElementType() } else { [Nullable]::GetUnderlyingType($type) ?? $type }
                if ($element.Namespace -notlike 'RedisCluster*') { continue }
                $fromScript = $element.FullName -as [type]
                if ($null -eq $fromScript -or -not $fromScript.Equals($element)) { "$($command.Name): $($element.FullName)" }
                # Public properties of output types too: a script must be able to test them with -is.
                foreach ($property in $element.GetProperties()) {
                    $propertyType = [Nullable]::GetUnderlyingType($property.PropertyType) ?? $property.PropertyType
                    if ($propertyType.Namespace -like 'RedisCluster*' -and -not ($propertyType.FullName -as [type])) { "$($element.Name).$($property.Name): $($propertyType.FullName)" }
                }
            }
        }
        $unresolved | Should -BeNullOrEmpty
        [RedisCluster.NodeRole]::Master | Should -Be 'Master'
        [RedisCluster.SlotRange]'0-100' | Should -Be ([RedisCluster.SlotRange]::new(0, 100))
        ([RedisCluster.SlotRangeList]'0-100,5000').SlotCount | Should -Be 102
    }

    It 'binds strings to typed parameters and completes enum values' {
        (Get-Command Get-RedisClusterNode).Parameters['Role'].ParameterType | Should -Be ([RedisCluster.NodeRole])
        $completion = TabExpansion2 -inputScript 'Get-RedisClusterNode -Role ' -cursorColumn 'Get-RedisClusterNode -Role '.Length
        @($completion.CompletionMatches.CompletionText) | Should -Be @('Master', 'Replica', 'Unknown')
        $err = Get-ErrorRecord { Get-RedisClusterSlot -Slot '0-100,x' -EndPoint "127.0.0.1:1" }
        $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,RedisCluster.Commands.GetRedisClusterSlotCommand'
        "$err" | Should -BeLike "*'x' is not a slot or slot range*"
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
        # Get-Help lists a topic with the line after SHORT DESCRIPTION as its synopsis: it must be the whole sentence.
        $listed = Get-Help *RedisCluster* | Where-Object Name -eq 'about_RedisCluster'
        $listed.Synopsis | Should -Match '^Build and run Redis Cluster from PowerShell: .+\.$'
    }

    It 'has a default view for every type it writes' {
        $formats = [xml](Get-Content (Join-Path $ModuleDir 'RedisCluster.Format.ps1xml') -Raw)
        $viewed = $formats.Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName
        foreach ($command in Get-Command -Module RedisCluster) {
            foreach ($type in $command.OutputType.Name) {
                # The module's own types; plain .NET values (Test-RedisCluster -Quiet's bool) have PowerShell's views.
                if ($type -like 'RedisCluster.*') { $viewed | Should -Contain $type -Because "$($command.Name) writes $type" }
            }
        }
    }

    It 'imports and works in a session that loaded another StackExchange.Redis first' {
        $node = Start-TestNode
        try {
            $output = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$NuGet/microsoft.extensions.logging.abstractions/6.0.0/lib/net6.0/Microsoft.Extensions.Logging.Abstractions.dll'
Add-Type -Path '$NuGet/pipelines.sockets.unofficial/2.2.8/lib/net5.0/Pipelines.Sockets.Unofficial.dll'
Add-Type -Path '$NuGet/stackexchange.redis/2.8.16/lib/net6.0/StackExchange.Redis.dll'
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

    It 'imports and works when another StackExchange.Redis is loaded after it' {
        $node = Start-TestNode
        try {
            $output = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
`$ours = Get-RedisClusterNode -EndPoint '$($node.EndPoint)'
Add-Type -Path '$NuGet/microsoft.extensions.logging.abstractions/6.0.0/lib/net6.0/Microsoft.Extensions.Logging.Abstractions.dll'
Add-Type -Path '$NuGet/pipelines.sockets.unofficial/2.2.8/lib/net5.0/Pipelines.Sockets.Unofficial.dll'
Add-Type -Path '$NuGet/stackexchange.redis/2.8.16/lib/net6.0/StackExchange.Redis.dll'
`$old = [StackExchange.Redis.ConnectionMultiplexer]::Connect('$($node.EndPoint)')
'old=' + `$old.GetDatabase().Ping().TotalMilliseconds.GetType().Name
`$old.Dispose()
'nodes=' + @(Get-RedisClusterNode -EndPoint '$($node.EndPoint)').Count
'role=' + (`$ours[0].Role -is [RedisCluster.NodeRole])
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'StackExchange.Redis' } |
    ForEach-Object { 'loaded=' + `$_.GetName().Version.ToString(2) }
"@
            $output | Should -Contain 'old=Double'
            $output | Should -Contain 'nodes=1'
            $output | Should -Contain 'role=True'
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
