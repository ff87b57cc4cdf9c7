<#
    Runs one test step (an xunit project, or the Pester suite) and judges whether its results can be trusted.

    A step's result is an object:
        Project   the xunit project's name, or 'Pester'
        ExitCode  of `dotnet test`, or of the pwsh process that ran Pester
        Passed, Failed, Total
                  the counts the step's results report
        Aborted   the runner died before it finished: its counts miss whatever had not been reported yet
        Verdict   'Passed'     every test ran and passed
                  'Failed'     every test ran, and some failed: the counts are complete
                  'Incomplete' the results cannot be trusted (a crashed runner, no results, a file that did not
                               run, an exit code the results do not explain): the counts are not the whole story
        Problem   why the verdict is not 'Passed', in words; $null when it is
        FailedTests
                  each failed test as 'name: first line of its error', so the end of a long CI log,
                  often all a reader gets, says which tests failed and why

    The exit code alone is not enough (`dotnet test` exits 0 when it runs no test at all, e.g. when a filter
    matches nothing), and neither are the results alone (an aborted test host leaves a trx that merely lacks
    tests), so each step is judged from both.
#>

Set-StrictMode -Version Latest
# A module does not see its caller's script-scope preference: without this, a non-terminating error while
# reading results would slip past the try/catch that turns it into an 'Incomplete' verdict.
$ErrorActionPreference = 'Stop'

function New-StepResult {
    param(
        [string] $Project, [int] $ExitCode, [int] $Passed = 0, [int] $Failed = 0, [int] $Total = 0,
        [bool] $Aborted = $false, [string] $Problem, [switch] $Incomplete, [string[]] $FailedTests = @()
    )
    $verdict = if ($Incomplete) { 'Incomplete' } elseif ($Problem) { 'Failed' } else { 'Passed' }
    [pscustomobject]@{
        Project  = $Project
        ExitCode = $ExitCode
        Passed   = $Passed
        Failed   = $Failed
        Total    = $Total
        Aborted  = $Aborted
        Verdict  = $verdict
        Problem  = if ($Problem) { $Problem } else { $null }
        FailedTests = $FailedTests
    }
}

function Get-XunitVerdict {
    <#
    .SYNOPSIS
        Judges one `dotnet test` run from its exit code and the trx files in its own results directory.
    #>
    param(
        [Parameter(Mandatory)] [string] $Project,
        [Parameter(Mandatory)] [int] $ExitCode,
        [Parameter(Mandatory)] [string] $ResultsDirectory
    )
    $trxFiles = @(Get-ChildItem $ResultsDirectory -Filter *.trx -Recurse -ErrorAction SilentlyContinue)
    if ($trxFiles.Count -eq 0) {
        return New-StepResult $Project $ExitCode -Incomplete -Problem "produced no results (no trx file, exit code $ExitCode)"
    }

    $executed = 0; $passed = 0; $failed = 0; $total = 0; $aborted = $false; $failedTests = @()
    foreach ($file in $trxFiles) {
        try {
            $trx = [xml]::new()
            $trx.Load($file.FullName)
            $summary = $trx.TestRun.ResultSummary
            $counters = $summary.Counters
            $count = { param([string] $Name) [int]$counters.GetAttribute($Name) }
            $executed += & $count executed
            $total += & $count total
            $passed += & $count passed
            foreach ($result in $trx.SelectNodes("//*[local-name()='UnitTestResult'][@outcome!='Passed' and @outcome!='NotExecuted']")) {
                $message = $result.SelectSingleNode(".//*[local-name()='ErrorInfo']/*[local-name()='Message']")
                $failedTests += Format-FailedTest $result.GetAttribute('testName') $(if ($message) { $message.InnerText })
            }
            $failed += (& $count failed) + (& $count error) + (& $count timeout) + (& $count aborted)
            # The trx can say 'aborted' through the run's outcome or the aborted and passedButRunAborted
            # counters, but a crashed test host uses none of these: it leaves outcome="Failed", counts only
            # what was reported before the crash, and says what happened in a RunInfo alone.
            $runInfoText = @($summary.SelectNodes("*[local-name()='RunInfos']/*[local-name()='RunInfo']") | ForEach-Object InnerText)
            if ($summary.GetAttribute('outcome') -eq 'Aborted' -or (& $count aborted) -gt 0 -or (& $count passedButRunAborted) -gt 0 -or
                ($runInfoText -match 'test run was aborted|test host process crashed')) {
                $aborted = $true
            }
        }
        catch {
            return New-StepResult $Project $ExitCode -Incomplete -Problem "results unreadable ($($file.Name): $($_.Exception.GetBaseException().Message))"
        }
    }

    $counts = @{ Passed = $passed; Failed = $failed; Total = $total; Aborted = $aborted; FailedTests = $failedTests }
    if ($aborted) {
        return New-StepResult $Project $ExitCode @counts -Incomplete -Problem "test host aborted (exit code $ExitCode), results incomplete"
    }
    if ($executed -eq 0) {
        return New-StepResult $Project $ExitCode @counts -Incomplete -Problem "produced no results (0 tests executed, exit code $ExitCode)"
    }
    if ($failed -gt 0) {
        return New-StepResult $Project $ExitCode @counts -Problem "$failed test(s) failed"
    }
    if ($ExitCode -ne 0) {
        return New-StepResult $Project $ExitCode @counts -Incomplete -Problem "dotnet test exited with code $ExitCode though no test failed, results incomplete"
    }
    New-StepResult $Project $ExitCode @counts
}

