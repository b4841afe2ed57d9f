using System.Text.Json;

namespace BuildSentry.EndToEnd.Packaging;

/// <summary>
/// An alert target of transport unix in a host directory that a container binds in: keeps every datagram's JSON alert
/// (format json: the alert is the syslog message's JSON text).
/// </summary>
public sealed class UnixAlertReceiver : IAsyncDisposable
{
    public const string SocketName = "alerts.sock";

    private readonly UnixDatagramRecorder<JsonElement> _recorder = new("buildsentry-alerts-", SocketName, Parse);

    public string Directory => _recorder.Directory;

    public IReadOnlyList<string> Kinds => [.. _recorder.Records.Select(a => a.GetProperty("kind").GetString() ?? "")];

    public Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout) =>
        _recorder.WaitForAsync(match, timeout, () => $"no matching alert; received: {string.Join(", ", Kinds)}");

    public ValueTask DisposeAsync() => _recorder.DisposeAsync();

    private static IEnumerable<JsonElement> Parse(string datagram) =>
        [JsonDocument.Parse(datagram[datagram.IndexOf('{', StringComparison.Ordinal)..]).RootElement.Clone()];
}
