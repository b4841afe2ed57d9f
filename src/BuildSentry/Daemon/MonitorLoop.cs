using BuildSentry.Core.Alerts;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Tracing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// Builds the monitor and runs its loop thread (<see cref="MonitorPipeline.RunLoop"/>). Stopping raises the stop alert,
/// then drains the loop: every event and request queued before it is applied, and every ended job gets its report.
/// </summary>
internal sealed class MonitorLoop(DaemonOptions options, ProfileStore profiles, MonitorPipeline pipeline, AlertTargets alerts,
    JobPlacementSetup placement, KillWaiter enforcer, ILoggerFactory loggers, TimeProvider time) : BackgroundService
{
    private TraceWriter? _trace;
    private long _beats;

    /// <summary>Incremented each time the loop has run what was queued: the watchdog's proof that the loop is alive.</summary>
    public long Beats => Interlocked.Read(ref _beats);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = options.Configuration;
        var monitorOptions = Configuration.MonitorSettings.From(configuration);
        KillPathWarmup.Run(configuration.HostName);
        var monitor = new JobMonitor(profiles.Initial, monitorOptions, enforcer, alerts, placement.Slots,
            new ReportWriter(configuration.ReportsDir, loggers.CreateLogger<ReportWriter>()));
        if (configuration.TraceFile is { } traceFile)
        {
            _trace = new TraceWriter(new FileStream(traceFile, FileMode.Append, FileAccess.Write, FileShare.Read));
        }

        pipeline.Start(monitor, _trace);
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Not cancelled by the stopping token: StopAsync completes the queue and the loop drains it first.
        Task.Factory.StartNew(() => pipeline.RunLoop(() => Interlocked.Increment(ref _beats)), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        pipeline.Queue.Post(() => pipeline.Monitor.RaiseDaemonAlert(time.GetUtcNow(), AlertKinds.DaemonStopped, "BuildSentry stopping",
            AlertSeverity.Warning, $"jobs active: {pipeline.Monitor.ActiveJobs.Count}; they are no longer monitored"));
        pipeline.Queue.Complete();
        await base.StopAsync(cancellationToken);
        _trace?.Dispose();
    }
}
