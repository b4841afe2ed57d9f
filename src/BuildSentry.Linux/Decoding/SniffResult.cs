namespace BuildSentry.Linux.Decoding;

/// <summary>What a host sniffer learnt; <see cref="Host"/> is set only when <see cref="Status"/> is Found.</summary>
internal readonly record struct SniffResult(SniffStatus Status, string? Host)
{
    public static SniffResult NeedMore => new(SniffStatus.NeedMore, null);

    public static SniffResult NotFound => new(SniffStatus.NotFound, null);

    public static SniffResult NotThisProtocol => new(SniffStatus.NotThisProtocol, null);

    public static SniffResult Malformed => new(SniffStatus.Malformed, null);

    public static SniffResult Found(string host) => new(SniffStatus.Found, host);
}
