using BuildSentry.Core.Processes;

namespace BuildSentry.Core.Jobs;

public sealed class JobTrackerOptions
{
    public ProcessTableOptions Processes { get; init; } = new();

    /// <summary>Ended jobs kept for lookups (late packets, status, reports) before they are forgotten.</summary>
    public int MaxEndedJobs { get; init; } = 256;
}
