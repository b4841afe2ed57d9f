using System.Text.Json;
using BuildSentry.Core.Events;

namespace BuildSentry.Core.Tracing;

/// <summary>Reads an NDJSON trace back into events. A bad line is an error naming its line number.</summary>
public static class TraceReader
{
    public static async IAsyncEnumerable<SensorEvent> ReadAsync(
        Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(stream);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Parse(line, lineNumber);
        }
    }

    public static SensorEvent Parse(string line, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize(line, TraceJsonContext.Default.SensorEvent)
                   ?? throw new TraceFormatException(lineNumber, "null event");
        }
        catch (JsonException ex)
        {
            throw new TraceFormatException(lineNumber, ex.Message);
        }
        catch (NotSupportedException ex)
        {
            throw new TraceFormatException(lineNumber, ex.Message);
        }
    }
}
