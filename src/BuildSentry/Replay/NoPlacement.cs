using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;

namespace BuildSentry.Replay;

/// <summary>Replay makes no cgroups.</summary>
internal sealed class NoPlacement : IJobPlacement
{
    public string? Place(JobRecord job, IReadOnlyList<ProcessKey> members) => null;

    public void Adopt(JobRecord job, ProcessForked fork)
    {
    }

    public void Release(JobRecord job)
    {
    }
}
