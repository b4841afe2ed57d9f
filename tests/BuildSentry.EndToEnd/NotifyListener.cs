using System.Net.Sockets;
using System.Text;

namespace BuildSentry.EndToEnd;

/// <summary>
/// Plays systemd's side of sd_notify(3): a unix datagram socket that records every state line the
/// daemon sends, and, when READY=1 arrives, which control sockets were listening at that moment.
/// </summary>
public sealed class NotifyListener : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("buildsentry-notify-").FullName;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<NotifyMessage> _messages = [];
    private readonly Task _receiving;

    public NotifyListener()
    {
        SocketPath = Path.Combine(_directory, "notify.sock");
        _socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _receiving = ReceiveAsync();
    }

    public string SocketPath { get; }

    public IReadOnlyList<NotifyMessage> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

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

    public async Task<NotifyMessage> WaitForAsync(string state, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (Messages.FirstOrDefault(m => m.State == state) is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no {state} on {SocketPath}; received: {string.Join(", ", Messages.Select(m => m.State))}");
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _receiving;
        Directory.Delete(_directory, recursive: true);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var now = DateTime.UtcNow;
            foreach (var state in Encoding.UTF8.GetString(buffer, 0, length).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                IReadOnlySet<string> listening = state == "READY=1" ? ListeningUnixSockets() : new HashSet<string>();
                lock (_messages)
                {
                    _messages.Add(new NotifyMessage(now, state, listening));
                }
            }
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
