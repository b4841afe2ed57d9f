using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Processes;

namespace BuildSentry.Linux.Tests.Processes;

/// <summary>Feeds what a real sensor saw into the Core job tracker, as the daemon's monitor loop does.</summary>
internal sealed class TrackerReplay : ITrackerObserver, IJobPlacement
{
    public TrackerReplay(IEnumerable<SensorEvent> events, JobTrackerOptions? options = null)
    {
        Tracker = new JobTracker(this, this, options);
        foreach (var e in events)
        {
            Tracker.Apply(e);
        }
    }

    public JobTracker Tracker { get; }

    public List<JobRecord> Started { get; } = [];

    public List<JobRecord> Ended { get; } = [];

    /// <summary>The job a process identity was given, whether it is still alive or recently exited.</summary>
    public string? JobOf(ProcessKey key) => Tracker.Processes.TryGet(key, out var record) ? record.JobId : null;

    /// <summary>Every live entry names a process that is alive now with the same start time.</summary>
    public void AssertConsistentWithProc()
    {
        var proc = new Linux.Processes.ProcFs();
        var stale = Tracker.Processes.Live
            .Where(p => proc.TryGetKey(p.Key.Pid) is not { } now || now.StartTime != p.Key.StartTime)
            .Select(p => p.Key)
            .ToList();

        // A process may exit between the sensor's last event and this check: allow a handful, never a leak.
        Assert.True(stale.Count <= 5, $"{stale.Count} live entries name no live process: {string.Join(", ", stale.Take(20))}");
    }

    public void JobStarted(JobRecord job) => Started.Add(job);

    public void JobEnded(JobRecord job) => Ended.Add(job);

    public void ProcessStarted(ProcessRecord process, JobRecord? job, bool exec)
    {
    }

    public void ProcessExited(ProcessRecord process, JobRecord? job)
    {
    }

    public void SensorLost(SensorLoss loss)
    {
    }

    public void Refused(SensorEvent request, string reason)
    {
    }

    public string? Place(JobRecord job, IReadOnlyList<ProcessKey> members) => null;

    public void Adopt(JobRecord job, ProcessForked fork)
    {
    }

    public void Release(JobRecord job)
    {
    }
}
