using System.Text.Json;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Text;

namespace BuildSentry.Control;

/// <summary>A request line checked at the socket: valid JSON, a known command, a sane pid, marker keys only.</summary>
internal sealed record ParsedRequest(ControlRequest? Request, string? Error, int DroppedMetadataKeys)
{
    public static ParsedRequest Parse(ReadOnlySpan<byte> line)
    {
        if (line.EndsWith("\r"u8))
        {
            line = line[..^1];
        }

        if (line.Trim(" \t"u8).IsEmpty)
        {
            return Invalid("empty request");
        }

        ControlRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlRequest);
        }
        catch (JsonException e)
        {
            return Invalid($"malformed request: not a JSON request object (at byte {e.BytePositionInLine ?? 0})");
        }

        if (request is null)
        {
            return Invalid("malformed request: null");
        }

        if (!ControlCommands.IsKnown(request.Command))
        {
            return Invalid(request.Command is null
                ? "malformed request: no command"
                : $"unknown command '{SafeText.Truncate(SafeText.Escape(request.Command), 64)}'");
        }

        if (request.RootPid is <= 0)
        {
            return Invalid($"rootPid {request.RootPid} is not a process id");
        }

        if (request.Metadata is not { } metadata)
        {
            return new ParsedRequest(request, null, 0);
        }

        var kept = metadata
            .Where(pair => JobMarkers.Keys.Contains(pair.Key) && pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => SafeText.Truncate(pair.Value, JobMarkers.MaxValueLength), StringComparer.Ordinal);
        return new ParsedRequest(request with { Metadata = kept }, null, metadata.Count - kept.Count);
    }

    private static ParsedRequest Invalid(string error) => new(null, error, 0);
}
