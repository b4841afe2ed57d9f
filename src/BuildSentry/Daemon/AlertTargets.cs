using BuildSentry.Core.Alerts;
using BuildSentry.Linux.Syslog;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// Every alert goes to the daemon's log and to each configured syslog target. Started before the monitor and stopped
/// after it, so that the stop alert and every alert the drained loop raises are flushed.
/// </summary>
internal sealed class AlertTargets(DaemonOptions options, ILoggerFactory loggers, TimeProvider time) : IHostedService, IAlertSink
{
    private static readonly TimeSpan FlushWait = TimeSpan.FromSeconds(2);
    private readonly List<SyslogSink> _syslog = [];
    private FanOutAlertSink _all = new([]);

    public IReadOnlyList<SyslogSink> Syslog => _syslog;

    /// <summary>Thread-safe: each sink queues on its own.</summary>
    public void Publish(Alert alert) => _all.Publish(alert);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = options.Configuration;
        var sinks = new List<IAlertSink> { new LogAlertSink(loggers.CreateLogger<LogAlertSink>()) };
        foreach (var target in configuration.Alerts.Targets)
        {
            var sink = SinkFactory.Create(target, configuration.HostName, loggers, time);
            _syslog.Add(sink);
            sinks.Add(sink);
        }

        _all = new FanOutAlertSink(sinks);
        return Task.CompletedTask;
    }

    /// <summary>Sends what is queued, waiting a bounded while for each target.</summary>
    public async Task FlushAsync()
    {
        foreach (var sink in _syslog)
        {
            await sink.FlushAsync(FlushWait);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await FlushAsync();
        foreach (var sink in _syslog)
        {
            await sink.DisposeAsync();
        }
    }
}
