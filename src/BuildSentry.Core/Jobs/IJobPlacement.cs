using BuildSentry.Core.Events;

namespace BuildSentry.Core.Jobs;

/// <summary>
/// The seam to the OS for giving a new job its own cgroup. The tracker asks once per job; the answer
/// (a path, or null where cgroup v2 is unavailable) is recorded for the enforcer.
/// </summary>
public interface IJobPlacement
{
    string? Place(JobRecord job, IReadOnlyList<ProcessKey> members);

    void Release(JobRecord job);
}
