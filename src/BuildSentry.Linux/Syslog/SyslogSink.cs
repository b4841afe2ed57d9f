using System.Net.Sockets;
using BuildSentry.Core.Alerts;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Syslog;

/// <summary>
/// Delivers alerts to one syslog receiver from its own bounded queue, so a slow or dead receiver
/// never blocks the monitor. While the receiver is down the sink reconnects with backoff; queued
/// alerts go out when it returns, and alerts dropped meanwhile are themselves reported first.
/// </summary>
/// <remarks>
/// What TCP delivery guarantees: an alert leaves the queue once written, but its connection keeps it
/// until the receiver's kernel acknowledges its bytes. When the connection ends (FIN, RST or a failed
/// write) the unacknowledged alerts go back to the head of the queue and are sent again after the
/// reconnect. A receiver that reads everything and then closes (rsyslog on SIGTERM, a restart) sends
/// FIN, and whatever reaches it after its close is answered with RST and never acknowledged; so the
/// acknowledged records are exactly the ones it read and each alert arrives once. The gap: a receiver
/// that dies with acknowledged but unread bytes in its socket buffer (a crash, or a close without
/// reading) loses those, and one whose acknowledgement of records it did read is itself lost with the
/// connection sees them again. The RELP transport closes that gap with the receiver's own answers (see
/// <see cref="SyslogTransport.Relp"/>): what it has not answered is sent again. UDP and unix datagrams
/// have no acknowledgement: what is sent while the receiver is down is lost.
/// </remarks>
public sealed partial class SyslogSink : IAlertSink, IAsyncDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan IdleCheck = TimeSpan.FromMilliseconds(200);

    private readonly SyslogTarget _target;
    private readonly IAlertFormatter _formatter;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly AlertQueue _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private SyslogConnection? _connection;
    private long _sent;
    private long _failures;
    private long _resent;
    private long _refused;

    public SyslogSink(SyslogTarget target, IAlertFormatter formatter, ILogger<SyslogSink> logger, TimeProvider time)
    {
        _target = target;
        _formatter = formatter;
        _logger = logger;
        _time = time;
        _queue = new AlertQueue(target.QueueCapacity);
        _loop = Task.Run(RunAsync);
    }

    public SyslogTarget Target => _target;

    public long Sent => Interlocked.Read(ref _sent);

    public long Failures => Interlocked.Read(ref _failures);

    public long Dropped => _queue.Dropped;

    /// <summary>Alerts written to a connection that ended before the receiver acknowledged them, and queued again.</summary>
    public long Resent => Interlocked.Read(ref _resent);

    /// <summary>Alerts the receiver answered with an error (RELP): never delivered, logged one by one.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public int Queued => _queue.Count;

    public void Publish(Alert alert) => _queue.Enqueue(alert);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _connection?.Dispose();
        _stop.Dispose();
    }

    /// <summary>Waits until everything queued has been delivered, or the timeout passes.</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (_queue.Count > 0 && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(10);
        }

        return _queue.Count == 0;
    }

    private async Task RunAsync()
    {
        var backoff = MinBackoff;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            if (await NextAsync(token) is not { } alert)
            {
                continue;
            }

            try
            {
                var connection = await ConnectedAsync(token);
                if (_queue.TakeUnreportedDrops() is var dropped and > 0)
                {
                    var report = DroppedAlert(dropped);
                    await connection.SendAsync(report, _formatter.Format(report), token);
                }

                await connection.SendAsync(alert, _formatter.Format(alert), token);
                _queue.Remove(alert);
                Interlocked.Increment(ref _sent);
                ReportRefused(connection);
                backoff = MinBackoff;
            }
            catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
            {
                Interlocked.Increment(ref _failures);
                LogDeliveryFailed(_target.ToString(), ex.Message, backoff.TotalMilliseconds);
                Abandon();
                await Task.Delay(backoff, _time, token);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>
    /// The next alert to send. While records are still in flight and nothing new comes, the connection is looked at
    /// every <see cref="IdleCheck"/>: a receiver that went away while the sink was idle gets its unacknowledged records
    /// back in the queue (and sent after the reconnect) without waiting for the next alert, and RELP refusals are
    /// reported as they come. Null after such a look.
    /// </summary>
    private async ValueTask<Alert?> NextAsync(CancellationToken token)
    {
        if (_connection is null)
        {
            return await _queue.PeekAsync(token);
        }

        var inFlight = _connection.InFlight();
        ReportRefused(_connection);
        if (inFlight == 0)
        {
            return await _queue.PeekAsync(token);
        }

        using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
        idle.CancelAfter(IdleCheck);
        try
        {
            return await _queue.PeekAsync(idle.Token);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            ReportRefused(_connection);
            if (_connection.PeerClosed())
            {
                LogPeerClosed(_target.ToString());
                Abandon();
            }

            return null;
        }
    }

    private async ValueTask<SyslogConnection> ConnectedAsync(CancellationToken token)
    {
        if (_connection is not null && _connection.PeerClosed())
        {
            LogPeerClosed(_target.ToString());
            Abandon();
        }

        if (_connection is null)
        {
            _connection = await SyslogConnection.ConnectAsync(_target, token);
            LogConnected(_target.ToString());
        }

        return _connection;
    }

    private void Abandon()
    {
        if (_connection is null)
        {
            return;
        }

        var lost = _connection.Unacknowledged();
        ReportRefused(_connection);
        if (lost.Count > 0)
        {
            Interlocked.Add(ref _resent, lost.Count);
            Interlocked.Add(ref _sent, -lost.Count);
            _queue.Requeue(lost);
        }

        _connection.Dispose();
        _connection = null;
    }

    /// <summary>Records the receiver refused (RELP answered with an error): not sent again, logged and counted.</summary>
    private void ReportRefused(SyslogConnection connection)
    {
        foreach (var (alert, answer) in connection.TakeRefused())
        {
            Interlocked.Increment(ref _refused);
            Interlocked.Decrement(ref _sent);
            LogRefused(_target.ToString(), alert.Id, answer);
        }
    }

    private Alert DroppedAlert(long dropped) =>
        new($"drops-{_time.GetUtcNow().ToUnixTimeMilliseconds()}", _time.GetUtcNow(), AlertKinds.AlertsDropped,
            "Alerts dropped while the syslog receiver was unreachable", AlertSeverity.Warning, AlertAction.Alerted)
        {
            Reason = $"{dropped} alert(s) for {_target} were dropped: the queue of {_target.QueueCapacity} was full",
        };

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Alert delivery to {Target} failed ({Error}); retrying in {BackoffMs} ms")]
    private partial void LogDeliveryFailed(string target, string error, double backoffMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Connected to syslog receiver {Target}")]
    private partial void LogConnected(string target);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Syslog receiver {Target} refused alert {AlertId}: {Answer}; it is not sent again")]
    private partial void LogRefused(string target, string alertId, string answer);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Syslog receiver {Target} closed the connection; reconnecting")]
    private partial void LogPeerClosed(string target);
}
