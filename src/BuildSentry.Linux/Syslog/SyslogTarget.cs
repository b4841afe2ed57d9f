namespace BuildSentry.Linux.Syslog;

/// <summary>One alert destination from the configuration.</summary>
public sealed record SyslogTarget(SyslogTransport Transport, string Address, int Port = 514)
{
    public int QueueCapacity { get; init; } = 10_000;

    public override string ToString() => Transport == SyslogTransport.Unix
        ? $"unix:{Address}"
        : $"{Transport.ToString().ToLowerInvariant()}://{Address}:{Port}";
}
