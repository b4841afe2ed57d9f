using BuildSentry.Core.Jobs;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Monitoring;

public sealed class MonitorOptions
{
    /// <summary>Applies to jobs whose profile does not set a mode.</summary>
    public ProfileMode DefaultMode { get; init; } = ProfileMode.Audit;

    /// <summary>The host name put in alerts (the runner host).</summary>
    public string HostName { get; init; } = Environment.MachineName;

    public JobTrackerOptions Tracker { get; init; } = new();

    public NameCacheOptions Names { get; init; } = new();

    /// <summary>Report bounds per job: beyond them entries are counted, not kept.</summary>
    public int MaxReportedProcesses { get; init; } = 2_000;

    public int MaxReportedDestinations { get; init; } = 1_000;

    public int MaxReportedDnsNames { get; init; } = 1_000;

    public int MaxReportedViolations { get; init; } = 500;

    /// <summary>Names (DNS names, TLS server names, HTTP Hosts) kept per destination: a wildcard domain can give
    /// one address a new name per query.</summary>
    public int MaxNamesPerDestination { get; init; } = 64;

    /// <summary>
    /// Distinct findings remembered per job, so a repeat is counted rather than alerted again. Beyond it a
    /// repeat of a finding not remembered counts as a new one (and meets the alert limits, not the SOC).
    /// </summary>
    public int MaxFindingsPerJob { get; init; } = 4_096;

    /// <summary>Violations alerted one by one per job and minute of event time; the rest go into a summary alert.
    /// The first violation of each kind and rule in a job is alerted whatever the count.</summary>
    public int AlertsPerJobPerMinute { get; init; } = 20;

    /// <summary>Of those, per destination (a name's last two labels, an address, a program) and kind.</summary>
    public int AlertsPerDestinationPerMinute { get; init; } = 3;

    /// <summary>Distinct names a summary alert lists; the rest are counted.</summary>
    public int SummaryNames { get; init; } = 20;

    /// <summary>The profile whose egress rules allow what processes outside every job may reach (the runner's own
    /// endpoints, NTP, the package mirrors); its other keys are not used.</summary>
    public string HostProfile { get; init; } = "host";

    public HostExclusivity Exclusive { get; init; } = HostExclusivity.False;

    /// <summary>Unattributed-egress alerts per minute of event time, for the whole host; the rest are counted.</summary>
    public int UnattributedAlertsPerMinute { get; init; } = 20;

    /// <summary>The daemon's own process: its alert deliveries and DNS forwarding are nobody's egress.</summary>
    public int DaemonProcessId { get; init; }

    /// <summary>
    /// How long an ended job still takes network findings before its report is written. Process and network
    /// events come from different threads: a job's last DNS query can reach the monitor just after the exit of
    /// its last process. Zero writes the report at once (replay, where the order is the recorded one).
    /// </summary>
    public TimeSpan LateFlowGrace { get; init; } = TimeSpan.Zero;
}
