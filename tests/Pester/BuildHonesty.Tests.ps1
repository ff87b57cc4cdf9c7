# The build's test steps (build/TestRun.psm1) judged against runs that go wrong: a test host that dies, a
# project that runs nothing, a Pester file that cannot run, a pwsh that dies. Issue 5: such runs used to end
# "N passed, 0 failed" with exit code 0. Needs no redis-server and not the RedisCluster module.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../build/TestRun.psm1') -Force

    # One throwaway xunit project, built by the first run that needs it; every xunit case picks its tests
    # with a filter, so each case stands alone and the build happens once.
    $script:ProbeProject = Join-Path $TestDrive 'Honesty.Probe'
    $null = New-Item -ItemType Directory $ProbeProject
    Set-Content (Join-Path $ProbeProject 'Honesty.Probe.csproj') @'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <IsPackable>false</IsPackable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
    <PackageReference Include="xunit" Version="2.9.3" />
    <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
  </ItemGroup>
</Project>
'@
    Set-Content (Join-Path $ProbeProject 'ProbeTests.cs') @'
using System;
using Xunit;

public class Passing
{
    [Fact] public void Adds() => Assert.Equal(2, 1 + 1);
    [Fact] public void Concatenates() => Assert.Equal("ab", "a" + "b");
}

public class Failing
{
    [Fact] public void AssertsWrongly() => Assert.Equal(3, 1 + 1);
}

public class KillsItsHost
{
    // What code under test that calls Environment.Exit does to the test host, and to every result not yet reported.
    [Fact] public void ExitsTheProcess() => Environment.Exit(3);
}
'@

    function Invoke-Probe([string] $Filter, [string] $Results) {
        # The dotnet test output goes to the information stream; the verdict is what is under test.
        Invoke-XunitProject -Path $ProbeProject -Configuration Debug -Filter $Filter -ResultsDirectory (Join-Path $TestDrive $Results) 6>$null
    }

    # The Pester step runs Pester in a fresh pwsh: the same Pester that runs this file.
    $script:PesterModule = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
    function New-PesterSuite([string] $Name, [hashtable] $Files) {
        $suite = Join-Path $TestDrive $Name
        $null = New-Item -ItemType Directory $suite
        foreach ($file in $Files.Keys) { Set-Content (Join-Path $suite $file) $Files[$file] }
        $suite
    }
    $script:PassingTestFile = "Describe 'arithmetic' { It 'adds' { 1 + 1 | Should -Be 2 } }"
}

Describe 'Invoke-XunitProject' {
    It 'fails a run whose test host died, naming the aborted host' {
        $result = Invoke-Probe 'FullyQualifiedName~Passing.Adds|FullyQualifiedName~KillsItsHost' 'aborted'

        $result.Project | Should -BeExactly 'Honesty.Probe'
        $result.ExitCode | Should -Be 1
        $result.Aborted | Should -BeTrue
        $result.Verdict | Should -BeExactly 'Incomplete'
        $result.Problem | Should -BeExactly 'test host aborted (exit code 1), results incomplete'
        # Not asserted: Passed. Whether the passing test's result reached the trx before the host died
        # depends on test order and timing; that it may not is the point of 'Incomplete'.
    }

    It 'passes a run in which every test ran and passed, with its exact counts' {
        $result = Invoke-Probe 'FullyQualifiedName~Passing' 'passing'

        $result.Project | Should -BeExactly 'Honesty.Probe'
        $result.ExitCode | Should -Be 0
        $result.Passed | Should -Be 2
        $result.Failed | Should -Be 0
        $result.Total | Should -Be 2
        $result.Aborted | Should -BeFalse
        $result.Verdict | Should -BeExactly 'Passed'
        $result.Problem | Should -BeNullOrEmpty
    }

    It 'fails a complete run with a failing test, and its counts stand' {
        $result = Invoke-Probe 'FullyQualifiedName~Passing|FullyQualifiedName~Failing' 'failing'

        $result.ExitCode | Should -Be 1
        $result.Passed | Should -Be 2
        $result.Failed | Should -Be 1
        $result.Total | Should -Be 3
        $result.Aborted | Should -BeFalse
        $result.Verdict | Should -BeExactly 'Failed'
        $result.Problem | Should -BeExactly '1 test(s) failed'
        # The end of a CI log is often all a reader gets: the failed test is named there, with its error.
        $result.FailedTests | Should -HaveCount 1
        $result.FailedTests[0] | Should -BeLike 'Failing.AssertsWrongly: Assert.Equal() Failure*'
    }

    It 'fails a run that executed no test, though dotnet test exits 0' {
        $result = Invoke-Probe 'FullyQualifiedName~NoSuchTest' 'empty'

        $result.ExitCode | Should -Be 0
        $result.Passed | Should -Be 0
        $result.Total | Should -Be 0
        $result.Aborted | Should -BeFalse
        $result.Verdict | Should -BeExactly 'Incomplete'
        $result.Problem | Should -BeExactly 'produced no results (0 tests executed, exit code 0)'
    }

    It 'fails a project that wrote no trx at all' {
        $result = Invoke-XunitProject -Path (Join-Path $TestDrive 'No.Such.Project') -ResultsDirectory (Join-Path $TestDrive 'missing') 6>$null

        $result.Project | Should -BeExactly 'No.Such.Project'
        $result.ExitCode | Should -Be 1
        $result.Verdict | Should -BeExactly 'Incomplete'
        $result.Problem | Should -BeExactly 'produced no results (no trx file, exit code 1)'
    }

    It 'does not count a trx left in the results directory by an earlier run' {
        $results = Join-Path $TestDrive 'stale'
        $null = New-Item -ItemType Directory $results
        Set-Content (Join-Path $results 'earlier.trx') @'
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <ResultSummary outcome="Completed">
    <Counters total="5" executed="5" passed="5" failed="0" error="0" timeout="0" aborted="0" passedButRunAborted="0" />
  </ResultSummary>
</TestRun>
'@
        $result = Invoke-XunitProject -Path (Join-Path $TestDrive 'No.Such.Project') -ResultsDirectory $results 6>$null

        $result.Passed | Should -Be 0
        $result.Verdict | Should -BeExactly 'Incomplete'
        $result.Problem | Should -BeExactly 'produced no results (no trx file, exit code 1)'
    }
}