function Invoke-XunitProject {
    <#
    .SYNOPSIS
        Runs `dotnet test` for one project into its own results directory and judges the run.
    .DESCRIPTION
        The results directory is emptied first: a trx left by an earlier run would hide a run that wrote none.
        The output of `dotnet test`, stderr included and in order, goes to the information stream (Write-Host),
        so the caller receives the verdict object only.
    #>
    param(
        # The project's directory or .csproj file.
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $ResultsDirectory,
        [string] $Configuration = 'Release',
        # A `dotnet test --filter` expression, to run some of the project's tests only.
        [string] $Filter
    )
    $project = if ($Path -like '*.csproj') { [IO.Path]::GetFileNameWithoutExtension($Path) } else { Split-Path $Path.TrimEnd('/', '\') -Leaf }
    if (Test-Path $ResultsDirectory) { Remove-Item $ResultsDirectory -Recurse -Force }
    $null = New-Item -ItemType Directory $ResultsDirectory

    $arguments = @('test', $Path, '-c', $Configuration, '--nologo', '-v', 'quiet',
        '--logger', 'trx', '--logger', 'console;verbosity=minimal', '--results-directory', $ResultsDirectory)
    if ($Filter) { $arguments += '--filter', $Filter }
    # The exit code is judged below, with the results; it must not throw here whatever the caller's preference.
    $PSNativeCommandUseErrorActionPreference = $false
    & dotnet @arguments 2>&1 | Write-Host
    Get-XunitVerdict -Project $project -ExitCode $LASTEXITCODE -ResultsDirectory $ResultsDirectory
}

function Get-PesterVerdict {
    <#
    .SYNOPSIS
        Judges one Pester run from the exit code of its pwsh process and the summary that process wrote last.
    #>
    param(
        [Parameter(Mandatory)] [int] $ExitCode,
        [Parameter(Mandatory)] [string] $SummaryPath
    )
    $project = 'Pester'
    # The summary is the runner's last act: without it, or with a non-zero exit, the run did not finish.
    if (-not (Test-Path $SummaryPath)) {
        return New-StepResult $project $ExitCode -Aborted $true -Incomplete -Problem "no summary written (pwsh exit code $ExitCode), results incomplete"
    }
    try {
        $summary = Get-Content $SummaryPath -Raw | ConvertFrom-Json
        if ($null -eq $summary) { throw 'the file is empty' }
        $counts = @{ Passed = [int]$summary.Passed; Failed = [int]$summary.Failed; Total = [int]$summary.Total }
        $failedContainers = @($summary.FailedContainers | ForEach-Object { [string]$_ })
        $counts.FailedTests = @($summary.FailedTests | ForEach-Object { Format-FailedTest $_.Name $_.Message })
    }
    catch {
        return New-StepResult $project $ExitCode -Incomplete -Problem "summary unreadable ($($_.Exception.GetBaseException().Message)), results incomplete"
    }

    if ($ExitCode -ne 0) {
        return New-StepResult $project $ExitCode @counts -Aborted $true -Incomplete -Problem "pwsh exited with code $ExitCode, results incomplete"
    }
    # A file that did not parse, threw during discovery or failed in a top-level BeforeAll/AfterAll: its
    # tests never ran or were not all reported, and nothing in the test counts says so.
    if ($failedContainers.Count -gt 0) {
        return New-StepResult $project $ExitCode @counts -Incomplete -Problem "$($failedContainers.Count) container(s) failed to run ($($failedContainers -join ', ')), results incomplete"
    }
    if ($counts.Passed + $counts.Failed -eq 0) {
        return New-StepResult $project $ExitCode @counts -Incomplete -Problem 'produced no results (0 tests executed)'
    }
    if ($counts.Failed -gt 0) {
        return New-StepResult $project $ExitCode @counts -Problem "$($counts.Failed) test(s) failed"
    }
    New-StepResult $project $ExitCode @counts
}

# One line per failed test: its name and the first line of its error.
function Format-FailedTest([string] $Name, [string] $Message) {
    $firstLine = if ($Message) { ($Message.Trim() -split '\r?\n')[0] } else { 'no message' }
    "${Name}: $firstLine"
}

# A path as a single-quoted PowerShell literal, for the command text the fresh pwsh runs.
function ConvertTo-Literal([string] $Text) {
    "'" + [Management.Automation.Language.CodeGeneration]::EscapeSingleQuotedStringContent($Text) + "'"
}

# Runs inside the fresh pwsh. Every property it writes is read by Get-PesterVerdict.
$PesterRunner = {
    param([string] $PesterModule, [string[]] $Path, [string] $TestResultPath, [string] $SummaryPath)
    $ErrorActionPreference = 'Stop'
    Import-Module $PesterModule
    $config = New-PesterConfiguration
    $config.Run.Path = $Path
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputPath = $TestResultPath
    $run = Invoke-Pester -Configuration $config
    [ordered]@{
        Passed           = $run.PassedCount
        # A failed block is a Describe or Context whose setup or teardown failed; a failed teardown shows in no test.
        Failed           = $run.FailedCount + $run.FailedBlocksCount
        Total            = $run.TotalCount
        FailedContainers = @($run.FailedContainers | ForEach-Object { Split-Path $_.Name -Leaf })
        FailedTests      = @(
            foreach ($test in $run.Failed) { @{ Name = $test.ExpandedPath; Message = [string]($test.ErrorRecord | Select-Object -First 1) } }
            foreach ($block in $run.FailedBlocks) { @{ Name = "$($block.ExpandedPath) (setup or teardown)"; Message = [string]($block.ErrorRecord | Select-Object -First 1) } })
    } | ConvertTo-Json | Set-Content $SummaryPath
}

function Invoke-PesterRun {
    <#
    .SYNOPSIS
        Runs Pester in a fresh pwsh process and judges the run.
    .DESCRIPTION
        A fresh process, because a binary module cannot be unloaded and the tests must see the built module
        only. The process inherits this one's environment and working directory. Its output, stderr included,
        goes to the information stream.
    #>
    param(
        [Parameter(Mandatory)] [string] $PesterModule,
        # Test files or folders.
        [Parameter(Mandatory)] [string[]] $Path,
        [Parameter(Mandatory)] [string] $ResultsDirectory
    )
    if (Test-Path $ResultsDirectory) { Remove-Item $ResultsDirectory -Recurse -Force }
    $null = New-Item -ItemType Directory $ResultsDirectory
    $summaryPath = Join-Path $ResultsDirectory 'pester-summary.json'

    $command = "& { $PesterRunner } -PesterModule $(ConvertTo-Literal $PesterModule)" +
        " -Path $(($Path | ForEach-Object { ConvertTo-Literal $_ }) -join ',')" +
        " -TestResultPath $(ConvertTo-Literal (Join-Path $ResultsDirectory 'pester.xml')) -SummaryPath $(ConvertTo-Literal $summaryPath)"
    $PSNativeCommandUseErrorActionPreference = $false
    & (Join-Path $PSHOME 'pwsh') -NoLogo -NoProfile -NonInteractive -Command $command 2>&1 | Write-Host
    Get-PesterVerdict -ExitCode $LASTEXITCODE -SummaryPath $summaryPath
}

Export-ModuleMember -Function Invoke-XunitProject, Invoke-PesterRun
