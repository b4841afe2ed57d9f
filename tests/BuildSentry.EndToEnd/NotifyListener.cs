namespace BuildSentry.EndToEnd;

/// <summary>
/// Plays systemd's side of sd_notify(3): a unix datagram socket that records every state line the
/// daemon sends, and, when READY=1 arrives, which control sockets were listening at that moment.
/// </summary>
public sealed class NotifyListener : IAsyncDisposable
{
    private readonly UnixDatagramRecorder<NotifyMessage> _recorder = new("buildsentry-notify-", "notify.sock", Parse);

    public string SocketPath => _recorder.SocketPath;

    public IReadOnlyList<NotifyMessage> Messages => _recorder.Records;

    /// <summary>The environment a service manager gives its service.</summary>
    public Dictionary<string, string> Environment(TimeSpan? watchdog = null)
    {
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = SocketPath };
        if (watchdog is { } interval)
        {
            environment["WATCHDOG_USEC"] = ((long)interval.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return environment;
    }

    public Task<NotifyMessage> WaitForAsync(string state, TimeSpan? timeout = null) =>
        _recorder.WaitForAsync(m => m.State == state, timeout ?? TimeSpan.FromSeconds(15),
            () => $"no {state} on {SocketPath}; received: {string.Join(", ", Messages.Select(m => m.State))}");

    public ValueTask DisposeAsync() => _recorder.DisposeAsync();

    private static IEnumerable<NotifyMessage> Parse(string datagram)
    {
        var now = DateTime.UtcNow;
        foreach (var state in datagram.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            IReadOnlySet<string> listening = state == "READY=1" ? ListeningUnixSockets() : new HashSet<string>();
            yield return new NotifyMessage(now, state, listening);
        }
    }

    /// <summary>Paths of the unix stream sockets in the listening state, from /proc/net/unix (flag __SO_ACCEPTCON).</summary>
    private static IReadOnlySet<string> ListeningUnixSockets()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/net/unix").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 8 && fields[3] == "00010000")
            {
                paths.Add(fields[7]);
            }
        }

        return paths;
    }
}

public sealed record NotifyMessage(DateTime ReceivedAt, string State, IReadOnlySet<string> ListeningSockets);
