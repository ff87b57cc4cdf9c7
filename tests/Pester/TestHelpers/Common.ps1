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
