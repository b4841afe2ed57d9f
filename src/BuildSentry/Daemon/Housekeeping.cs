using Microsoft.Extensions.Hosting;

namespace BuildSentry.Daemon;

/// <summary>Once a second, on the loop: owner-wait rechecks, expired names, unnamed connections that waited for the
/// capture, reports of ended jobs, due alert summaries,
/// the trace flushed.</summary>
internal sealed class Housekeeping(MonitorPipeline pipeline, TimeProvider time) : IHostedService, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(_ => pipeline.Queue.Post(Run), null, Interval, Interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void Run()
    {
        var now = time.GetUtcNow();
        pipeline.ReleaseAwaiting();
        pipeline.Monitor.Names.Sweep(now);
        pipeline.Monitor.JudgeOverdueSightings(now);
        pipeline.Monitor.CompleteEndedJobs(now);
        pipeline.Monitor.SendDueSummaries(now);
        pipeline.FlushTrace();
    }
}
