using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Network;
using BuildSentry.Core.Processes;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Monitoring;

public sealed partial class JobMonitor
{
    /// <summary>
    /// A violation: in kill mode the job dies first (every millisecond lets more payload out), then the alert goes
    /// out. The same finding repeated (retransmits, retries) is counted but alerted once; new findings beyond the
    /// job's alert limits (<see cref="AlertLimiter"/>) are counted into a summary alert. The limits never delay a kill.
    /// </summary>
    private void Violation(JobState state, ProcessRecord? process, string kind, string title, AlertDestination? destination,
        string? rule, string reason, string findingKey, DateTimeOffset time, string? fix = null)
    {
        state.ViolationCount++;
        Counters.Violations++;
        if (!RememberFinding(state, $"{kind}|{process?.Key}|{findingKey}"))
        {
            state.ViolationRepeats++;
            Counters.ViolationRepeats++;
            return;
        }

        // Refused at the syscall (the kernel hook or the DNS forwarder): nothing left. In prevent mode the job goes on;
        // in kill mode it dies all the same.
        var refused = _applying is ConnectionPrevented or DnsQueryObserved { Prevented: true };
        var action = refused && state.Mode == ProfileMode.Prevent ? AlertAction.Prevented : AlertAction.Alerted;
        string? id = null;
        var killedAhead = state.KilledAheadFor is { } ahead && ReferenceEquals(ahead, _applying);
        if (action == AlertAction.Alerted && Kills(state.Mode) && !killedAhead && Killable(state.Job))
        {
            id = state.NextAlertId();
            Kill(state.Job, id, reason, time);
            action = AlertAction.Killed;
        }

        var claimsKill = action != AlertAction.Killed && killedAhead;
        var (destinationGroup, name) = Grouping(process, destination, findingKey);
        if (!Admit(state, kind, rule, destinationGroup, mustAlert: id is not null || claimsKill))
        {
            ListViolation(state, new ViolationRecord(state.Limiter.NextSummaryId(state.Job.Id), time, kind,
                AlertText.Clean($"{title}: {name} ({reason})"), "aggregated", fix));
            Aggregate(state, kind, name);
            return;
        }

        id ??= state.NextAlertId();
        if (claimsKill)
        {
            // The finding that killed the job ahead of its owner: its alert is the kill's.
            state.KilledAheadFor = null;
            state.Job.KilledBy = $"{id}: {reason}";
            action = AlertAction.Killed;
        }

        var alert = new Alert(id, time, kind, title, action == AlertAction.Killed ? AlertSeverity.Critical : AlertSeverity.High, action)
        {
            Job = Describe(state.Job),
            Process = process is null ? null : Describe(process, state.Job),
            Destination = destination,
            Profile = state.Profile?.Name,
            Rule = rule,
            Reason = process is null ? $"{reason}; {UnnamedOwner(state)}" : reason,
        };
        Counters.Alerts++;
        Counters.ViolationsAlerted++;
        state.ViolationsAlerted++;
        _alerts.Publish(alert);
        ListViolation(state, new ViolationRecord(id, time, kind, AlertText.Summary(alert), action.ToString().ToLowerInvariant(), fix));
    }

    /// <summary>Why a network finding judged for <paramref name="state"/> names no process.</summary>
    private string UnnamedOwner(JobState state) =>
        _applying is NetworkFinding { Attribution: var attribution } && attribution.KernelJob != state.Job.Id
            ? $"the process is not named ({attribution.Failure ?? "no process was found for its socket"}) and no job owns the flow: on this exclusive host it is the running job's"
            : _applying is NetworkFinding { Attribution: { KernelJob: null, NamespaceMember: { } member } inNamespace }
                ? $"the process is not named ({inNamespace.Failure ?? "no process was found for its socket"}); its socket is in the network namespace of the job's process {member.Pid}"
                : "the process is not named: its socket closed before it could be looked up, and the kernel matched the socket to the job's cgroup";

