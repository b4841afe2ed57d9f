using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Processes;

namespace BuildSentry.Linux.Tests.Enforcement;

/// <summary>Real JobRecords come only from the tracker: this registers a root the way the runner hook does,
/// so the placement under test is asked exactly as the daemon would ask it.</summary>
internal sealed class TestJobs(IJobPlacement placement)
{
    private readonly JobTracker _tracker = new(new NoObserver(), placement);

    public JobRecord Start(ProcessKey root, bool spareRoot = false)
    {
        var id = $"test-{Guid.NewGuid():N}";
        _tracker.Apply(new JobRegistrationRequested(DateTimeOffset.UtcNow, root, new JobMetadata("github", id), spareRoot));
        Assert.True(_tracker.TryGetJob(id, out var job), $"job {id} did not start");
        Settle();
        return job;
    }

    public void End(JobRecord job)
    {
        _tracker.Apply(new JobEndRequested(DateTimeOffset.UtcNow, job.Id, "test over"));
        Settle();
    }

    /// <summary>The placement moves and removes on its own thread: a test looks once that is done.</summary>
    private void Settle() =>
        Assert.True((placement as Linux.Enforcement.CgroupPlacement)?.WaitIdle(TimeSpan.FromSeconds(10)) ?? true, "the placement did not finish");

    private sealed class NoObserver : ITrackerObserver
    {
        public void JobStarted(JobRecord job) { }
        public void JobEnded(JobRecord job) { }
        public void ProcessStarted(ProcessRecord process, JobRecord? job, bool exec) { }
        public void ProcessExited(ProcessRecord process, JobRecord? job) { }
        public void SensorLost(SensorLoss loss) { }
        public void Refused(SensorEvent request, string reason) => throw new InvalidOperationException(reason);
    }
}

/// <summary>The daemon without cgroup v2: every job is killed by sweeps.</summary>
internal sealed class NoPlacement : IJobPlacement
{
    public string? Place(JobRecord job, IReadOnlyList<ProcessKey> members) => null;
    public void Adopt(JobRecord job, ProcessForked fork) { }
    public void Release(JobRecord job) { }
}
