using BuildSentry.Core.Jobs;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Processes;

namespace BuildSentry.Configuration;

/// <summary>The monitor's options as the configuration sets them.</summary>
public static class MonitorSettings
{
    /// <summary>How long an ended job still takes network findings: the capture thread can trail the process sensor.</summary>
    public static readonly TimeSpan LateFlowGrace = TimeSpan.FromMilliseconds(500);

    public static MonitorOptions From(DaemonConfiguration configuration)
    {
        var limits = configuration.Limits;
        return new MonitorOptions
        {
            DefaultMode = configuration.DefaultMode,
            HostName = configuration.HostName,
            LateFlowGrace = LateFlowGrace,
            Tracker = new JobTrackerOptions { Processes = new ProcessTableOptions { MaxExited = limits.MaxExitedProcesses } },
            Names = new NameCacheOptions { MaxAddresses = limits.MaxNameCacheAddresses, MaxNamesPerAddress = limits.MaxNamesPerAddress,
                HostNamespace = BuildSentry.Linux.Attribution.FlowOwnerResolvers.HostNamespace() },
            MaxReportedProcesses = limits.MaxReportProcesses,
            MaxReportedDestinations = limits.MaxReportDestinations,
            MaxReportedDnsNames = limits.MaxReportDnsNames,
            MaxReportedViolations = limits.MaxReportViolations,
            MaxNamesPerDestination = limits.MaxNamesPerDestination,
            MaxFindingsPerJob = limits.MaxFindingsPerJob,
            AlertsPerJobPerMinute = limits.AlertsPerJobPerMinute,
            AlertsPerDestinationPerMinute = limits.AlertsPerDestinationPerMinute,
            SummaryNames = limits.SummaryNames,
            UnattributedAlertsPerMinute = limits.UnattributedAlertsPerMinute,
            HostProfile = configuration.Host.Profile,
            Exclusive = Enum.Parse<HostExclusivity>(configuration.Host.Exclusive, ignoreCase: true),
            DaemonProcessId = Environment.ProcessId,
        };
    }
}
