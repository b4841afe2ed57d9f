namespace BuildSentry.Core.Monitoring;

/// <summary>What `buildsentry status` shows: totals since the daemon started.</summary>
public sealed class MonitorCounters
{
    public long Events { get; internal set; }
    public long Allowed { get; internal set; }
    public long Denied { get; internal set; }
    public long Alerts { get; internal set; }

    /// <summary>Job violations: alerted one by one, repeats of an alerted finding, or aggregated into summary alerts.</summary>
    public long Violations { get; internal set; }
    public long ViolationsAlerted { get; internal set; }
    public long ViolationRepeats { get; internal set; }
    public long ViolationsAggregated { get; internal set; }
    public long SummaryAlerts { get; internal set; }

    /// <summary>Jobs that reached a bound of their report or state, and the entries those bounds kept out (counted, not kept).</summary>
    public long JobsAtLimits { get; internal set; }
    public long EntriesNotKept { get; internal set; }
    public long Kills { get; internal set; }

    /// <summary>Kills whose processes were not all gone within the enforcer's wait (or whose signal failed).</summary>
    public long KillsIncomplete { get; internal set; }

    /// <summary>Kills made for a finding still waiting for its socket's owner (the kernel named the job; see JobMonitor.KillAhead).</summary>
    public long KillsAheadOfOwner { get; internal set; }
    public long JobsStarted { get; internal set; }
    public long JobsEnded { get; internal set; }
    public long UnattributedFlows { get; internal set; }

    /// <summary>Flows outside every job that the host profile allowed.</summary>
    public long HostAllowedFlows { get; internal set; }

    /// <summary>Flows and DNS queries outside every job judged by the one job of an exclusive host.</summary>
    public long OutsideFlowsJudged { get; internal set; }

    /// <summary>Outbound flows outside every job that the host profile does not allow: alerted, repeats of an alerted
    /// one (same program and destination), and those the rate bound dropped.</summary>
    public long UnattributedEgress { get; internal set; }
    public long UnattributedEgressAlerted { get; internal set; }
    public long UnattributedEgressRepeats { get; internal set; }
    public long UnattributedEgressDropped { get; internal set; }

    /// <summary>Processes outside every job killed for their egress on an exclusive host.</summary>
    public long OutsideProcessesKilled { get; internal set; }

    /// <summary>Flows judged for the job the kernel matched their socket's cgroup to, with no process named.</summary>
    public long KernelAttributedFlows { get; internal set; }
    public long ProcessEventsLost { get; internal set; }
    public long PacketsDropped { get; internal set; }
}
