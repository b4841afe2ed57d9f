using BuildSentry.Core.Jobs;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Monitoring;

/// <summary>Everything the monitor learns about one job: its profile and what it did, for alerts and the report.</summary>
public sealed class JobState(JobRecord job, ResolvedProfile? profile, string profileReason, ProfileMode mode)
{
    private int _alertSequence;

    public JobRecord Job { get; } = job;

    public ResolvedProfile? Profile { get; } = profile;

    public string ProfileReason { get; } = profileReason;

    public ProfileMode Mode { get; } = mode;

    /// <summary>Connections the kernel and the capture both report, matched so each is judged once.</summary>
    internal ConnectionSightings Sightings { get; } = new();

    /// <summary>Audit mode: the kernel's denied, unnamed sightings waiting for the capture's, which may name them.</summary>
    internal UnnamedSightings Unnamed { get; } = new();

    /// <summary>The finding that killed the job while it waited for its owner (JobMonitor.KillAhead), until its alert is raised.</summary>
    internal Events.SensorEvent? KilledAheadFor { get; set; }

    internal AlertLimiter Limiter { get; init; } = null!;

    /// <summary>The job's distinct findings (bounded, <see cref="MonitorOptions.MaxFindingsPerJob"/>): a repeat is counted, not alerted.</summary>
    internal HashSet<string> Findings { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DestinationRecord> Destinations { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DnsNameRecord> DnsNames { get; } = new(StringComparer.Ordinal);

    public List<ViolationRecord> Violations { get; } = [];

    public List<ProcessEntry> Processes { get; } = [];

    /// <summary>The entry of each live process's current image, by pid.</summary>
    internal Dictionary<int, ProcessEntry> OpenProcesses { get; } = [];

    /// <summary>Entries that did not fit the report bounds, by kind.</summary>
    public long ProcessesNotListed { get; internal set; }

    public long DestinationsNotListed { get; internal set; }

    public long DnsNamesNotListed { get; internal set; }

    public long ViolationsNotListed { get; internal set; }

    /// <summary>Names of listed destinations beyond <see cref="MonitorOptions.MaxNamesPerDestination"/>.</summary>
    public long DestinationNamesNotListed { get; internal set; }

    /// <summary>New findings the job's finding set had no room for.</summary>
    public long FindingsNotRemembered { get; internal set; }

    /// <summary>Whether the job has reached a bound; alerted once, at the first.</summary>
    public bool LimitsReached { get; internal set; }

    /// <summary>Every violation: <see cref="ViolationsAlerted"/> + <see cref="ViolationRepeats"/> + <see cref="ViolationsAggregated"/>.</summary>
    public long ViolationCount { get; internal set; }

    public long ViolationsAlerted { get; internal set; }

    /// <summary>A finding seen again (retransmits, retries): counted, alerted once.</summary>
    public long ViolationRepeats { get; internal set; }

    /// <summary>New findings beyond the alert limits, counted in summary alerts.</summary>
    public long ViolationsAggregated { get; internal set; }

    public long SummaryAlerts { get; internal set; }

    /// <summary>Sensor health while the job ran: events the process sensor lost, packets capture dropped.</summary>
    public long ProcessEventsLost { get; internal set; }

    public long PacketsDropped { get; internal set; }

    /// <summary>Flows and DNS queries of processes outside every job judged as this job's (an exclusive host).</summary>
    public long OutsideFlows { get; internal set; }

    /// <summary>Execs of the job's processes whose program could not be read (the process had exited first).</summary>
    public long ExecsUnread { get; internal set; }

    internal string NextAlertId() => $"{Job.Id}-{Interlocked.Increment(ref _alertSequence)}";
}
