using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace BuildSentry.EndToEnd.Packaging;

/// <summary>
/// An alert target of transport unix in a host directory that a container binds in: keeps every datagram's JSON alert
/// (format json: the alert is the syslog message's JSON text).
/// </summary>
public sealed class UnixAlertReceiver : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<JsonElement> _alerts = [];
    private readonly Task _receiving;

    public UnixAlertReceiver()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("buildsentry-alerts-").FullName;
        _socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(Directory, SocketName)));
        _receiving = ReceiveAsync();
    }

    public const string SocketName = "alerts.sock";

    public string Directory { get; }

    public IReadOnlyList<JsonElement> Alerts
    {
        get
        {
            lock (_alerts)
            {
                return [.. _alerts];
            }
        }
    }

    public IReadOnlyList<string> Kinds => [.. Alerts.Select(a => a.GetProperty("kind").GetString() ?? "")];

    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Alerts.FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no matching alert; received: {string.Join(", ", Kinds)}");
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _receiving;
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[65536];
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

            var datagram = Encoding.UTF8.GetString(buffer, 0, length);
            var json = datagram.IndexOf('{', StringComparison.Ordinal);
            lock (_alerts)
            {
                _alerts.Add(JsonDocument.Parse(datagram[json..]).RootElement.Clone());
            }
        }
    }
}
