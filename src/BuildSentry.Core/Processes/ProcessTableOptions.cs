namespace BuildSentry.Core.Processes;

public sealed class ProcessTableOptions
{
    /// <summary>How long an exited process stays queryable: packets of its connections can arrive after it exits.</summary>
    public TimeSpan ExitedGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Hard bound on exited processes kept, whatever the grace period, so a fork storm cannot grow memory.</summary>
    public int MaxExited { get; init; } = 16_384;

    /// <summary>Ancestor chains (for alerts) stop after this many generations.</summary>
    public int MaxAncestry { get; init; } = 64;
}
