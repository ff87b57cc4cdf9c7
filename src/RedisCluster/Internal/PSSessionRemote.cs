using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster.Internal
{
    /// <summary>
    /// <see cref="IRemoteSession"/> through a PowerShell session the caller opened: every primitive is one small
    /// script run on the far side, one at a time (a runspace runs one pipeline at a time). Paths, command lines and
    /// file contents travel as arguments, never inside the script text, so a file's content (a password) is on no
    /// command line and in no script block a log on the far side records. Commands run with /bin/sh, so the far side
    /// needs a POSIX shell. Failures come back in this module's words, naming the host. Disposing leaves the session
    /// open: it is the caller's.
    /// </summary>
    internal sealed class PSSessionRemote : IRemoteSession
    {
        /// <summary>One file operation on a live session answers in well under a second; a session that stops answering must not hang the run.</summary>
        private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(30);

        /// <summary>How long a stopped pipeline may take to end before the session is given up as unusable.</summary>
        private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

        /// <summary>
        /// The far side's part. It returns @{ Value; Output } or, when .NET or the shell refused, @{ Failure = the
        /// exception's type name }; .NET exceptions come wrapped in MethodInvocationException.
        /// </summary>
        private const string FarSideScript = @"
param([string] $Operation, [string] $CommandLine, [string] $Path, [string] $Destination, [byte[]] $Content, [int] $Mode)
try {
    switch ($Operation) {
        'Run' {
            $output = & /bin/sh -c $CommandLine 2>&1 | ForEach-Object { ""$_"" }
            return @{ Value = $LASTEXITCODE; Output = $output -join ""`n"" }
        }
        'Home' { return @{ Value = $HOME } }
        'Kind' {
            $attributes = [System.IO.File]::GetAttributes($Path)
            return @{ Value = if ($attributes -band [System.IO.FileAttributes]::Directory) { 'Directory' } else { 'File' } }
        }
        'CreateDirectory' { $null = [System.IO.Directory]::CreateDirectory($Path) }
        'DeleteDirectory' { [System.IO.Directory]::Delete($Path) }
        'CreateEmptyFile' { [System.IO.File]::WriteAllBytes($Path, [byte[]]::new(0)) }
        'ChangeMode' {
            & chmod ([System.Convert]::ToString($Mode, 8)) -- $Path 2>&1 | Out-Null
            if ($LASTEXITCODE -ne 0) { return @{ Failure = 'UnauthorizedAccessException' } }
        }
        'WriteFile' { [System.IO.File]::WriteAllBytes($Path, $Content) }
        'RenameOver' { [System.IO.File]::Move($Path, $Destination, $true) }
        'ReadFile' { return @{ Value = [System.IO.File]::ReadAllText($Path) } }
        'DeleteFile' { [System.IO.File]::Delete($Path) }
    }
    @{ Value = $null }
} catch {
    $exception = $_.Exception
    while ($exception -is [System.Management.Automation.MethodInvocationException] -and $exception.InnerException) { $exception = $exception.InnerException }
    @{ Failure = $exception.GetType().Name }
}
";

        private readonly PSSession _session;
        private readonly SemaphoreSlim _oneAtATime = new SemaphoreSlim(1, 1);
        private string _homeDirectory;

        public PSSessionRemote(PSSession session) => _session = session;

        public string ComputerName => _session.ComputerName;

        public string HomeDirectory => _homeDirectory ?? (_homeDirectory = (string)Call("Home", "find the home directory", null).Value);

        public async Task<ProgramResult> ExecuteAsync(string commandLine, Deadline deadline, CancellationToken cancellationToken)
        {
            var reply = await CallAsync(new Hashtable { ["Operation"] = "Run", ["CommandLine"] = commandLine }, deadline, cancellationToken).ConfigureAwait(false);
            if (reply == null) return ProgramResult.NotExited;
            if (reply.Failure != null)
            {
                throw new RedisClusterException(FailureKind.InvalidState,
                    $"{ComputerName} could not run a command through its PowerShell session: the far side needs a POSIX shell (/bin/sh).") { ErrorId = "RemoteCommandFailed" };
            }
            return new ProgramResult(LanguagePrimitives.ConvertTo<int>(reply.Value), reply.Output ?? string.Empty);
        }

        public RemoteFileKind GetKind(string path)
        {
            var reply = Call("Kind", "look at", path, allowMissing: true);
            return reply.Failure != null ? RemoteFileKind.Missing : (string)reply.Value == "Directory" ? RemoteFileKind.Directory : RemoteFileKind.File;
        }

        public void CreateDirectory(string path) => Call("CreateDirectory", "create the directory", path);

        public void DeleteDirectory(string path) => Call("DeleteDirectory", "remove the directory", path);

        public void CreateEmptyFile(string path) => Call("CreateEmptyFile", "create", path);

        public void ChangeMode(string path, int mode) => Call("ChangeMode", "set the permissions of", path, mode: mode);

        public void WriteFile(string path, byte[] content) => Call("WriteFile", "write", path, content: content);

        public void RenameOver(string fromPath, string toPath) => Call("RenameOver", "rename a file to", fromPath, destination: toPath);

        public string ReadFile(string path) => (string)Call("ReadFile", "read", path).Value;

        public void DeleteFile(string path) => Call("DeleteFile", "remove", path);

        /// <summary>The session stays open: it is the caller's, who may go on using it.</summary>
        public void Dispose()
        {
        }

        /// <summary>
        /// A file operation, bounded like one over SFTP. The IDeploymentTarget file operations are synchronous and
        /// run on the deployment's worker threads, where waiting blocks no pipeline.
        /// </summary>
        /// <param name="allowMissing">A missing path is an answer (Failure set), not an error.</param>
        private Reply Call(string operation, string action, string path, string destination = null, byte[] content = null, int mode = 0, bool allowMissing = false)
        {
            var arguments = new Hashtable { ["Operation"] = operation, ["Path"] = path, ["Destination"] = destination, ["Content"] = content, ["Mode"] = mode };
            var reply = CallAsync(arguments, new Deadline(OperationTimeout), CancellationToken.None).GetAwaiter().GetResult();
            string where = (path == null ? string.Empty : path + " ") + $"on {ComputerName} through its PowerShell session";
            if (reply == null) throw new IOException($"Could not {action} {where}: the session did not answer within {OperationTimeout.TotalSeconds:0} s.");
            switch (reply.Failure)
            {
                case null:
                    return reply;
                case nameof(FileNotFoundException):
                case nameof(DirectoryNotFoundException):
                    if (allowMissing) return reply;
                    throw new FileNotFoundException($"Could not {action} {where}: it, or a directory on its way, does not exist.", path);
                case nameof(UnauthorizedAccessException):
                    throw new UnauthorizedAccessException($"Could not {action} {where}: permission denied.");
                default:
                    throw new IOException($"Could not {action} {where}: the host refused it.");
            }
        }

        /// <summary>Runs one operation on the far side; null when the deadline passed first and the pipeline was stopped.</summary>
        /// <exception cref="RedisClusterException">SessionBroken when the session fails or is closed meanwhile.</exception>
        /// <param name="arguments">The far side script's parameters by name: they travel as data, never as script text.</param>
        private async Task<Reply> CallAsync(Hashtable arguments, Deadline deadline, CancellationToken cancellationToken)
        {
            await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using (var shell = PowerShell.Create())
                {
                    shell.Runspace = _session.Runspace;
                    shell.AddScript(FarSideScript).AddParameters(arguments);
                    Task<PSDataCollection<PSObject>> running;
                    try
                    {
                        running = Task.Factory.FromAsync(shell.BeginInvoke(), shell.EndInvoke);
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        throw Broken(e);
                    }
                    var ended = await Task.WhenAny(running, Task.Delay(deadline.Remaining, cancellationToken)).ConfigureAwait(false);
                    if (ended != running)
                    {
                        await StopAsync(shell, running).ConfigureAwait(false);
                        cancellationToken.ThrowIfCancellationRequested();
                        return null;
                    }
                    PSDataCollection<PSObject> output;
                    try
                    {
                        output = await running.ConfigureAwait(false);
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        throw Broken(e);
                    }
                    return output.Select(o => o?.BaseObject).OfType<Hashtable>().Select(Reply.From).LastOrDefault() ?? throw Broken(null);
                }
            }
            finally
            {
                _oneAtATime.Release();
            }
        }

        /// <summary>Stops the far side's pipeline (and the program it runs) and waits, bounded, until it has ended: the next call needs the runspace free.</summary>
        private static async Task StopAsync(PowerShell shell, Task running)
        {
            try
            {
                var stopping = Task.Factory.FromAsync(shell.BeginStop(null, null), shell.EndStop);
                await Task.WhenAny(Task.WhenAll(stopping, running), Task.Delay(StopTimeout)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A pipeline that cannot be stopped is a broken session, which the next call reports.
            }
            // Observed here: its failure after the stop is expected and says nothing new.
            _ = running.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }

        /// <summary>In this module's words; PowerShell's text stays in the inner exception.</summary>
        private RedisClusterException Broken(Exception inner)
        {
            var state = _session.Runspace.RunspaceStateInfo.State;
            string why = state == RunspaceState.Opened ? "did not run the module's command" : $"is {state}";
            return new RedisClusterException(FailureKind.Unreachable, $"The PowerShell session to {ComputerName} {why}: open a new one (New-PSSession) and run again.", inner: inner)
                { ErrorId = "SessionBroken" };
        }

        /// <summary>What the far side answered.</summary>
        private sealed class Reply
        {
            public object Value { get; private set; }
            public string Output { get; private set; }
            public string Failure { get; private set; }

            public static Reply From(Hashtable table) => new Reply
            {
                Value = Unwrap(table["Value"]),
                Output = Unwrap(table["Output"]) as string,
                Failure = Unwrap(table["Failure"]) as string,
            };

            private static object Unwrap(object value) => value is PSObject wrapped ? wrapped.BaseObject : value;
        }
    }
}
