#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages the RedisCluster module.
.DESCRIPTION
    Build   : compiles the solution and lays out an importable module in out/RedisCluster.
    Test    : Build, then every xunit and Pester test; ends with one line "N passed, N failed".
    Demo    : Build, then starts six local nodes, creates a cluster with one replica each and prints it.
              -Stop stops the demo nodes.
    Package : Build, then publishes the module to a local folder repository in out/repository.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [switch] $Stop,
    # Pester tests to run (paths or tags), for a quicker loop while developing.
    [string[]] $PesterPath = @(Join-Path $PSScriptRoot 'tests/Pester')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$OutDir = Join-Path $Root 'out'
$ModuleDir = Join-Path $OutDir 'RedisCluster'
$Manifest = Import-PowerShellDataFile (Join-Path $Root 'RedisCluster.psd1')
$Version = $Manifest.ModuleVersion

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-NuGetPackageRoot {
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-BuildTask {
    Write-Host "Building RedisCluster $Version ($Configuration)" -ForegroundColor Cyan
    if (Test-Path $ModuleDir) { Remove-Item $ModuleDir -Recurse -Force }
    $staging = Join-Path $OutDir 'obj'
    $common = @('-c', $Configuration, '--nologo', '-v', 'quiet', "-p:Version=$Version")
    Invoke-Native dotnet (@('build', (Join-Path $Root 'RedisCluster.PS.sln')) + $common)
    # The bridge layout: the cmdlets and the model (RedisCluster.Core) beside the manifest, in the default
    # context where scripts see their types; the engine and the libraries it wraps in dependencies/, loaded
    # into the private context by the module's resolver.
    $dependencies = Join-Path $ModuleDir 'dependencies'
    Invoke-Native dotnet (@('publish', (Join-Path $Root 'src/RedisCluster.Engine'), '-o', $dependencies, '--no-build') + $common)
    Invoke-Native dotnet (@('publish', (Join-Path $Root 'src/RedisCluster.LoadContext'), '-o', $dependencies, '--no-build') + $common)
    Invoke-Native dotnet (@('publish', (Join-Path $Root 'src/RedisCluster'), '-o', $staging, '--no-build') + $common)
    Invoke-Native dotnet (@('publish', (Join-Path $Root 'src/RedisCluster.Core'), '-o', $staging, '--no-build') + $common)
    Copy-Item (Join-Path $staging 'RedisCluster.dll'), (Join-Path $staging 'RedisCluster.Core.dll') $ModuleDir
    Remove-Item $staging -Recurse -Force
    # One copy of the model only: a second one in dependencies/ would split every type in two.
    Remove-Item (Join-Path $dependencies 'RedisCluster.Core.*') -ErrorAction SilentlyContinue
    Get-ChildItem (Join-Path $ModuleDir 'dependencies') -Filter *.pdb | Remove-Item
    Copy-Item (Join-Path $Root 'RedisCluster.psd1') $ModuleDir
    Copy-Item (Join-Path $Root 'src/RedisCluster/RedisCluster.Format.ps1xml') $ModuleDir
    Invoke-Native dotnet @('run', '--project', (Join-Path $Root 'build/HelpGen'), '-c', $Configuration, '--',
        (Join-Path $Root 'docs/en-US'), (Join-Path $ModuleDir 'en-US'), 'RedisCluster.dll')
    Write-Host "Module ready: $ModuleDir" -ForegroundColor Green
}

function Invoke-TestTask {
    Invoke-BuildTask
    Import-Module (Join-Path $Root 'build/TestRun.psm1') -Force
    $results = Join-Path $OutDir 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }

    Write-Host 'Unit tests (xunit)' -ForegroundColor Cyan
    $steps = @(foreach ($project in 'tests/RedisCluster.Core.Tests', 'build/HelpGen.Tests') {
            Invoke-XunitProject -Path (Join-Path $Root $project) -Configuration $Configuration -ResultsDirectory (Join-Path $results (Split-Path $project -Leaf))
        })

    Write-Host 'Module tests (Pester, against real redis-server nodes)' -ForegroundColor Cyan
    Invoke-Native dotnet @('restore', (Join-Path $Root 'build/tools.proj'), '--nologo', '-v', 'quiet')
    $env:REDISCLUSTER_MODULE = Join-Path $ModuleDir 'RedisCluster.psd1'
    $env:REDISCLUSTER_NUGET = Get-NuGetPackageRoot
    $pesterModule = Join-Path (Get-NuGetPackageRoot) 'pester/5.7.1/tools/Pester.psd1'
    $steps += Invoke-PesterRun -PesterModule $pesterModule -Path $PesterPath -ResultsDirectory (Join-Path $results 'Pester')

    foreach ($step in $steps) { Write-Host "$($step.Project): $($step.Passed) passed, $($step.Failed) failed" }
    # What went wrong, next to the final line, where a reader of a CI log looks.
    foreach ($step in $steps | Where-Object Verdict -NE 'Passed') {
        Write-Host "$($step.Project): $($step.Problem)" -ForegroundColor Red
        foreach ($test in $step.FailedTests) { Write-Host "  failed: $test" -ForegroundColor Red }
    }
    $passed = ($steps | Measure-Object Passed -Sum).Sum
    # A step whose results are incomplete counts as one failure more: some of its tests' fate is unknown,
    # and "0 failed" must never describe a run that went wrong.
    $failed = ($steps | Measure-Object Failed -Sum).Sum + @($steps | Where-Object Verdict -EQ 'Incomplete').Count
    Write-Output "$passed passed, $failed failed"
    if ($steps | Where-Object Verdict -NE 'Passed') { exit 1 }
}

