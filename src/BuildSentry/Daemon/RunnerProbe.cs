using BuildSentry.Core.Events;
using BuildSentry.Linux.Runners;
using Microsoft.Extensions.Hosting;

namespace BuildSentry.Daemon;

/// <summary>
/// A .NET runner worker sets its tracking id when it takes a job, after it starts: its diagnostics port is asked a few
/// times, off the loop, and the answer comes back through the loop as a <see cref="RunnerWorkerDiscovered"/> event.
/// </summary>
internal sealed class RunnerProbe(MonitorPipeline pipeline, TimeProvider time) : IHostedService
{
    private const int Attempts = 30;
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(2);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        pipeline.Executed += Consider;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        pipeline.Executed -= Consider;
        return Task.CompletedTask;
    }

    private void Consider(ProcessExecuted exec)
    {
        if (RunnerWorkerProbe.Recognize(exec.Details) is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                if (RunnerWorkerProbe.TryDiscover(exec.Process, exec.Details, time) is { } discovered)
                {
                    pipeline.Queue.Post(() => pipeline.ApplyOnLoop(discovered));
                    return;
                }

                await Task.Delay(Pause, time);
            }
        });
    }
}
