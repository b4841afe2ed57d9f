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

    /// <summary>The finding that killed the job while it waited for its owner (JobMonitor.KillAhead), until its alert is raised.</summary>
    internal Events.SensorEvent? KilledAheadFor { get; set; }

    public Dictionary<string, DestinationRecord> Destinations { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DnsNameRecord> DnsNames { get; } = new(StringComparer.Ordinal);

    public List<ViolationRecord> Violations { get; } = [];

    public List<ProcessEntry> Processes { get; } = [];

    /// <summary>The entry of each live process's current image, by pid.</summary>
    internal Dictionary<int, ProcessEntry> OpenProcesses { get; } = [];

    /// <summary>Entries that did not fit the report bounds, by kind.</summary>
    public long ProcessesNotListed { get; internal set; }

    public long DestinationsNotListed { get; internal set; }

    public long ViolationsNotListed { get; internal set; }

    public long ViolationCount { get; internal set; }

    /// <summary>Sensor health while the job ran: events the process sensor lost, packets capture dropped.</summary>
    public long ProcessEventsLost { get; internal set; }

    public long PacketsDropped { get; internal set; }

    /// <summary>Execs of the job's processes whose program could not be read (the process had exited first).</summary>
    public long ExecsUnread { get; internal set; }

    internal string NextAlertId() => $"{Job.Id}-{Interlocked.Increment(ref _alertSequence)}";
}
