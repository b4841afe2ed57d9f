using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Processes;

namespace BuildSentry.Core.Tests.Jobs;

internal sealed class RecordingObserver : ITrackerObserver, IJobPlacement
{
    public List<JobRecord> Started { get; } = [];
    public List<JobRecord> Ended { get; } = [];
    public List<(ProcessRecord Process, string? JobId, bool Exec)> Processes { get; } = [];
    public List<(SensorEvent Request, string Reason)> Refusals { get; } = [];
    public List<SensorLoss> Losses { get; } = [];
    public List<(string JobId, int Members)> Placed { get; } = [];

    public void JobStarted(JobRecord job) => Started.Add(job);
    public void JobEnded(JobRecord job) => Ended.Add(job);
    public void ProcessStarted(ProcessRecord process, JobRecord? job, bool exec) => Processes.Add((process, job?.Id, exec));
    public void ProcessExited(ProcessRecord process, JobRecord? job) { }
    public void SensorLost(SensorLoss loss) => Losses.Add(loss);
    public void Refused(SensorEvent request, string reason) => Refusals.Add((request, reason));

    public string? Place(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        Placed.Add((job.Id, members.Count));
        return $"/cgroup/buildsentry/{job.Id}";
    }

    public List<(string JobId, ProcessKey Member)> Adopted { get; } = [];

    public void Adopt(JobRecord job, ProcessForked fork) => Adopted.Add((job.Id, fork.Child));

    public List<(string JobId, ProcessKey Member)> Enlisted { get; } = [];

    public void Enlist(JobRecord job, ProcessKey process) => Enlisted.Add((job.Id, process));

    public void Release(JobRecord job) { }
}
