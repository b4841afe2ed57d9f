using BuildSentry.Core.Monitoring;

namespace BuildSentry.Core.Reports;

public static class JobReportBuilder
{
    public static JobReport From(JobState state)
    {
        var job = state.Job;
        var m = job.Metadata;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                metadata[key] = value;
            }
        }

        Add("repository", m.Repository);
        Add("workflow", m.Workflow);
        Add("job", m.JobName);
        Add("run_id", m.RunId);
        Add("run_attempt", m.RunAttempt);
        Add("runner", m.RunnerName);
        Add("detected_by", job.Detection.ToString());
        Add("root_pid", job.Root.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        return new JobReport(
            job.Id, m.CiSystem, metadata, state.Profile?.Name, state.ProfileReason, state.Mode.ToString().ToLowerInvariant(),
            job.StartedAt, job.EndedAt, job.EndReason,
            job.KilledAt is { } at ? new ReportKill(at, job.KilledBy ?? "", job.KillMethod ?? "", job.KillCompletedAt, job.KillSparedRoot,
                Math.Max(job.Kills, 1)) : null,
            job.CgroupPath,
            state.Processes.Select(p => new ReportProcess(p.Pid, p.ParentPid, p.Exe, p.Argv, p.Started, p.Exited, p.ExitCode)).ToList(),
            state.ProcessesNotListed,
            state.Destinations.Values.OrderBy(d => d.FirstSeen).Select(d => new ReportDestination(
                d.Address, d.Port, d.Protocol, d.Names.Order(StringComparer.Ordinal).ToList(),
                d.ServerNames.Order(StringComparer.Ordinal).ToList(), d.Allowed, d.Rule, d.Reason, d.Attempts, d.FirstProcess)).ToList(),
            state.DestinationsNotListed,
            state.DnsNames.Values.OrderBy(n => n.FirstSeen).Select(n => new ReportDnsName(n.Name, n.Allowed, n.Rule, n.Reason, n.Queries)).ToList(),
            state.Violations.Select(v => new ReportViolation(v.AlertId, v.Time, v.Kind, v.Summary, v.Action, v.Fix)).ToList(),
            state.ViolationCount,
            new ReportHealth(state.ProcessEventsLost, state.PacketsDropped, job.ExecutablesDropped, state.ExecsUnread),
            new ReportAlerting(state.ViolationsAlerted, state.ViolationRepeats, state.ViolationsAggregated, state.SummaryAlerts,
                state.Limiter.PerMinute),
            new ReportBounds(state.DnsNamesNotListed, state.ViolationsNotListed, state.DestinationNamesNotListed, state.FindingsNotRemembered),
            state.OutsideFlows,
            job.Containers.Count == 0 ? null : job.Containers.Select(c => new ReportContainer(c.Id, c.Name, c.Image, c.CreatedAt, c.StartedAt,
                c.ExitedAt, c.Running, c.ProcessesJoined)).ToList());
    }
}
