namespace BuildSentry.Linux.Enforcement;

public sealed record EnforcerOptions
{
    /// <summary>How long a kill waits for its processes to be gone before it reports failure. A SIGKILLed
    /// process exits in microseconds unless it is in uninterruptible sleep (D state, e.g. stuck NFS I/O).</summary>
    public TimeSpan ExitWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Bound on /proc rescans for children of stopped processes. A stopped process cannot fork, so
    /// a tree settles in two or three sweeps; only a process that keeps resuming its stopped relatives
    /// (SIGCONT) could keep one going.</summary>
    public int MaxSweeps { get; init; } = 32;

    /// <summary>The cgroup v2 mount, to recognise the job's cgroup in /proc/PID/cgroup; found in /proc/mounts when null.</summary>
    public string? CgroupMount { get; init; }
}
