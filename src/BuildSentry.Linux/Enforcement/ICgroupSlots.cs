namespace BuildSentry.Linux.Enforcement;

/// <summary>
/// Directories prepared in advance for jobs' cgroups (each already matched by a kernel rule): a job's cgroup is
/// created inside the slot it takes, so the rule covers its first packet. See <c>KernelJobTags</c>.
/// </summary>
public interface ICgroupSlots
{
    /// <summary>The directory to create the job's cgroup in, or null to create it in the default place.</summary>
    string? Take(string jobId);

    /// <summary>The job ended: its slot is reused once the job's cgroup directory is gone.</summary>
    void Release(string jobId);
}
