namespace BuildSentry.Core.Enforcement;

/// <summary>What a kill did: how (cgroup.kill or pidfd sweeps), how many processes it signalled, and any failure;
/// <see cref="SignalledAt"/> is when the signal went out (null where nothing was carried out, e.g. replay).
/// <see cref="ExitPending"/>: only the signal was sent; the wait for the processes to exit comes back as a
/// <see cref="Events.JobKillCompleted"/> event. <see cref="RootSpared"/>: the job's runner process was left running (see
/// <see cref="Jobs.JobRecord.Spared"/>).</summary>
public sealed record KillResult(string Method, int Signalled, string? Error, DateTimeOffset? SignalledAt = null, bool ExitPending = false,
    bool RootSpared = false)
{
    public bool Succeeded => Error is null;
}