Describe 'Invoke-PesterRun' {
    It 'passes a suite in which every test ran and passed' {
        $suite = New-PesterSuite 'suite-passing' @{ 'Arithmetic.Tests.ps1' = $PassingTestFile }

        $result = Invoke-PesterRun -PesterModule $PesterModule -Path $suite -ResultsDirectory (Join-Path $TestDrive 'pester-passing') 6>$null

        $result.Project | Should -BeExactly 'Pester'
        $result.ExitCode | Should -Be 0
        $result.Passed | Should -Be 1
        $result.Failed | Should -Be 0
        $result.Total | Should -Be 1
        $result.Verdict | Should -BeExactly 'Passed'
        $result.Problem | Should -BeNullOrEmpty
    }

    It 'fails a suite with a failing test, naming it with the first line of its error' {
        $suite = New-PesterSuite 'suite-failing' @{
            'Arithmetic.Tests.ps1' = $PassingTestFile
            'Wrong.Tests.ps1'      = "Describe 'sums' { It 'adds wrongly' { 1 + 1 | Should -Be 3 } }"
        }

        $result = Invoke-PesterRun -PesterModule $PesterModule -Path $suite -ResultsDirectory (Join-Path $TestDrive 'pester-failing') 6>$null

        $result.Verdict | Should -BeExactly 'Failed'
        $result.Problem | Should -BeExactly '1 test(s) failed'
        $result.FailedTests | Should -BeExactly @('sums.adds wrongly: Expected 3, but got 2.')
    }

    It 'fails a suite with a test file that could not run, naming the file' {
        $suite = New-PesterSuite 'suite-broken' @{
            'Arithmetic.Tests.ps1' = $PassingTestFile
            'Broken.Tests.ps1'     = "throw 'discovery fails'`nDescribe 'never discovered' { It 'never runs' { } }"
        }

        $result = Invoke-PesterRun -PesterModule $PesterModule -Path $suite -ResultsDirectory (Join-Path $TestDrive 'pester-broken') 6>$null

        $result.ExitCode | Should -Be 0
        $result.Passed | Should -Be 1
        $result.Failed | Should -Be 0
        $result.Aborted | Should -BeFalse
        $result.Verdict | Should -BeExactly 'Incomplete'
        $result.Problem | Should -BeExactly '1 container(s) failed to run (Broken.Tests.ps1), results incomplete'
    }

    It 'fails a run whose pwsh died before writing its summary' {
        $suite = New-PesterSuite 'suite-dying' @{ 'Dies.Tests.ps1' = "Describe 'dies' { It 'exits the process' { [Environment]::Exit(3) } }" }

        $result = Invoke-PesterRun -PesterModule $PesterModule -Path $suite -ResultsDirectory (Join-Path $TestDrive 'pester-dying') 6>$null

        $result.ExitCode | Should -Be 3
        $result.Aborted | Should -BeTrue
        $result.Verdict | Should -BeExactly 'Incomplete'
        $result.Problem | Should -BeExactly 'no summary written (pwsh exit code 3), results incomplete'
    }

    It 'fails a summary it cannot read: <Case>' -TestCases @(
        @{ Case = 'empty, as a process killed while writing it leaves it'; Content = ''
            Problem = 'summary unreadable (the file is empty), results incomplete' }
        @{ Case = 'a count missing'; Content = '{ "Passed": 12, "Total": 12, "FailedContainers": [] }'
            Problem = "summary unreadable (The property 'Failed' cannot be found on this object. Verify that the property exists.), results incomplete" }
    ) {
        $summary = Join-Path $TestDrive "summary-$([guid]::NewGuid()).json"
        Set-Content $summary $Content

        # A summary nobody can read cannot be made by a real run on demand: the judge is called directly.
        $result = InModuleScope TestRun -Parameters @{ Summary = $summary } { param($Summary) Get-PesterVerdict -ExitCode 0 -SummaryPath $Summary }

        $result.Verdict | Should -BeExactly 'Incomplete'
        $result.Problem | Should -BeExactly $Problem
    }
}
