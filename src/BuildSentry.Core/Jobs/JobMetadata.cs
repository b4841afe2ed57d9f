namespace BuildSentry.Core.Jobs;

/// <summary>
/// Who a job is, from the CI system's point of view. Every value is untrusted text from the job's
/// environment or a hook; <see cref="JobId"/> is sanitised so it can name a report file.
/// </summary>
public sealed record JobMetadata(string CiSystem, string JobId)
{
    public string? Repository { get; init; }
    public string? Workflow { get; init; }
    public string? JobName { get; init; }
    public string? RunId { get; init; }
    public string? RunAttempt { get; init; }
    public string? RunnerName { get; init; }

    /// <summary>The runner's own id for the job (RUNNER_TRACKING_ID, VSTS_PROCESS_LOOKUP_ID), shared by
    /// the worker and every step it starts.</summary>
    public string? TrackingId { get; init; }

    /// <summary>True when both describe the same job, even if one was learnt from the worker (tracking id
    /// only) and the other from a step's environment (full metadata).</summary>
    public bool IsSameJob(JobMetadata other) =>
        string.Equals(CiSystem, other.CiSystem, StringComparison.Ordinal)
        && (string.Equals(JobId, other.JobId, StringComparison.Ordinal)
            || (TrackingId is not null && string.Equals(TrackingId, other.TrackingId, StringComparison.Ordinal)));

    /// <summary>Fills fields this record lacks from <paramref name="other"/>; never changes the id.</summary>
    public JobMetadata Enrich(JobMetadata other) => this with
    {
        Repository = Repository ?? other.Repository,
        Workflow = Workflow ?? other.Workflow,
        JobName = JobName ?? other.JobName,
        RunId = RunId ?? other.RunId,
        RunAttempt = RunAttempt ?? other.RunAttempt,
        RunnerName = RunnerName ?? other.RunnerName,
        TrackingId = TrackingId ?? other.TrackingId,
    };
}
