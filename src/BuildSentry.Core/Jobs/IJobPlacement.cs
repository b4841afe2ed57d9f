using BuildSentry.Core.Events;

namespace BuildSentry.Core.Jobs;

/// <summary>
/// The seam to the OS for giving a new job its own cgroup. The tracker asks once per job; the answer
/// (a path, or null where cgroup v2 is unavailable) is recorded for the enforcer.
/// </summary>
public interface IJobPlacement
{
    string? Place(JobRecord job, IReadOnlyList<ProcessKey> members);

    /// <summary>
    /// Brings a process forked into the job after <see cref="Place"/> into the job's cgroup. Only needed
    /// for a short while: a process forked before its parent was moved is born outside, and the
    /// tracker learns of such forks a little after the move.
    /// </summary>
    void Adopt(JobRecord job, ProcessForked fork);

    void Release(JobRecord job);

    /// <summary>
    /// A process outside the job's tree joins it: a container the job asked a runtime for. It stays in the cgroup the
    /// runtime gave it; where job membership lives in the kernel, its forks join from now on.
    /// </summary>
    void Enlist(JobRecord job, ProcessKey process)
    {
    }
}
