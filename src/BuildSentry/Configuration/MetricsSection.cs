namespace BuildSentry.Configuration;

/// <summary>
/// Metrics as a node_exporter textfile: the daemon opens no port for them. <see cref="Textfile"/> is the file it
/// rewrites (atomically) every <see cref="IntervalSeconds"/>; null, the default, writes none (<c>buildsentry metrics</c>
/// prints the same over the control socket).
/// </summary>
public sealed class MetricsSection
{
    public string? Textfile { get; set; }

    public int IntervalSeconds { get; set => field = value is >= 1 and <= 3600 ? value : throw new InvalidDataException($"metrics.interval_seconds must be 1 to 3600, not {value}"); } = 15;
}
