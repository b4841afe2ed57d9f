using System.Text.Json;
using BuildSentry.Core.Events;

namespace BuildSentry.Core.Tracing;

/// <summary>
/// Records sensor events as NDJSON, one event per line, so a trace replays into the same monitor.
/// A trace holds what the sensors saw, including argv and marker values, but never other
/// environment values (the sensors never read them).
/// </summary>
public sealed class TraceWriter(Stream stream) : IDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Utf8JsonWriter _json = new(stream, new JsonWriterOptions { SkipValidation = false });

    public long EventsWritten { get; private set; }

    public void Write(SensorEvent e)
    {
        JsonSerializer.Serialize(_json, e, TraceJsonContext.Default.SensorEvent);
        _json.Flush();
        _json.Reset();
        stream.Write(NewLine);
        EventsWritten++;
    }

    public void Flush() => stream.Flush();

    public void Dispose()
    {
        _json.Dispose();
        stream.Flush();
    }
}
