using BuildSentry.Core.Alerts;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Processes;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Monitoring;

public sealed partial class JobMonitor
{
    /// <summary>
    /// A violation: in kill mode the job dies first (every millisecond lets more payload out), then
    /// the alert goes out. The same finding repeated (retransmits, retries) is counted but alerted once.
    /// </summary>
    private void Violation(JobState state, ProcessRecord? process, string kind, string title, AlertDestination? destination,
        string? rule, string reason, string findingKey, DateTimeOffset time)
    {
        state.ViolationCount++;
        if (!_alerted.Add($"{state.Job.Id}|{kind}|{process?.Key}|{findingKey}"))
        {
            return;
        }

        var id = state.NextAlertId();
        var action = AlertAction.Alerted;
        if (state.Mode == ProfileMode.Kill && state.Job.KilledAt is null && state.Job.IsActive)
        {
            Kill(state.Job, id, reason, time);
            action = AlertAction.Killed;
        }

        var alert = new Alert(id, time, kind, title, action == AlertAction.Killed ? AlertSeverity.Critical : AlertSeverity.High, action)
        {
            Job = Describe(state.Job),
            Process = process is null ? null : Describe(process, state.Job),
            Destination = destination,
            Profile = state.Profile?.Name,
            Rule = rule,
            Reason = process is null ? $"{reason}; the process is not named: its socket closed before it could be looked up, and the kernel matched the socket to the job's cgroup" : reason,
        };
        Counters.Alerts++;
        _alerts.Publish(alert);
        if (state.Violations.Count < _options.MaxReportedViolations)
        {
            state.Violations.Add(new ViolationRecord(id, time, kind, AlertText.Summary(alert), action.ToString().ToLowerInvariant()));
        }
        else
        {
            state.ViolationsNotListed++;
        }
    }

    private void Kill(JobRecord job, string alertId, string reason, DateTimeOffset time)
    {
        var members = new List<Events.ProcessKey>();
        foreach (var process in Tracker.Processes.Live)
        {
            if (process.JobId == job.Id)
            {
                members.Add(process.Key);
            }
        }

        job.KillRequested = true;
        var result = _enforcer.Kill(job, members);
        job.KilledAt = result.SignalledAt ?? time;
        job.KilledBy = $"{alertId}: {reason}";
        job.KillMethod = result.Succeeded ? $"{result.Method}, {result.Signalled} signalled" : $"{result.Method} failed: {result.Error}";
        Counters.Kills++;
    }

    private static AlertJob Describe(JobRecord job) => new(job.Metadata.CiSystem, job.Id, job.Metadata.Repository,
        job.Metadata.Workflow, job.Metadata.JobName, job.Metadata.RunId, job.Metadata.RunAttempt, job.Metadata.RunnerName);

    private AlertProcess Describe(ProcessRecord process, JobRecord job)
    {
        var chain = new List<AlertAncestor>();
        if (process.Key != job.Root)
        {
            foreach (var ancestor in Tracker.Processes.Ancestors(process))
            {
                chain.Add(new AlertAncestor(ancestor.Key.Pid, ancestor.Details.Exe));
                if (ancestor.Key == job.Root)
                {
                    break;
                }
            }
        }

        var d = process.Details;
        return new AlertProcess(process.Key.Pid, d.Exe, d.Argv, d.Cwd, d.Uid, chain);
    }
}
