using BuildSentry.Daemon;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Metrics;

/// <summary>
/// Rewrites <c>metrics.textfile</c> for node_exporter's textfile collector every <c>metrics.interval_seconds</c>, and
/// removes it when the daemon stops, so that a stopped daemon shows as absent rather than as its last numbers.
/// The status is read on the loop; the text is written off it.
/// </summary>
internal sealed partial class MetricsTextfile(DaemonOptions options, MonitorPipeline pipeline, StatusBuilder status, TimeProvider time,
    ILogger<MetricsTextfile> logger) : IHostedService, IDisposable
{
    private ITimer? _timer;
    private bool _failing;
    private volatile bool _stopped;

    private string? Path => options.Configuration.Metrics.Textfile;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Path is not null)
        {
            var interval = TimeSpan.FromSeconds(options.Configuration.Metrics.IntervalSeconds);
            _timer = time.CreateTimer(_ => pipeline.Queue.Post(Snapshot), null, TimeSpan.Zero, interval);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _stopped = true;
        if (Path is { } path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogWriteFailed(path, ex.Message);
            }
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void Snapshot()
    {
        var body = status.Build().Body!;
        ThreadPool.QueueUserWorkItem(_ => Write(StatusMetrics.Render(body, openMetrics: false)));
    }

    private void Write(string text)
    {
        var path = Path!;
        if (_stopped)
        {
            return;
        }

        try
        {
            // node_exporter reads *.prom files only: the temporary name is not one.
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
            _failing = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_failing)
            {
                LogWriteFailed(path, ex.Message);
            }

            _failing = true;
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Could not write the metrics to {Path}: {Error}. Said once until a write succeeds")]
    private partial void LogWriteFailed(string path, string error);
}
