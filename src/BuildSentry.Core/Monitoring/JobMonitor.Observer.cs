using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Processes;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Monitoring;

public sealed partial class JobMonitor
{
    /// <summary>Beyond the enforcer's own wait for exit (half a second), so its outcome is in the report.</summary>
    private static readonly TimeSpan KillOutcomeWait = TimeSpan.FromSeconds(2);

    void ITrackerObserver.JobStarted(JobRecord job)
    {
        Counters.JobsStarted++;
        var selection = _profiles.Select(Describe(job.Metadata));
        var mode = selection.Profile?.Mode ?? _defaultMode;
        _states[job.Id] = new JobState(job, selection.Profile, selection.Reason, mode)
        {
            Limiter = new AlertLimiter(_options.AlertsPerJobPerMinute, _options.AlertsPerDestinationPerMinute, _options.SummaryNames),
        };
        NoteJobsRunning();
    }

    void ITrackerObserver.JobEnded(JobRecord job)
    {
        Counters.JobsEnded++;
        if (!_states.Remove(job.Id, out var state))
        {
            return;
        }

        if (_options.LateFlowGrace <= TimeSpan.Zero)
        {
            Finish(state);
        }
        else
        {
            var due = (job.EndedAt ?? _lastEventTime) + _options.LateFlowGrace;
            _ending[job.Id] = (state, due);
            _nextEndingDue = due < _nextEndingDue ? due : _nextEndingDue;
        }
    }

    /// <summary>Writes the reports of ended jobs whose grace for late findings is over at <paramref name="now"/>
    /// (all of them with <see cref="DateTimeOffset.MaxValue"/>, when the daemon stops).</summary>
    public void CompleteEndedJobs(DateTimeOffset now)
    {
        // Called for every event while a job is ending: nothing to do (and nothing allocated) until the first is due.
        if (_ending.Count == 0 || now < _nextEndingDue)
        {
            return;
        }

        _nextEndingDue = DateTimeOffset.MaxValue;
        foreach (var (id, (state, grace)) in _ending.ToList())
        {
            // A kill still waiting for its processes holds the report for its outcome, a bounded while.
            var due = state.Job.KillExitPending ? grace + KillOutcomeWait : grace;
            if (due <= now)
            {
                _ending.Remove(id);
                Finish(state);
            }
            else if (due < _nextEndingDue)
            {
                _nextEndingDue = due;
            }
        }
    }

    private void Finish(JobState state)
    {
        JudgeUnnamed(state, DateTimeOffset.MaxValue);
        ContainersLeftRunning(state);
        SendSummary(state, _lastEventTime);
        _reports.JobEnded(state);
    }

    void ITrackerObserver.ProcessStarted(ProcessRecord process, JobRecord? job, bool exec)
    {
        if (job is null || !_states.TryGetValue(job.Id, out var state))
        {
            return;
        }

        if (!exec && process.Key != job.Root)
        {
            return;
        }

        RecordProcess(state, process);
        if (exec && process.Details.ProgramUnread)
        {
            // Read too late: at most the process name (comm) is left to check against the denied processes.
            state.ExecsUnread++;
        }

        if (!exec || state.Profile is null)
        {
            return;
        }

        var verdict = state.Profile.EvaluateProcess(process.Details.Exe, process.Details.Comm, process.Details.OtherPath);
        if (!verdict.Allowed)
        {
            Violation(state, process, AlertKinds.ProcessDenied, "Denied process started in a job", null,
                verdict.Rule?.ToString(), verdict.Reason, process.Details.Exe, process.StartedAt, ProfileEdit.ForProcess(verdict.Rule));
        }
    }

    void ITrackerObserver.ProcessExited(ProcessRecord process, JobRecord? job)
    {
        if (job is not null && _states.TryGetValue(job.Id, out var state) && state.OpenProcesses.Remove(process.Key.Pid, out var entry))
        {
            entry.Exited = process.ExitedAt;
            entry.ExitCode = process.ExitCode;
        }
    }

    void ITrackerObserver.SensorLost(SensorLoss loss)
    {
        var capture = loss.Sensor == "pcap";
        if (capture)
        {
            Counters.PacketsDropped += loss.Lost;
        }
        else
        {
            Counters.ProcessEventsLost += loss.Lost;
        }

        foreach (var state in _states.Values)
        {
            if (capture)
            {
                state.PacketsDropped += loss.Lost;
            }
            else
            {
                state.ProcessEventsLost += loss.Lost;
            }
        }

        RaiseDaemonAlert(loss.Time, capture ? AlertKinds.CaptureDrops : AlertKinds.SensorLoss,
            capture ? "Packet capture dropped packets" : "Process sensor lost events",
            AlertSeverity.Warning, $"{loss.Sensor} lost {loss.Lost} ({loss.Reason}); jobs active: {_states.Count}");
    }

    void ITrackerObserver.Refused(SensorEvent request, string reason) =>
        RaiseDaemonAlert(request.Time, AlertKinds.ControlRefused, "Job registration refused", AlertSeverity.High, reason,
            AlertAction.Refused);

    private void RecordProcess(JobState state, ProcessRecord process)
    {
        if (state.Processes.Count >= _options.MaxReportedProcesses)
        {
            state.ProcessesNotListed++;
            NotKept(state, $"processes listed ({_options.MaxReportedProcesses})");
            return;
        }

        // An exec ends the entry of the image it replaces, so each pid has one open entry at a time.
        var now = process.Details == Events.ProcessDetails.Unknown ? process.StartedAt : _lastEventTime;
        if (state.OpenProcesses.Remove(process.Key.Pid, out var replaced))
        {
            replaced.Exited = now;
        }

        var argv = process.Details.Argv.Count > 16 ? process.Details.Argv.Take(16).Append("...").ToArray() : process.Details.Argv;
        var entry = new ProcessEntry(process.Key.Pid, process.Parent.Pid, process.Details.Exe, argv, process.HasExecuted ? now : process.StartedAt);
        state.Processes.Add(entry);
        state.OpenProcesses[process.Key.Pid] = entry;
    }

    private static JobDescriptor Describe(JobMetadata metadata) => new(
        Enum.TryParse<CiSystem>(metadata.CiSystem, ignoreCase: true, out var ci) ? ci : null,
        metadata.Repository, metadata.Workflow, metadata.JobName, metadata.RunnerName);
}
