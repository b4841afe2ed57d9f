namespace BuildSentry.Core.Enforcement;

/// <summary>What a kill did: how (cgroup.kill or pidfd sweeps), how many processes it signalled, and any failure;
/// <see cref="SignalledAt"/> is when the signal went out (null where nothing was carried out, e.g. replay).</summary>
public sealed record KillResult(string Method, int Signalled, string? Error, DateTimeOffset? SignalledAt = null)
{
    public bool Succeeded => Error is null;
}
