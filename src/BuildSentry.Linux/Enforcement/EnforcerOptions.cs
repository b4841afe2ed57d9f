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

    /// <summary>How many of a job's newest known members a cgroup kill signals through pidfds before it writes
    /// cgroup.kill (which can wait for a move into a cgroup in progress). Bounded: each costs a pidfd, a /proc
    /// read and two signals (~15 µs), and cgroup.kill reaches the rest; 0 turns it off.</summary>
    public int SignalFirst { get; init; } = 16;
}
