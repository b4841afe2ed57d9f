namespace BuildSentry.Linux.Processes;

public sealed record ProcessSensorOptions
{
    /// <summary>Requested socket receive buffer; a fork storm fills the default (about 200 KiB) in milliseconds.</summary>
    public int ReceiveBufferBytes { get; init; } = 16 << 20;

    /// <summary>Loss during a storm is coalesced: at most one rescan per interval while events keep coming,
    /// since a rescan itself costs time in which the socket fills again.</summary>
    public TimeSpan MinRescanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a receive waits before the reader checks whether it should stop.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
