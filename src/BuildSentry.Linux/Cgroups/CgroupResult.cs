namespace BuildSentry.Linux.Cgroups;

public enum CgroupStatus
{
    Ok,

    /// <summary>No cgroup v2 on this host (or the feature is missing in this kernel): the caller falls
    /// back to other means and logs it once.</summary>
    Unavailable,
    Failed,
}

/// <param name="Path">The job's cgroup directory, when there is one.</param>
/// <param name="Error">Why it did not work, for a log line.</param>
public sealed record CgroupResult(CgroupStatus Status, string? Path = null, string? Error = null)
{
    public bool Succeeded => Status == CgroupStatus.Ok;
}
