using BuildSentry.Core.Alerts;
using BuildSentry.Core.Enforcement;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Monitoring;

/// <summary>
/// The monitor: one loop's worth of state, fed events in order. It keeps the jobs, names the
/// destinations, asks each job's profile for a verdict and, on a violation, asks for the actions
/// (alert, kill). It never touches the OS itself, so a recorded trace replays to the same decisions.
/// </summary>
public sealed partial class JobMonitor : ITrackerObserver
{
    private readonly MonitorOptions _options;
    private readonly IEnforcer _enforcer;
    private readonly IAlertSink _alerts;
    private readonly IJobReportSink _reports;
    private readonly Dictionary<string, JobState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (JobState State, DateTimeOffset Due)> _ending = new(StringComparer.Ordinal);
    private DateTimeOffset _nextEndingDue = DateTimeOffset.MaxValue;
    private DateTimeOffset _nextSummaryDue = DateTimeOffset.MaxValue;
    private ProfileSet _profiles;
    private ProfileMode _defaultMode;
    private long _daemonAlerts;
    private DateTimeOffset _lastEventTime;

    // The event Apply is judging: a violation it raises may be the one that killed its job ahead (KillAhead).
    private SensorEvent? _applying;

    public JobMonitor(ProfileSet profiles, MonitorOptions options, IEnforcer enforcer, IAlertSink alerts, IJobPlacement placement, IJobReportSink reports)
    {
        _profiles = profiles;
        _defaultMode = options.DefaultMode;
        _options = options;
        _enforcer = enforcer;
        _alerts = alerts;
        _reports = reports;
        Tracker = new JobTracker(this, placement, options.Tracker);
        Names = new NameCache(options.Names);
    }

    public JobTracker Tracker { get; }

    public NameCache Names { get; }

    public MonitorCounters Counters { get; } = new();

    public ProfileSet Profiles => _profiles;

    public IReadOnlyCollection<JobState> ActiveJobs => _states.Values;

    public bool TryGetState(string jobId, out JobState state) => _states.TryGetValue(jobId, out state!);

    /// <summary>An active job's state, or that of a job that ended and whose report waits for late findings.</summary>
    public bool TryGetStateOrEnding(string jobId, out JobState state)
    {
        if (_states.TryGetValue(jobId, out state!))
        {
            return true;
        }

        var found = _ending.TryGetValue(jobId, out var ending);
        state = ending.State;
        return found;
    }

    /// <summary>New jobs get the new set and default mode; running jobs keep the profile and mode they started with.</summary>
    public void ReplaceProfiles(ProfileSet profiles, ProfileMode defaultMode)
    {
        _profiles = profiles;
        _defaultMode = defaultMode;
    }

    public void Apply(SensorEvent e)
    {
        Counters.Events++;
        _lastEventTime = e.Time;
        _applying = e;
        CompleteEndedJobs(e.Time);
        SendDueSummaries(e.Time);

        Tracker.Apply(e);
        switch (e)
        {
            case ConnectionAttempted c: OnConnection(c.Time, c.Flow, c.Attribution); break;
            case UdpFlowStarted u: OnConnection(u.Time, u.Flow, u.Attribution); break;
            case ConnectionPrevented p: OnPrevented(p); break;
            case DnsQueryObserved q: OnDnsQuery(q); break;
            case DnsAnswerObserved a: OnDnsAnswer(a); break;
            case TlsServerNameObserved s: OnServerName(s.Time, s.Flow, s.Attribution, s.ServerName, AlertKinds.EgressTlsServerName); break;
            case HttpHostObserved h: OnServerName(h.Time, h.Flow, h.Attribution, h.Host, AlertKinds.EgressHttpHost); break;
            case RunnerDiagnosticsContacted d: OnRunnerDiagnostics(d); break;
            case JobKillCompleted k: OnKillCompleted(k); break;
        }
    }

    /// <summary>A finding outside any job (daemon lifecycle, refused control calls): alerted, never acted on.</summary>
    public void RaiseDaemonAlert(DateTimeOffset time, string kind, string title, AlertSeverity severity, string reason,
        AlertAction action = AlertAction.Alerted)
    {
        Counters.Alerts++;
        _alerts.Publish(new Alert($"daemon-{time.ToUnixTimeMilliseconds()}-{++_daemonAlerts}", time, kind, title, severity, action)
        {
            Reason = reason,
        });
    }
}
