using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace RedisCluster.Internal
{
    /// <summary>
    /// What every cmdlet of the module shares: a cancellation token that Ctrl+C trips, a way to wait for
    /// the async engine without blocking the pipeline thread's ability to stop, and one mapping from
    /// engine failures to ErrorRecords.
    /// Cmdlet classes must not hold fields of RedisCluster.Core value types (enums, NodeId, SlotRange):
    /// Import-Module lays out every exported type before the module initializer can resolve the engine,
    /// so such a field makes the import fail. Take strings and convert, or keep them in locals.
    /// </summary>
    public abstract class RedisClusterCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        protected CancellationToken Stopping => _stopping.Token;

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>Runs engine work to completion on the pipeline thread; a stop request cancels it.</summary>
        protected T Await<T>(Func<CancellationToken, Task<T>> work) => Guard(() => RunToCompletion(work));

        /// <summary>Runs engine code; its failures end the cmdlet as ErrorRecords of the fitting category.</summary>
        protected T Guard<T>(Func<T> work)
        {
            try
            {
                return work();
            }
            catch (RedisClusterException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e));
                throw; // not reached: ThrowTerminatingError always throws.
            }
        }

        protected void Guard(Action work) => Guard(() => { work(); return true; });

        /// <summary>Like Await, but a failure of this one item is written as a non-terminating error.</summary>
        protected bool TryAwait<T>(Func<CancellationToken, Task<T>> work, object target, out T result)
        {
            try
            {
                result = RunToCompletion(work);
                return true;
            }
            catch (RedisClusterException e)
            {
                WriteError(ErrorRecords.From(e, target));
                result = default;
                return false;
            }
        }

        private T RunToCompletion<T>(Func<CancellationToken, Task<T>> work)
        {
            try
            {
                return Task.Run(() => work(Stopping)).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>
        /// Like Await, for work that reports progress: the reports are queued by the worker and written
        /// here, on the pipeline thread, the only thread allowed to write to the pipeline.
        /// </summary>
        protected T AwaitWithProgress<T>(Func<CancellationToken, IProgress<OperationProgress>, Task<T>> work)
        {
            using (var reports = new BlockingCollection<OperationProgress>())
            {
                var progress = new QueuedProgress(reports);
                var task = Task.Run(() => work(Stopping, progress));
                task.ContinueWith(_ => reports.CompleteAdding(), TaskScheduler.Default);
                ProgressRecord last = null;
                foreach (var report in reports.GetConsumingEnumerable())
                {
                    last = new ProgressRecord(1, report.Activity, report.Status) { PercentComplete = report.PercentComplete };
                    WriteProgress(last);
                    WriteVerbose(report.Status);
                }
                if (last != null)
                {
                    last.RecordType = ProgressRecordType.Completed;
                    WriteProgress(last);
                }
                return Await(_ => task);
            }
        }

        private sealed class QueuedProgress : IProgress<OperationProgress>
        {
            private readonly BlockingCollection<OperationProgress> _reports;

            public QueuedProgress(BlockingCollection<OperationProgress> reports) => _reports = reports;

            public void Report(OperationProgress value)
            {
                if (!_reports.IsAddingCompleted) _reports.TryAdd(value);
            }
        }

        protected void Await(Func<CancellationToken, Task> work) =>
            Await(async token => { await work(token).ConfigureAwait(false); return true; });

        protected void ThrowInvalidArgument(string errorId, string message, object target) =>
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));

        public void Dispose()
        {
            Dispose(true);
            _stopping.Dispose();
        }

        /// <summary>Releases what the cmdlet opened for itself, such as a connection made from -EndPoint.</summary>
        protected virtual void Dispose(bool disposing)
        {
        }
    }
}
