using BuildSentry.Core.Alerts;
using BuildSentry.Core.Network;
using BuildSentry.Core.Processes;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Monitoring;

/// <summary>
/// Egress that no job owns: a process outside every job (a service, a helper a job had a service start, a job's leftover
/// after it ended) or a flow whose process could not be found. What the host profile allows is the host's own; on an
/// exclusive host with one job running the rest is that job's; otherwise it is an unattributed-egress alert, at most
/// <see cref="MonitorOptions.UnattributedAlertsPerMinute"/> a minute for the whole host, the rest counted.
/// </summary>
public sealed partial class JobMonitor
{
    private readonly HashSet<string> _unattributedFindings = new(StringComparer.Ordinal);
    private AlertLimiter? _unattributedLimiter;
    private long _unattributedAlerts;
    private bool _jobsOverlapped;

    private AlertLimiter UnattributedLimiter =>
        _unattributedLimiter ??= new AlertLimiter(_options.UnattributedAlertsPerMinute, _options.AlertsPerDestinationPerMinute, 0);

    private ResolvedProfile? HostProfile => _profiles.Find(_options.HostProfile);

    /// <summary>The job an exclusive host's outside egress is judged by: the only one running, if the host counts as
    /// exclusive now (<see cref="HostExclusivity"/>).</summary>
    private JobState? ExclusiveJob()
    {
        if (_options.Exclusive == HostExclusivity.False || _states.Count != 1 || (_options.Exclusive == HostExclusivity.Auto && _jobsOverlapped))
        {
            return null;
        }

        return _states.Values.First();
    }

    private void NoteJobsRunning() => _jobsOverlapped |= _states.Count > 1;

    private void OnOutsideConnection(DateTimeOffset time, FlowKey flow, FlowAttribution attribution, ProcessRecord? process)
    {
        if (IsDaemon(attribution))
        {
            return;
        }

        var names = Names.NamesFor(attribution.NetworkNamespace, flow.Destination, time);
        var host = HostProfile?.EvaluateConnection(names, flow.Destination, flow.DestinationPort, flow.Protocol);
        if (host is { Allowed: true })
        {
            Counters.HostAllowedFlows++;
            return;
        }

        if (ExclusiveJob() is { } state)
        {
            JudgedAsTheJobs(state);
            var (destination, _) = NamedDestination(state, DestinationKey(flow), flow, attribution, time, process);
            var verdict = ConnectionVerdict(state, flow, names);
            Judge(state, process, destination, verdict, AlertKinds.EgressConnection, "Egress by a process outside the job, on an exclusive host",
                flow, names, null, time);
            KillOutsider(state, process, verdict);
            return;
        }

        Unattributed(time, flow, names, attribution, process, host?.Reason ?? $"no host profile '{_options.HostProfile}' is loaded");
    }

    /// <summary>A DNS query outside every job: the exclusive host's job answers for it unless the host profile allows
    /// the name. On a shared host it is not alerted: a local caching resolver asks upstream for the jobs' own names.</summary>
    private JobState? OutsideQueryJob(DnsQueryObserved query)
    {
        if (IsDaemon(query.Attribution) || ExclusiveJob() is not { } state)
        {
            return null;
        }

        if (HostProfile?.EvaluateDnsQuery(query.Name) is { Allowed: true })
        {
            Counters.HostAllowedFlows++;
            return null;
        }

        JudgedAsTheJobs(state);
        return state;
    }

    private void JudgedAsTheJobs(JobState state)
    {
        Counters.OutsideFlowsJudged++;
        state.OutsideFlows++;
    }

    /// <summary>Kill mode on an exclusive host: the job dies for its outside helper's violation, and so does the helper.</summary>
    private void KillOutsider(JobState state, ProcessRecord? process, EgressVerdict verdict)
    {
        if (!verdict.Allowed && Kills(state.Mode) && process is { IsAlive: true } && process.JobId != state.Job.Id
            && _enforcer.KillProcess(process.Key))
        {
            Counters.OutsideProcessesKilled++;
        }
    }

    private bool IsDaemon(FlowAttribution attribution) =>
        _options.DaemonProcessId != 0 && attribution.Owner?.Pid == _options.DaemonProcessId;

    private void Unattributed(DateTimeOffset time, FlowKey flow, IReadOnlyList<string> names, FlowAttribution attribution, ProcessRecord? process,
        string hostReason)
    {
        Counters.UnattributedEgress++;
        var program = process is null ? attribution.OwnerExe ?? "" : process.Details.Exe.Length > 0 ? process.Details.Exe : process.Details.Comm;
        if (_unattributedFindings.Contains($"{program}|{DestinationKey(flow)}"))
        {
            Counters.UnattributedEgressRepeats++;
            return;
        }

        if (_unattributedFindings.Count < _options.MaxFindingsPerJob)
        {
            _unattributedFindings.Add($"{program}|{DestinationKey(flow)}");
        }

        var destination = new AlertDestination(flow.Destination.ToString(), flow.DestinationPort, ProtocolName(flow.Protocol), names, null);
        if (!UnattributedLimiter.Admit(AlertKinds.EgressUnattributed, null, Grouping(null, destination, "").Destination, mustAlert: false, time))
        {
            Counters.UnattributedEgressDropped++;
            return;
        }

        var owner = process is null
            ? $"its process is not named: {attribution.Failure ?? "no process was found for its socket"}"
            : process.JobId is { } ended ? $"pid {process.Key.Pid} belonged to job {ended}, which has ended" : $"pid {process.Key.Pid} is in no job";
        Counters.UnattributedEgressAlerted++;
        Counters.Alerts++;
        _alerts.Publish(new Alert($"host-{time.ToUnixTimeMilliseconds()}-{++_unattributedAlerts}", time, AlertKinds.EgressUnattributed,
            "Unattributed egress: no job owns this flow", AlertSeverity.High, AlertAction.Alerted)
        {
            Process = process is not null ? DescribeOutside(process)
                : attribution.Owner is { } pid ? new AlertProcess(pid.Pid, attribution.OwnerExe ?? "", [], "", -1, []) : null,
            Destination = destination,
            Profile = HostProfile?.Name,
            Reason = $"no job owns the flow ({owner}), and {hostReason}",
        });
    }

    private AlertProcess DescribeOutside(ProcessRecord process)
    {
        var chain = Tracker.Processes.Ancestors(process).Select(a => new AlertAncestor(a.Key.Pid, a.Details.Exe)).ToList();
        var d = process.Details;
        return new AlertProcess(process.Key.Pid, d.Exe.Length > 0 ? d.Exe : d.Comm, d.Argv, d.Cwd, d.Uid, chain);
    }
}
