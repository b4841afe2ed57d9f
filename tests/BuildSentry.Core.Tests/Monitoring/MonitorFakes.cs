using BuildSentry.Core.Alerts;
using BuildSentry.Core.Enforcement;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Monitoring;

namespace BuildSentry.Core.Tests.Monitoring;

internal sealed class RecordingAlerts : IAlertSink
{
    public List<Alert> Alerts { get; } = [];

    public void Publish(Alert alert) => Alerts.Add(alert);
}

internal sealed class RecordingEnforcer : IEnforcer
{
    public List<(string JobId, IReadOnlyList<ProcessKey> Members)> Kills { get; } = [];

    /// <summary>Signal only, as the daemon's enforcer does: the wait for exit reports back as a JobKillCompleted event.</summary>
    public bool WaitsElsewhere { get; init; }

    public KillResult Kill(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        Kills.Add((job.Id, members));
        return new KillResult("test", members.Count, null, ExitPending: WaitsElsewhere, RootSpared: job.Spared is not null);
    }

    public List<ProcessKey> ProcessesKilled { get; } = [];

    public bool KillProcess(ProcessKey process)
    {
        ProcessesKilled.Add(process);
        return true;
    }
}

internal sealed class RecordingReports : IJobReportSink
{
    public List<JobState> Ended { get; } = [];

    public void JobEnded(JobState state) => Ended.Add(state);
}

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
