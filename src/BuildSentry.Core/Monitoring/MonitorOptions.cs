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

    public int MaxReportedViolations { get; init; } = 500;

    /// <summary>
    /// How long an ended job still takes network findings before its report is written. Process and network
    /// events come from different threads: a job's last DNS query can reach the monitor just after the exit of
    /// its last process. Zero writes the report at once (replay, where the order is the recorded one).
    /// </summary>
    public TimeSpan LateFlowGrace { get; init; } = TimeSpan.Zero;
}
