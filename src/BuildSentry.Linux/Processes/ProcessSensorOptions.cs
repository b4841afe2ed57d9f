namespace BuildSentry.Linux.Processes;

public sealed record ProcessSensorOptions
{
    /// <summary>Requested socket receive buffer; a fork storm fills the default (about 200 KiB) in milliseconds.</summary>
    public int ReceiveBufferBytes { get; init; } = 16 << 20;

    /// <summary>Loss during a storm is coalesced: at most one rescan per interval while events keep coming,
    /// since a rescan itself costs time in which the socket fills again.</summary>
    public TimeSpan MinRescanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Answers, for a parent pid, whether its job already knows all it can learn from markers. A child of
    /// such a process is in that job by lineage, and its markers can change nothing (a job process never
    /// starts another job), so its environment is not read at exec: reading another process's
    /// environment is one of the dearest /proc reads.
    /// </summary>
    public Func<int, bool>? ParentJobSettled { get; init; }

    /// <summary>
    /// Called on the reader's thread each time it has handled every event queued so far and is about to
    /// wait: every process event the kernel sent before this call has been written.
    /// </summary>
    public Action? CaughtUp { get; init; }

    /// <summary>How long a receive waits before the reader checks whether it should stop.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
