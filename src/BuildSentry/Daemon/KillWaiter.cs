using System.Collections.Concurrent;
using BuildSentry.Core.Enforcement;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Linux.Enforcement;
using Microsoft.Extensions.Hosting;

namespace BuildSentry.Daemon;

/// <summary>
/// The enforcer as the monitor sees it: the signal goes out under the monitor's lock, and the wait for the job's
/// processes to exit runs on this service's own thread, so a job that is slow to die (uninterruptible sleep, a frozen
/// process) holds up no other job's verdict or kill. Each wait reports back as a <see cref="JobKillCompleted"/> event.
/// </summary>
internal sealed class KillWaiter(JobEnforcer enforcer, MonitorPipeline pipeline, TimeProvider time) : IEnforcer, IHostedService
{
    private readonly BlockingCollection<PendingKill> _pending = [];
    private Thread? _thread;

    /// <summary>Kills whose wait is under way or queued.</summary>
    public int Waiting => _pending.Count;

    public KillResult Kill(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        var pending = enforcer.Signal(job, members);
        if (!_pending.TryAdd(pending))
        {
            // Stopping: the wait is made here rather than dropped, so the kill is still completed.
            using (pending)
            {
                return enforcer.WaitForExit(pending);
            }
        }

        return pending.Signalled with { ExitPending = true };
    }

    public bool KillProcess(ProcessKey process) => enforcer.KillProcess(process);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "kill-waiter" };
        _thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _pending.CompleteAdding();
        _thread?.Join();
        return Task.CompletedTask;
    }

    private void Run()
    {
        foreach (var pending in _pending.GetConsumingEnumerable())
        {
            using (pending)
            {
                var result = enforcer.WaitForExit(pending);
                var completed = new JobKillCompleted(time.GetUtcNow(), pending.JobId, result.Method, result.Signalled, result.Error);
                pipeline.Queue.Post(() => pipeline.ApplyOnLoop(completed));
            }
        }
    }
}
