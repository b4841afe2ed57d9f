using BuildSentry.Core.Alerts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// Tells systemd the daemon is alive (WATCHDOG=1, every half of WATCHDOG_USEC) only while it is: the monitor loop ran
/// the probe posted at the last tick, and both sensors see (<see cref="SensorHealth"/>). A blind sensor is fatal: one
/// critical alert goes to every target, the pings stop and the host stops, so `buildsentry run` exits non-zero and
/// systemd restarts it.
/// </summary>
internal sealed partial class Watchdog(MonitorPipeline pipeline, MonitorLoop loop, SensorHealth health, AlertTargets alerts,
    DaemonExit exit, IHostApplicationLifetime lifetime, ISystemdNotifier notifier, TimeProvider time, ILogger<Watchdog> logger)
    : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pingInterval = PingInterval();
        var interval = pingInterval is { } ping && ping < CheckInterval ? ping : CheckInterval;
        var lastPing = time.GetTimestamp();
        var beatsAtProbe = loop.Beats;
        pipeline.Queue.Post(static () => { });
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (health.Check() is { } failure)
            {
                await FailAsync(failure);
                return;
            }

            // The loop beats after it has run what was queued, the probe included.
            var loopAlive = loop.Beats != beatsAtProbe;
            beatsAtProbe = loop.Beats;
            pipeline.Queue.Post(static () => { });
            // Half a tick early rather than a tick late: ticks jitter around the interval.
            if (pingInterval is { } due && loopAlive && time.GetElapsedTime(lastPing) >= due - interval / 2)
            {
                notifier.Notify(new ServiceState("WATCHDOG=1"));
                lastPing = time.GetTimestamp();
            }
        }
    }

    /// <summary>
    /// Published straight to the targets, not through the monitor: a wedged sensor may hold the monitor's lock.
    /// </summary>
    private async Task FailAsync(SensorFailure failure)
    {
        LogSensorFailed(failure.Sensor, failure.Reason);
        var now = time.GetUtcNow();
        alerts.Publish(new Alert($"daemon-{now.ToUnixTimeMilliseconds()}-sensor", now, AlertKinds.SensorFailed,
            $"The {failure.Sensor} sensor failed: BuildSentry is blind and stops", AlertSeverity.Critical, AlertAction.Alerted)
        {
            Reason = $"{failure.Reason}; the daemon exits so that its supervisor restarts it",
        });
        await alerts.FlushAsync();
        exit.Fail($"the {failure.Sensor} sensor failed: {failure.Reason}");
        lifetime.StopApplication();
    }

    /// <summary>Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; null when systemd set no watchdog.</summary>
    private static TimeSpan? PingInterval() =>
        long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out var usec) && usec > 0
            ? TimeSpan.FromTicks(Math.Max(usec * 10 / 2, TimeSpan.TicksPerMillisecond * 100))
            : null;

    [LoggerMessage(EventId = 8, Level = LogLevel.Critical, Message = "The {Sensor} sensor failed: {Reason}; the daemon stops")]
    private partial void LogSensorFailed(string sensor, string reason);
}
