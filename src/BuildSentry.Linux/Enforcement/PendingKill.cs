using BuildSentry.Core.Enforcement;

namespace BuildSentry.Linux.Enforcement;

/// <summary>
/// A kill whose signal has gone out (<see cref="JobEnforcer.Signal"/>): what to wait on for the job's processes to exit
/// (<see cref="JobEnforcer.WaitForExit"/>). Holds the pidfds of the processes signalled outside the job's cgroup until then.
/// </summary>
public sealed class PendingKill : IDisposable
{
    internal PendingKill(string jobId, long startedTimestamp, KillResult signalled, string? cgroupPath, ProcessSweep? outside,
        ProcessSweep? swept)
    {
        JobId = jobId;
        StartedTimestamp = startedTimestamp;
        Signalled = signalled;
        CgroupPath = cgroupPath;
        Outside = outside;
        Swept = swept;
    }

    public string JobId { get; }

    /// <summary>What the signal did; its error, if any, is final (nothing was waited for yet).</summary>
    public KillResult Signalled { get; }

    internal long StartedTimestamp { get; }

    /// <summary>The job's cgroup that was killed, to wait until it is empty; null for a kill by pidfd sweeps only.</summary>
    internal string? CgroupPath { get; }

    /// <summary>Members killed first because they were outside the cgroup (a move into it under way).</summary>
    internal ProcessSweep? Outside { get; }

    /// <summary>The pidfd sweep: every member without a cgroup, or those found outside it after cgroup.kill.</summary>
    internal ProcessSweep? Swept { get; }

    internal string? SweepError { get; init; }

    /// <summary>The job's root, stopped and (with a cgroup) moved aside until the job's cgroup is empty.</summary>
    internal SparedRoot? Spared { get; init; }

    public void Dispose()
    {
        Outside?.Dispose();
        Swept?.Dispose();
        Spared?.Dispose();
    }
}
