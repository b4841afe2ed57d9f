using System.Globalization;
using System.Net;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Processes;

namespace BuildSentry.Core.Monitoring;

/// <summary>
/// The bounds a hostile job meets: how many of its violations reach the SOC one by one (the rest are counted into
/// summary alerts) and how much the monitor keeps about it (the rest is counted in its report, and alerted once).
/// </summary>
public sealed partial class JobMonitor
{
    /// <summary>Sends the summary of every job whose aggregation window ended by <paramref name="now"/>; the monitor
    /// calls it for every event, the daemon also on its housekeeping tick, so a flood that stops is summarised too.</summary>
    public void SendDueSummaries(DateTimeOffset now)
    {
        if (now < _nextSummaryDue)
        {
            return;
        }

        _nextSummaryDue = DateTimeOffset.MaxValue;
        foreach (var state in _states.Values.Concat(_ending.Values.Select(e => e.State)))
        {
            var due = state.Limiter.SummaryDue;
            if (due <= now)
            {
                SendSummary(state, now);
            }
            else if (due < _nextSummaryDue)
            {
                _nextSummaryDue = due;
            }
        }
    }

    private void SendSummary(JobState state, DateTimeOffset time)
    {
        var id = state.Limiter.NextSummaryId(state.Job.Id);
        if (state.Limiter.TakeSummary() is not { } summary)
        {
            return;
        }

        var byKind = string.Join(", ", summary.ByKind.Select(k => $"{k.Kind} {k.Count}"));
        var names = string.Join(", ", summary.Names) + (summary.NamesNotListed > 0 ? $" and {summary.NamesNotListed} more" : "");
        state.SummaryAlerts++;
        Counters.SummaryAlerts++;
        Counters.Alerts++;
        _alerts.Publish(new Alert(id, time, AlertKinds.AlertsAggregated, "Violations aggregated: too many to alert one by one",
            AlertSeverity.High, AlertAction.Alerted)
        {
            Job = Describe(state.Job),
            Profile = state.Profile?.Name,
            Aggregate = summary,
            Reason = string.Create(CultureInfo.InvariantCulture,
                $"{summary.Violations} violation(s) since {summary.Since:O} not alerted one by one (at most {_options.AlertsPerJobPerMinute} alerts per job and {_options.AlertsPerDestinationPerMinute} per destination a minute): {byKind}; names: {names}"),
        });
    }

    /// <summary>Whether a new finding is alerted; the window's time is the event's, so a replay limits the same way.</summary>
    private bool Admit(JobState state, string kind, string? rule, string destination, bool mustAlert) =>
        state.Limiter.Admit(kind, rule, destination, mustAlert, _lastEventTime);

    private void Aggregate(JobState state, string kind, string name)
    {
        state.Limiter.Aggregate(kind, name);
        state.ViolationsAggregated++;
        Counters.ViolationsAggregated++;
        if (state.Limiter.SummaryDue < _nextSummaryDue)
        {
            _nextSummaryDue = state.Limiter.SummaryDue;
        }
    }

    /// <summary>
    /// Where a finding goes, for the per-destination limit, and the name a summary lists it by. A name counts by its
    /// last two labels, so a flood of random names under one domain is one destination; an address without a name
    /// by itself; a process finding by its key (the program).
    /// </summary>
    private static (string Destination, string Name) Grouping(ProcessRecord? process, AlertDestination? destination, string findingKey)
    {
        if (destination is null)
        {
            return (findingKey, process is null ? findingKey : process.Details.Exe.Length > 0 ? process.Details.Exe : findingKey);
        }

        var name = destination.ServerName ?? (destination.Names.Count > 0 ? destination.Names[0] : null);
        return name is null ? (destination.Address, $"{destination.Address}:{destination.Port}") : (Domain(name), name);
    }

    private static string Domain(string name)
    {
        var trimmed = name.TrimEnd('.');
        if (IPAddress.TryParse(trimmed, out _))
        {
            return trimmed;
        }

        var last = trimmed.LastIndexOf('.');
        var second = last <= 0 ? -1 : trimmed.LastIndexOf('.', last - 1);
        return (second < 0 ? trimmed : trimmed[(second + 1)..]).ToLowerInvariant();
    }

    /// <summary>False for a finding the job already had; a new one is remembered while the job's set has room.</summary>
    private bool RememberFinding(JobState state, string key)
    {
        if (state.Findings.Contains(key))
        {
            return false;
        }

        if (state.Findings.Count < _options.MaxFindingsPerJob)
        {
            state.Findings.Add(key);
        }
        else
        {
            state.FindingsNotRemembered++;
            NotKept(state, $"distinct findings remembered ({_options.MaxFindingsPerJob})");
        }

        return true;
    }

    private void ListViolation(JobState state, ViolationRecord record)
    {
        if (state.Violations.Count < _options.MaxReportedViolations)
        {
            state.Violations.Add(record);
        }
        else
        {
            state.ViolationsNotListed++;
            NotKept(state, $"violations listed ({_options.MaxReportedViolations})");
        }
    }

    /// <summary>An entry a bound kept out (the caller counts it by kind); the job's first is alerted, once per job.</summary>
    private void NotKept(JobState state, string bound)
    {
        Counters.EntriesNotKept++;
        if (state.LimitsReached)
        {
            return;
        }

        state.LimitsReached = true;
        Counters.JobsAtLimits++;
        Counters.Alerts++;
        _alerts.Publish(new Alert(state.NextAlertId(), _lastEventTime, AlertKinds.JobLimitsReached,
            "Job reached a limit: its report is truncated", AlertSeverity.Warning, AlertAction.Alerted)
        {
            Job = Describe(state.Job),
            Profile = state.Profile?.Name,
            Reason = $"first limit reached: {bound}; from now on what does not fit is counted in the job's report, not kept, and no further limit of this job is alerted",
        });
    }
}
