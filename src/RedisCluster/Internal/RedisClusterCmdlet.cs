using System;
using System.Collections.Concurrent;
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

        protected void ThrowInvalidArgument(string errorId, string message, object target) =>
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));

        /// <summary>True when -Debug or $DebugPreference asks for debug output; then every command sent is described.</summary>
        protected bool IsDebugWanted
        {
            get
            {
                if (MyInvocation.BoundParameters.TryGetValue("Debug", out var debug)) return ((SwitchParameter)debug).IsPresent;
                var preference = GetVariableValue("DebugPreference");
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
                task.ContinueWith(_ => host.Complete(), TaskScheduler.Default);
                host.Pump();
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
        /// verbose gets one line per change of the reported status, not one per poll.
        /// </summary>
        private sealed class HostMessages : IProgress<OperationProgress>, IDisposable
        {
            private readonly BlockingCollection<Action> _queue = new BlockingCollection<Action>();
            private readonly object _gate = new object();
            private readonly RedisClusterCmdlet _cmdlet;
            private ProgressRecord _record;
            private string _lastStatus;

            public HostMessages(RedisClusterCmdlet cmdlet) => _cmdlet = cmdlet;

            public void Post(Action write)
            {
                lock (_gate)
                {
                    if (!_queue.IsAddingCompleted) _queue.Add(write);
                }
            }

            public void Complete()
            {
                lock (_gate)
                {
                    _queue.CompleteAdding();
                }
            }

            public void Report(OperationProgress value) => Post(() => Show(value));

            private void Show(OperationProgress report)
            {
                if (_record == null || _record.Activity != report.Activity) _record = new ProgressRecord(1, report.Activity, report.Status);
                _record.StatusDescription = report.Status;
                _record.CurrentOperation = report.Detail;
                _record.PercentComplete = Math.Max(0, Math.Min(100, report.PercentComplete));
                _cmdlet.WriteProgress(_record);
                if (!string.Equals(report.Status, _lastStatus, StringComparison.Ordinal))
                {
                    _lastStatus = report.Status;
                    _cmdlet.WriteVerbose(report.Status);
                }
            }

            public void Pump()
            {
                foreach (var write in _queue.GetConsumingEnumerable()) write();
                if (_record != null)
                {
                    _record.RecordType = ProgressRecordType.Completed;
                    _cmdlet.WriteProgress(_record);
                }
            }

            public void Dispose() => _queue.Dispose();
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
