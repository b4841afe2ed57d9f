namespace BuildSentry.Core.Tracing;

public sealed class TraceFormatException(int line, string message)
    : FormatException($"trace line {line}: {message}")
{
    public int Line { get; } = line;
}
