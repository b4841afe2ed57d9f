using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// A job's cgroup, once created, also gets its kernel tag (<see cref="KernelJobTags"/>): from then on every
/// connection attempt and DNS query of a process in it is attributed to the job by the kernel.
/// </summary>
public sealed class TaggedPlacement(IJobPlacement inner, KernelJobTags tags, string cgroupMount) : IJobPlacement
{
    public string? Place(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        var path = inner.Place(job, members);
        if (path is not null)
        {
            _ = tags.Add(job.Id, Path.GetRelativePath(cgroupMount, path), path);
        }

        return path;
    }

    public void Adopt(JobRecord job, ProcessKey member) => inner.Adopt(job, member);

    public void Release(JobRecord job)
    {
        tags.Remove(job.Id);
        inner.Release(job);
    }
}