function Stop-Demo([string] $DemoDir) {
    foreach ($file in Get-ChildItem $DemoDir -Recurse -Filter '*.pid' -ErrorAction SilentlyContinue) {
        $processId = [int](Get-Content $file.FullName -Raw)
        if (Get-Process -Id $processId -ErrorAction SilentlyContinue) {
            Stop-Process -Id $processId
            Wait-Process -Id $processId -Timeout 10 -ErrorAction SilentlyContinue
            Write-Host "Stopped redis-server $processId"
        }
    }
    if (Test-Path $DemoDir) { Remove-Item $DemoDir -Recurse -Force }
}

function Invoke-DemoTask {
    $demoDir = Join-Path $OutDir 'demo'
    # A demo from an earlier run goes first: its nodes hold the ports.
    Stop-Demo $demoDir
    if ($Stop) { return }
    Invoke-BuildTask
    & (Join-Path $Root 'examples/New-LocalCluster.ps1') -ModulePath (Join-Path $ModuleDir 'RedisCluster.psd1') -Path $demoDir
    Write-Host ''
    Write-Host 'The cluster keeps running. Explore it:' -ForegroundColor Green
    Write-Host '  dotnet pwsh'
    Write-Host '  Import-Module ./out/RedisCluster/RedisCluster.psd1'
    Write-Host "  `$cred = [pscredential]::new('default', (Get-Content ./out/demo/password -Raw | ConvertTo-SecureString -AsPlainText -Force))"
    Write-Host '  Connect-RedisCluster 127.0.0.1:6379 -Credential $cred'
    Write-Host '  Get-RedisClusterNode | Where Role -eq master'
    Write-Host 'Stop it with:  ./build.sh demo -Stop' -ForegroundColor Green
}

function Invoke-PackageTask {
    Invoke-BuildTask
    $repository = Join-Path $OutDir 'repository'
    $null = New-Item -ItemType Directory -Force $repository
    $name = 'RedisClusterLocal'
    if (-not (Get-PSResourceRepository -Name $name -ErrorAction SilentlyContinue)) {
        Register-PSResourceRepository -Name $name -Uri $repository -Trusted
    }
    Publish-PSResource -Path $ModuleDir -Repository $name
    Write-Host "Published to $repository. Install with: Install-PSResource RedisCluster -Repository $name"
}

switch ($Task) {
    'Build' { Invoke-BuildTask }
    'Test' { Invoke-TestTask }
    'Demo' { Invoke-DemoTask }
    'Package' { Invoke-PackageTask }
}