    /// <summary>
    /// Kill mode, for a network finding that waits for its socket's owner (<see cref="OwnerWaitQueue"/>, at the head of
    /// the queue, so every earlier finding has been judged): when the kernel named the socket's job and the finding is a
    /// denial, the job is killed now, not up to the owner wait later. The verdict needs nothing the owner brings
    /// (profiles allow destinations, not processes); the finding is judged and alerted, naming its process, when it
    /// leaves the queue, and that alert is the kill's. Returns whether it killed.
    /// </summary>
    public bool KillAhead(SensorEvent e)
    {
        if (e is not NetworkFinding { Attribution: { KernelJob: { } jobId } attribution } finding || !_states.TryGetValue(jobId, out var state)
            || !Kills(state.Mode) || !Killable(state.Job))
        {
            return false;
        }

        // A refusal in prevent mode let nothing out: it is alerted as prevented, never killed for. A UDP connect carried
        // nothing in any mode.
        if (e is ConnectionPrevented { UdpConnectOnly: true }
            || (state.Mode == ProfileMode.Prevent && e is ConnectionPrevented or DnsQueryObserved { Prevented: true }))
        {
            return false;
        }

        var verdict = e switch
        {
            DnsQueryObserved q => DnsVerdict(state, q.Name),
            ConnectionPrevented or ConnectionAttempted or UdpFlowStarted when e is ConnectionPrevented || IsJudgedConnection(finding.Flow) =>
                ConnectionVerdict(state, finding.Flow, Names.NamesFor(attribution.NetworkNamespace, finding.Flow.Destination, finding.Time)),
            TlsServerNameObserved t when !IPAddress.IsLoopback(t.Flow.Destination) => ServerNameVerdict(state, t.Flow, t.ServerName),
            HttpHostObserved h when !IPAddress.IsLoopback(h.Flow.Destination) => ServerNameVerdict(state, h.Flow, h.Host),
            _ => null,
        };
        if (verdict is not { Allowed: false })
        {
            return false;
        }

        Kill(state.Job, null, verdict.Reason, e.Time);
        state.KilledAheadFor = e;
        Counters.KillsAheadOfOwner++;
        return true;
    }

    /// <summary>Whether a violation that was not refused at the syscall kills the job: in kill mode, and in prevent
    /// mode (what the kernel lets through and the profile denies: a TLS server name or HTTP Host, or a job the kernel
    /// does not hold, where the eBPF sensor is unavailable).</summary>
    private static bool Kills(ProfileMode mode) => mode is ProfileMode.Kill or ProfileMode.Prevent;

    /// <summary>
    /// A job is killed once. One whose runner's process is spared lives on: a violation once its last kill is done (every process
    /// it signalled gone; until then the spared root is stopped and nothing new of the job runs) kills again.
    /// </summary>
    private static bool Killable(JobRecord job) => job.IsActive && (job.KilledAt is null || (job.Spared is not null && !job.KillExitPending));

    private void Kill(JobRecord job, string? alertId, string reason, DateTimeOffset time)
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
        job.Kills++;
        var result = _enforcer.Kill(job, members);
        job.KilledAt = result.SignalledAt ?? time;
        Counters.KillLatency.Record(job.KilledAt.Value - time);
        // Killed ahead of its finding's alert: named here until the alert (see KillAhead) claims it.
        job.KilledBy = alertId is null ? $"{reason} (killed before its alert: the socket's owner was not known yet)" : $"{alertId}: {reason}";
        job.KillExitPending = result.ExitPending;
        job.KillSparedRoot = result.RootSpared;
        Counters.KillsIncomplete += result.Succeeded ? 0 : 1;
        job.KillMethod = KillOutcome(result.Method, result.Signalled, result.Error) + (result.ExitPending ? ", waiting for them to exit" : "");
        Counters.Kills++;
    }

    private void OnKillCompleted(JobKillCompleted completed)
    {
        if (!Tracker.TryGetJob(completed.JobId, out var job) || !job.KillExitPending)
        {
            return;
        }

        job.KillExitPending = false;
        job.KillCompletedAt = completed.Time;
        var waited = job.KilledAt is { } at ? $", all gone {(completed.Time - at).TotalMilliseconds:0.##} ms after the signal" : "";
        job.KillMethod = KillOutcome(completed.Method, completed.Signalled, completed.Error) + (completed.Error is null ? waited : "");
        Counters.KillsIncomplete += completed.Error is null ? 0 : 1;
        if (_ending.TryGetValue(job.Id, out var ending) && ending.Due < _nextEndingDue)
        {
            // Its report waited for this outcome only: it is due at the end of its grace again.
            _nextEndingDue = ending.Due;
        }
    }

    private static string KillOutcome(string method, int signalled, string? error) =>
        error is null ? $"{method}, {signalled} signalled" : $"{method} failed: {error}";

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
        // A process killed or gone before the sensor read its exec has no exe; the capture thread read it when it
        // found the socket's owner (a job killed ahead of its finding's alert, see KillAhead).
        var exe = d.Exe.Length == 0 && _applying is NetworkFinding { Attribution: { Owner: { } owner, OwnerExe: { Length: > 0 } seen } }
                  && owner.Pid == process.Key.Pid
            ? seen
            : d.Exe;
        return new AlertProcess(process.Key.Pid, exe, d.Argv, d.Cwd, d.Uid, chain);
    }
}
