using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster.Internal
{
    /// <summary>
    /// What every cmdlet of the module shares: a cancellation token that Ctrl+C trips, a way to run the async
    /// engine while the pipeline thread writes its progress, verbose and debug messages (only that thread may
    /// write), and one mapping from any failure to an ErrorRecord.
    /// </summary>
    public abstract class RedisClusterCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>How long Ctrl+C waits for the work's clean-up (a lowered timeout restored, slots in flight closed).</summary>
        protected virtual TimeSpan StopGracePeriod => TimeSpan.FromSeconds(15);

        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>Tripped by Ctrl+C (StopProcessing).</summary>
        protected CancellationToken StopToken => _stop.Token;

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>Runs engine work to completion; a failure ends the cmdlet as an ErrorRecord.</summary>
        protected T Await<T>(Func<CancellationToken, Task<T>> work) => Await((token, progress) => work(token));

        protected void Await(Func<CancellationToken, Task> work) => Await(async token => { await work(token).ConfigureAwait(false); return true; });

        /// <summary>Runs engine work that reports progress; the reports become Write-Progress and, once per change of state, Write-Verbose.</summary>
        protected T Await<T>(Func<CancellationToken, IProgress<OperationProgress>, Task<T>> work)
        {
            try
            {
                return Run(work);
            }
            catch (Exception e) when (ErrorRecords.IsModuleFailure(e))
            {
                ThrowTerminatingError(ErrorRecords.From(e, null));
                throw; // not reached: ThrowTerminatingError always throws.
            }
        }

        /// <summary>Like Await, but a failure of this one input is written as a non-terminating error and the cmdlet goes on.</summary>
        protected bool TryAwait<T>(Func<CancellationToken, IProgress<OperationProgress>, Task<T>> work, object target, out T result)
        {
            try
            {
                result = Run(work);
                return true;
            }
            catch (Exception e) when (ErrorRecords.IsModuleFailure(e))
            {
                WriteError(ErrorRecords.From(e, target));
                result = default;
                return false;
            }
        }

        protected bool TryAwait<T>(Func<CancellationToken, Task<T>> work, object target, out T result) =>
            TryAwait((token, progress) => work(token), target, out result);

        /// <summary>Runs synchronous engine code (planning, parsing); its failures end the cmdlet as ErrorRecords.</summary>
        protected T Guard<T>(Func<T> work)
        {
            try
            {
                return work();
            }
            catch (Exception e) when (ErrorRecords.IsModuleFailure(e))
            {
                ThrowTerminatingError(ErrorRecords.From(e, null));
                throw;
            }
        }

        protected void Guard(Action work) => Guard(() => { work(); return true; });

        /// <summary>
        /// True when this invocation only shows what it would do: -WhatIf given, or, without -WhatIf, $WhatIfPreference set
        /// (by the caller's script, or by -WhatIf passed to an advanced function that calls this cmdlet).
        /// </summary>
        protected bool IsWhatIf => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
            ? ((SwitchParameter)whatIf).IsPresent
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

        /// <summary>
        /// Says why nothing was done, the way Write-Host says it: on the information stream, tagged PSHOST (so the console
        /// shows it) and with <paramref name="tag"/>. No object is written, so `if (Cmdlet) { ... }` still tells a script
        /// whether anything changed; -InformationVariable captures the text, -InformationAction Ignore silences it.
        /// </summary>
        protected void WriteNothingToDo(string message, string tag) =>
            WriteInformation(new HostInformationMessage { Message = message }, new[] { "PSHOST", tag });

        protected void ThrowInvalidArgument(string errorId, string message, object target) =>
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));

        /// <summary>
        /// Writes a verbose line, or, when -Debug was given without -Verbose, the same line as debug output:
        /// -Debug alone turns every verbose line into a prompt, which fails a scheduled script (NonInteractive).
        /// </summary>
        protected void WriteVerboseLine(string text)
        {
            if (MyInvocation.BoundParameters.ContainsKey("Debug") && !MyInvocation.BoundParameters.ContainsKey("Verbose")) WriteDebug(text);
            else WriteVerbose(text);
        }

        private bool? _isDebugWanted;

        /// <summary>True when -Debug or $DebugPreference asks for debug output; then every command sent is described. Looked up once per invocation.</summary>
        protected bool IsDebugWanted => _isDebugWanted ?? (bool)(_isDebugWanted = LookUpDebugWanted());

        private bool LookUpDebugWanted()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Debug", out var debug)) return ((SwitchParameter)debug).IsPresent;
            // The global preference variable holds the enum; one set in a script's own scope holds whatever was
            // assigned, usually a string. Both are read without PowerShell's general conversion, which would cost
            // as much as a whole topology read.
            var preference = GetVariableValue("DebugPreference");
            if (preference is PSObject wrapped) preference = wrapped.BaseObject;
            switch (preference)
            {
                case ActionPreference value:
                    return value != ActionPreference.SilentlyContinue;
                case string text:
                    return Enum.TryParse(text, ignoreCase: true, out ActionPreference parsed) && parsed != ActionPreference.SilentlyContinue;
                default:
                    return preference != null && LanguagePrimitives.ConvertTo<ActionPreference>(preference) != ActionPreference.SilentlyContinue;
            }
        }

        private T Run<T>(Func<CancellationToken, IProgress<OperationProgress>, Task<T>> work)
        {
            using (var host = new HostMessages(this))
            {
                bool debug = IsDebugWanted;
                var task = Task.Run(async () =>
                {
                    using (debug ? CommandLog.Listen(line => host.Post(() => WriteDebug(line))) : null)
                    {
                        return await work(StopToken, host).ConfigureAwait(false);
                    }
                });
                if (!host.PumpUntil(task, StopToken))
                {
                    // Ctrl+C: the work sends no further command (every call checks the token) and runs its clean-up
                    // (a lowered timeout restored), whose warnings are still shown; past the grace period it is left
                    // to end on its own, unobserved. The pipeline refuses writes once stopping, so what the clean-up
                    // reports goes to the host: a write that threw here would end the wait with the clean-up undone.
                    host.Stopping = true;
                    host.PumpUntil(task, CancellationToken.None, StopGracePeriod);
                    _ = task.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                    throw new PipelineStoppedException();
                }
                try
                {
                    return task.GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }
            }
        }

        /// <summary>
        /// Messages from worker threads, queued and written on the pipeline thread. Progress shows every report;
        /// verbose gets one line per change of the reported status, not one per poll. Work that reports nothing
        /// costs one wait, as a plain blocking wait would.
        /// </summary>
        private sealed class HostMessages : IProgress<OperationProgress>, IDisposable
        {
            private readonly ConcurrentQueue<Action> _queue = new ConcurrentQueue<Action>();
            private readonly ManualResetEventSlim _signal = new ManualResetEventSlim();
            private readonly RedisClusterCmdlet _cmdlet;
            /// <summary>The progress line of each activity id, with the status last written as verbose for it.</summary>
            private readonly Dictionary<int, (ProgressRecord Record, string LastStatus)> _lines = new Dictionary<int, (ProgressRecord, string)>();
            private bool _watching;

            public HostMessages(RedisClusterCmdlet cmdlet) => _cmdlet = cmdlet;

            /// <summary>Queues a write for the pipeline thread; writes posted after the work ended are dropped.</summary>
            public void Post(Action write)
            {
                _queue.Enqueue(write);
                _signal.Set();
            }

            public void Report(OperationProgress value) => Post(() => Show(value));

            /// <summary>
            /// Set once the pipeline is stopping: progress and verbose lines are dropped (the pipeline would throw),
            /// warnings go straight to the host.
            /// </summary>
            public bool Stopping { get; set; }

            private void Show(OperationProgress report)
            {
                if (Stopping)
                {
                    if (report.IsWarning) _cmdlet.Host.UI.WriteWarningLine(report.Status);
                    return;
                }
                if (report.IsWarning)
                {
                    _cmdlet.WriteWarning(report.Status);
                    return;
                }
                _lines.TryGetValue(report.ActivityId, out var line);
                var record = line.Record;
                if (record == null || record.Activity != report.Activity) record = new ProgressRecord(report.ActivityId, report.Activity, report.Status);
                record.StatusDescription = report.Status;
                record.CurrentOperation = report.Detail;
                record.PercentComplete = Math.Max(0, Math.Min(100, report.PercentComplete));
                record.SecondsRemaining = report.SecondsRemaining;
                _cmdlet.WriteProgress(record);
                bool changed = !string.Equals(report.Status, line.LastStatus, StringComparison.Ordinal);
                _lines[report.ActivityId] = (record, report.Status);
                if (changed) _cmdlet.WriteVerboseLine(report.Status);
            }

            /// <summary>
            /// Writes what the work posts, on this (the pipeline) thread, until the work has ended (true) or the
            /// pipeline is being stopped (false).
            /// </summary>
            public bool PumpUntil(Task work, CancellationToken stopping, TimeSpan? limit = null)
            {
                if (!_watching)
                {
                    work.GetAwaiter().UnsafeOnCompleted(_signal.Set);
                    _watching = true;
                }
                var deadline = limit.HasValue ? System.Diagnostics.Stopwatch.StartNew() : null;
                using (stopping.Register(_signal.Set))
                {
                    while (true)
                    {
                        if (deadline == null) _signal.Wait();
                        else if (!_signal.Wait(limit.Value - deadline.Elapsed > TimeSpan.Zero ? limit.Value - deadline.Elapsed : TimeSpan.Zero)) return false;
                        _signal.Reset();
                        bool ended = work.IsCompleted;
                        if (!ended && stopping.IsCancellationRequested) return false;
                        while (_queue.TryDequeue(out var write)) Write(write);
                        if (ended) break;
                    }
                }
                foreach (var line in _lines.Values)
                {
                    line.Record.RecordType = ProgressRecordType.Completed;
                    _cmdlet.WriteProgress(line.Record);
                }
                return true;
            }

            private void Write(Action write)
            {
                try
                {
                    write();
                }
                catch (Exception) when (Stopping)
                {
                    // The pipeline refuses a debug line while stopping, and a host without a UI (a runspace made
                    // by a script) refuses the warning: dropped, so the wait for the clean-up goes on.
                }
            }

            public void Dispose() => _signal.Dispose();
        }


        public void Dispose()
        {
            Dispose(true);
            _stop.Dispose();
        }

        /// <summary>Releases what the cmdlet opened for itself, such as a connection made from -EndPoint.</summary>
        protected virtual void Dispose(bool disposing)
        {
        }
    }
}
