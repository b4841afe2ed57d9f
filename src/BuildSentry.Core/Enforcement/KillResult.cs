namespace BuildSentry.Core.Enforcement;

/// <summary>What a kill did: how (cgroup.kill or pidfd sweeps), how many processes it signalled, and any failure.</summary>
public sealed record KillResult(string Method, int Signalled, string? Error)
{
    public bool Succeeded => Error is null;
}
