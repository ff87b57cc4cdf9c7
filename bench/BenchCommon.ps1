<#
.SYNOPSIS
    Shared helpers for the benchmarks in this folder; dot-sourced by each of them, not run on its own.
.DESCRIPTION
    - Copy-BenchModule: a private copy of the built module, so a rebuild of out/ cannot change it mid-run.
    - Start-BenchNode / Stop-BenchNode: fresh empty nodes through New-RedisClusterNode; every PID is
      remembered (and the pid files under the run's folder are read again) so that they are always
      stopped by PID, also after a failure.
    - [BenchResp]: a minimal RESP client (compiled once by Add-Type) and BenchResp.IsSettled, the "every
      node agrees and reports ok" check used for redis-cli's side, independent of the module under test.
    - Get-BenchStat, Format-BenchRatio: median, p95 (nearest rank) and the redis-cli / ours ratio.
#>

param([Alias('ModulePath')] [string] $LegacyModulePath)

# Compatibility with callers that dot-source this file with -ModulePath (an earlier layout of these
# scripts): import the module and the Pester node fixture and define their helpers.
if ($PSBoundParameters.ContainsKey('LegacyModulePath')) {
    if (-not $LegacyModulePath) { $LegacyModulePath = Join-Path $PSScriptRoot '../out/RedisCluster/RedisCluster.psd1' }
    Import-Module $LegacyModulePath
    Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers/RedisTestNodes.psm1')
    function New-BenchCredential([string] $Password) { [pscredential]::new('default', (ConvertTo-SecureString $Password -AsPlainText -Force)) }
    function Measure-Milliseconds([scriptblock] $Script) {
        $watch = [Diagnostics.Stopwatch]::StartNew(); $null = & $Script; $watch.Elapsed.TotalMilliseconds
    }
    function Get-Median([double[]] $Value) {
        $s = [double[]]($Value | Sort-Object); $n = $s.Count
        if ($n % 2) { $s[($n - 1) / 2] } else { ($s[$n / 2 - 1] + $s[$n / 2]) / 2 }
    }
    function Get-Percentile([double[]] $Value, [double] $Percent) {
        $s = [double[]]($Value | Sort-Object); $s[[Math]::Max(0, [int][Math]::Ceiling($Percent / 100 * $s.Count) - 1)]
    }
}

$script:BenchProcessIds = [System.Collections.Generic.List[int]]::new()
$script:BenchRoots = [System.Collections.Generic.List[string]]::new()

function Copy-BenchModule {
    <# Copies the module folder that holds $ModulePath to a private temp folder; returns the copied manifest's path. #>
    param([Parameter(Mandatory)] [string] $ModulePath)
    $manifest = (Resolve-Path -LiteralPath $ModulePath -ErrorAction Stop).ProviderPath
    $moduleDir = Split-Path -Parent $manifest
    $target = Join-Path ([IO.Path]::GetTempPath()) "bench-module-$PID-$([Guid]::NewGuid().ToString('N').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $target
    Copy-Item -LiteralPath $moduleDir -Destination $target -Recurse -ErrorAction Stop
    $script:BenchRoots.Add($target)
    Join-Path (Join-Path $target (Split-Path -Leaf $moduleDir)) (Split-Path -Leaf $manifest)
}

function New-BenchRoot {
    <# A fresh temp folder for one run's node configs and data. #>
    param([Parameter(Mandatory)] [string] $Name)
    $path = Join-Path ([IO.Path]::GetTempPath()) "bench-$Name-$PID-$([Guid]::NewGuid().ToString('N').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $path
    $script:BenchRoots.Add($path)
    $path
}

function Start-BenchNode {
    <#
        Starts one fresh node per port with New-RedisClusterNode (config and data under $Root) and returns
        the deployments. One port at a time, so that a failure still leaves every started PID recorded.
    #>
    param(
        [Parameter(Mandatory)] [int[]] $Port,
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [pscredential] $Credential
    )
    foreach ($p in $Port) {
        Wait-BenchPortFree -Port $p
        $deployment = New-RedisClusterNode -ComputerName 127.0.0.1 -Port $p -Credential $Credential `
            -InstallPath (Join-Path $Root 'conf') -DataPath (Join-Path $Root 'data') -ErrorAction Stop -Confirm:$false
        if (-not $deployment) { throw "New-RedisClusterNode returned nothing for port $p." }
        $script:BenchProcessIds.Add([int]$deployment.ProcessId)
        $deployment
    }
}

function Stop-BenchNode {
    <#
        Stops by PID every node this script started: the recorded PIDs plus any PID found in a pid file
        under -Root (all roots of this run by default). Waits until each process is gone.
    #>
    param([string[]] $Root = @($script:BenchRoots))
    $ids = [System.Collections.Generic.HashSet[int]]::new()
    foreach ($id in $script:BenchProcessIds) { $null = $ids.Add($id) }
    foreach ($r in $Root) {
        if (-not (Test-Path -LiteralPath $r)) { continue }
        foreach ($pidFile in Get-ChildItem -LiteralPath $r -Recurse -Filter 'redis_*.pid' -File -ErrorAction SilentlyContinue) {
            $text = (Get-Content -LiteralPath $pidFile.FullName -Raw -ErrorAction SilentlyContinue)
            $id = 0
            if ($text -and [int]::TryParse($text.Trim(), [ref]$id) -and $id -gt 0) { $null = $ids.Add($id) }
        }
    }
    foreach ($id in $ids) {
        $process = Get-Process -Id $id -ErrorAction SilentlyContinue
        # Only redis-server processes: a recycled PID must not take something else down.
        if ($process -and $process.ProcessName -like 'redis-server*') {
            Stop-Process -Id $id -Force -ErrorAction SilentlyContinue
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ((Get-Process -Id $id -ErrorAction SilentlyContinue) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        }
        $null = $script:BenchProcessIds.Remove($id)
    }
}

function Remove-BenchRoot {
    param([string[]] $Root = @($script:BenchRoots))
    foreach ($r in $Root) {
        Remove-Item -LiteralPath $r -Recurse -Force -ErrorAction SilentlyContinue
        $null = $script:BenchRoots.Remove($r)
    }
}

function Test-BenchPortListening([int] $Port) {
    $client = [System.Net.Sockets.TcpClient]::new()
    try {
        $connect = $client.ConnectAsync('127.0.0.1', $Port)
        return ($connect.Wait(200) -and $client.Connected)
    } catch {
        return $false
    } finally {
        $client.Dispose()
    }
}

function Wait-BenchPortFree {
    param([int] $Port, [int] $TimeoutSeconds = 10)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ((Test-BenchPortListening $Port) -or (Test-BenchPortListening ($Port + 10000))) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Port $Port (or its bus port $($Port + 10000)) is still in use: something else listens there." }
        Start-Sleep -Milliseconds 100
    }
}

function Get-BenchStat {
    <# Median and p95 (nearest rank) of a list of numbers. #>
    param([Parameter(Mandatory)] [double[]] $Value)
    $sorted = [double[]]($Value | Sort-Object)
    $n = $sorted.Count
    $median = if ($n % 2) { $sorted[($n - 1) / 2] } else { ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2 }
    $p95 = $sorted[[Math]::Max(0, [int][Math]::Ceiling(0.95 * $n) - 1)]
    [pscustomobject]@{ Count = $n; Median = $median; P95 = $p95; Min = $sorted[0]; Max = $sorted[$n - 1] }
}

function Format-BenchRatio([double] $RedisCli, [double] $Ours) {
    if ($Ours -le 0) { return 'n/a' }
    '{0:0.00}x' -f ($RedisCli / $Ours)
}

function Format-BenchMs([double] $Milliseconds) {
    if ($Milliseconds -ge 100) { '{0:0}' -f $Milliseconds } elseif ($Milliseconds -ge 10) { '{0:0.0}' -f $Milliseconds } else { '{0:0.00}' -f $Milliseconds }
}

function Write-BenchTable {
    <# Prints rows as a table to the output stream, wide enough not to wrap. #>
    param([Parameter(Mandatory)] [object[]] $Row, [string] $Title)
    if ($Title) { Write-Output ''; Write-Output $Title; Write-Output ('-' * $Title.Length) }
    Write-Output (($Row | Format-Table -AutoSize | Out-String -Width 240).TrimEnd())
    Write-Output ''
}

function Get-BenchEnvironment {
    $redis = (& redis-server --version) -replace '^Redis server v=(\S+).*$', '$1'
    "{0} cores, pwsh {1}, .NET {2}, redis {3}, {4:yyyy-MM-dd HH:mm} UTC" -f [Environment]::ProcessorCount,
        $PSVersionTable.PSVersion, [Environment]::Version, $redis, [DateTime]::UtcNow
}

if (-not ('BenchResp' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;

/// <summary>A minimal RESP2 client for the benchmarks' own checks; nothing from the module under test.</summary>
public sealed class BenchResp : IDisposable
{
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    public BenchResp(string host, int port, string password)
    {
        _client = new TcpClient { NoDelay = true };
        _client.Connect(host, port);
        _client.ReceiveTimeout = 10000;
        _client.SendTimeout = 10000;
        _stream = _client.GetStream();
        if (!string.IsNullOrEmpty(password)) Call("AUTH", password);
    }

    public object Call(params string[] args)
    {
        var request = new StringBuilder();
        request.Append('*').Append(args.Length).Append("\r\n");
        foreach (var arg in args)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }
        var bytes = Encoding.UTF8.GetBytes(request.ToString());
        _stream.Write(bytes, 0, bytes.Length);
        return Read();
    }

    public string CallString(params string[] args) => Convert.ToString(Call(args));

    private object Read()
    {
        string line = ReadLine();
        switch (line[0])
        {
            case '+': return line.Substring(1);
            case '-': throw new InvalidOperationException(line.Substring(1));
            case ':': return long.Parse(line.Substring(1));
            case '$':
            {
                int length = int.Parse(line.Substring(1));
                if (length < 0) return null;
                var data = ReadExactly(length + 2);
                return Encoding.UTF8.GetString(data, 0, length);
            }
            case '*':
            {
                int count = int.Parse(line.Substring(1));
                if (count < 0) return null;
                var items = new object[count];
                for (int i = 0; i < count; i++) items[i] = Read();
                return items;
            }
            default: throw new InvalidDataException("Unexpected RESP reply: " + line);
        }
    }

    private void Fill()
    {
        if (_start > 0 && _start == _end) { _start = _end = 0; }
        if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start; _start = 0;
        }
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read <= 0) throw new EndOfStreamException("The node closed the connection.");
        _end += read;
    }

    private string ReadLine()
    {
        var line = new StringBuilder();
        while (true)
        {
            for (int i = _start; i < _end; i++)
            {
                if (_buffer[i] == (byte)'\n')
                {
                    line.Append(Encoding.UTF8.GetString(_buffer, _start, i - _start));
                    _start = i + 1;
                    return line.ToString().TrimEnd('\r');
                }
            }
            line.Append(Encoding.UTF8.GetString(_buffer, _start, _end - _start));
            _start = _end;
            Fill();
        }
    }

    private byte[] ReadExactly(int count)
    {
        var result = new byte[count];
        int done = 0;
        while (done < count)
        {
            if (_start == _end) Fill();
            int n = Math.Min(count - done, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, done, n);
            _start += n; done += n;
        }
        return result;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// True when every node lists all the nodes (none in handshake or without address), all agree on
    /// which master owns which slots, all 16384 slots are covered, every node sees replicasPerMaster
    /// replicas under every master, and every node reports cluster_state:ok. The same end state that
    /// New-RedisCluster waits for before it returns.
    /// </summary>
    public static bool IsSettled(BenchResp[] nodes, int replicasPerMaster)
    {
        string signature = null;
        foreach (var node in nodes)
        {
            var lines = node.CallString("CLUSTER", "NODES").Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length != nodes.Length) return false;
            var masters = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var replicas = new Dictionary<string, int>();
            int covered = 0;
            foreach (var raw in lines)
            {
                var f = raw.Trim().Split(' ');
                var flags = f[2].Split(',');
                if (flags.Contains("handshake") || flags.Contains("noaddr") || flags.Contains("fail") || flags.Contains("fail?")) return false;
                if (flags.Contains("slave") && f[3] != "-")
                {
                    replicas.TryGetValue(f[3], out int r);
                    replicas[f[3]] = r + 1;
                }
                var slots = f.Skip(8).Where(s => !s.StartsWith("[")).ToList();
                if (flags.Contains("master") && slots.Count > 0)
                {
                    masters[f[0]] = string.Join(" ", slots);
                    foreach (var range in slots)
                    {
                        var ends = range.Split('-');
                        int a = int.Parse(ends[0]), b = ends.Length > 1 ? int.Parse(ends[1]) : a;
                        covered += b - a + 1;
                    }
                }
            }
            if (covered != 16384) return false;
            foreach (var master in masters.Keys)
            {
                replicas.TryGetValue(master, out int seen);
                if (seen != replicasPerMaster) return false;
            }
            string mine = string.Join(";", masters.Select(m => m.Key + "=" + m.Value));
            if (signature == null) signature = mine;
            else if (signature != mine) return false;
        }
        foreach (var node in nodes)
        {
            if (node.CallString("CLUSTER", "INFO").IndexOf("cluster_state:ok", StringComparison.Ordinal) < 0) return false;
        }
        return true;
    }
}
'@
}

function Connect-BenchResp {
    param([Parameter(Mandatory)] [int[]] $Port, [string] $Password)
    foreach ($p in $Port) { [BenchResp]::new('127.0.0.1', $p, $Password) }
}

function Wait-BenchSettled {
    <# Polls with [BenchResp]::IsSettled every $IntervalMs until true; returns when settled, throws after the timeout. #>
    param([Parameter(Mandatory)] [BenchResp[]] $Connection, [int] $ReplicasPerMaster = 1, [int] $IntervalMs = 10, [int] $TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not [BenchResp]::IsSettled($Connection, $ReplicasPerMaster)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "The cluster did not settle within $TimeoutSeconds s." }
        [System.Threading.Thread]::Sleep($IntervalMs)
    }
}
