# Dot-sourced by every test file: imports the built module (never the source tree) and the node fixture.
$script:ModuleManifest = if ($env:REDISCLUSTER_MODULE) { $env:REDISCLUSTER_MODULE } else { Join-Path $PSScriptRoot '../../../out/RedisCluster/RedisCluster.psd1' }
Import-Module $script:ModuleManifest -Force
Import-Module (Join-Path $PSScriptRoot 'RedisTestNodes.psm1') -Force

function New-TestCredential([string] $Password, [string] $UserName = 'default') {
    [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
}

function Invoke-FreshPwsh([string] $Script) {
    # A new process: a binary module cannot be unloaded, and what-if text only shows on a console.
    $file = Join-Path ([IO.Path]::GetTempPath()) "redis-cluster-test-$([guid]::NewGuid()).ps1"
    Set-Content $file $Script
    try { & (Join-Path $PSHOME "pwsh") -NoProfile -NonInteractive -File $file 2>&1 }
    finally { Remove-Item $file }
}

function Get-ErrorRecord([scriptblock] $Block) {
    <# The first error a command reports, terminating or not, so tests can assert its exact id and category. #>
    # Non-terminating errors come through the error stream, redirected here; a terminating one is caught.
    try { $errors = @(& $Block 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) } catch { return $_ }
    if ($errors) { return $errors[0] }
    throw 'The command reported no error.'
}

function Start-StoppedOnProgress {
    <#
    .SYNOPSIS
        Runs one command of the module in a runspace of its own and stops it as Ctrl+C does (PowerShell.Stop) the
        first time its progress (status or current operation) matches a pattern: at a point of the work, never after a
        time a quiet machine may outrun. Returns Shell, Running (the invocation's handle) and Stopper: Stopped, Matched
        (the text that matched) and SinceStop (a stopwatch from the stop request to the invocation's end).
    #>
    param([Parameter(Mandatory)] [string] $Command, [hashtable] $Parameters = @{}, [Parameter(Mandatory)] [string] $ProgressPattern)
    if (-not ('RedisClusterTests.StopOnProgress' -as [type])) {
        Add-Type -TypeDefinition @'
namespace RedisClusterTests
{
    using System.Management.Automation;

    public sealed class StopOnProgress
    {
        private readonly PowerShell _shell;
        private readonly System.Text.RegularExpressions.Regex _pattern;
        private int _stopped;

        public StopOnProgress(PowerShell shell, string pattern)
        {
            _shell = shell;
            _pattern = new System.Text.RegularExpressions.Regex(pattern);
            shell.Streams.Progress.DataAdded += OnProgress;
            shell.InvocationStateChanged += (sender, e) =>
            {
                var state = e.InvocationStateInfo.State;
                if (state == PSInvocationState.Stopped || state == PSInvocationState.Completed || state == PSInvocationState.Failed) SinceStop.Stop();
            };
        }

        public bool Stopped => _stopped == 1;
        public string Matched { get; private set; }
        public System.Diagnostics.Stopwatch SinceStop { get; } = new System.Diagnostics.Stopwatch();

        private void OnProgress(object sender, DataAddedEventArgs e)
        {
            var record = _shell.Streams.Progress[e.Index];
            string text = record.StatusDescription + "\n" + record.CurrentOperation;
            if (!_pattern.IsMatch(text) || System.Threading.Interlocked.Exchange(ref _stopped, 1) == 1) return;
            Matched = text;
            SinceStop.Start();
            // Raised on the pipeline's own thread: stopping from there would wait on itself.
            System.Threading.Tasks.Task.Run(() => _shell.Stop());
        }
    }
}
'@
    }
    $shell = [powershell]::Create()
    $null = $shell.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
    $null = $shell.AddCommand($Command).AddParameters($Parameters)
    $stopper = [RedisClusterTests.StopOnProgress]::new($shell, $ProgressPattern)
    [pscustomobject]@{ Shell = $shell; Running = $shell.BeginInvoke(); Stopper = $stopper }
}
