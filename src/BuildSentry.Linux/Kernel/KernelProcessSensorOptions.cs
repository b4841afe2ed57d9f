namespace BuildSentry.Linux.Kernel;

public sealed record KernelProcessSensorOptions
{
    /// <summary>The ring buffer: a power of two, at least a page. Records wait in it between drains; a 2,000-exec
    /// storm fills about 1 MiB.</summary>
    public int RingBytes { get; init; } = 8 << 20;

    /// <summary>Pending bytes at which a record wakes the reader before its next drain (at most half the ring).</summary>
    public int WakeBytes { get; init; } = 1 << 20;

    /// <summary>Processes the membership map holds at once, across all jobs.</summary>
    public int JobEntries { get; init; } = 32768;

    /// <summary>How often the reader drains the ring when nothing wakes it: the longest a record waits.</summary>
    public TimeSpan DrainInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>At most one rescan per interval while loss keeps coming (see ProcessSensorOptions.MinRescanInterval).</summary>
    public TimeSpan MinRescanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>As <see cref="Processes.ProcessSensorOptions.ParentJobSettled"/>: given a parent pid, true when its
    /// child's environment need not be read for job markers.</summary>
    public Func<int, bool>? ParentJobSettled { get; init; }

    /// <summary>As <see cref="Processes.ProcessSensorOptions.CaughtUp"/>: called on the reader's thread each time it
    /// has drained the ring empty.</summary>
    public Action? CaughtUp { get; init; }

    /// <summary>Called on the reader's thread with every process record (not the connection records, whose events
    /// carry their job), before its event is written: the job slot the kernel holds each process in travels here
    /// until the Core process events carry it.</summary>
    public Action<KernelRecord>? Recorded { get; init; }

    /// <summary>The job id of a kernel job slot, for the <see cref="Core.Network.FlowAttribution.KernelJob"/> of the
    /// connections job members make; null (or no function) leaves it unset. Called on the reader's thread.</summary>
    public Func<uint, string?>? JobIdOfSlot { get; init; }

    /// <summary>Called on the reader's thread when a held job's process (job slot, tgid) is in a network namespace (its
    /// inode) where no forwarder listens: quick, it must not block the reader.</summary>
    public Action<uint, int, uint>? ForwarderWanted { get; init; }
}
