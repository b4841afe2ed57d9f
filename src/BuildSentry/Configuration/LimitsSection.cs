namespace BuildSentry.Configuration;

/// <summary>
/// What one job can make the daemon do and keep: a job controls its own behaviour and can aim it at the monitor.
/// Beyond each bound the daemon counts rather than keeps (the counts are in the job's report and `status`, and
/// the first bound a job reaches is alerted). A value out of range fails on its own line and column.
/// </summary>
public sealed class LimitsSection
{
    public int AlertsPerJobPerMinute { get; set => field = AtLeast(value, 1, "alerts_per_job_per_minute"); } = 20;

    public int AlertsPerDestinationPerMinute { get; set => field = AtLeast(value, 1, "alerts_per_destination_per_minute"); } = 3;

    /// <summary>Unattributed-egress alerts per minute for the whole host (egress that no job owns).</summary>
    public int UnattributedAlertsPerMinute { get; set => field = AtLeast(value, 1, "unattributed_alerts_per_minute"); } = 20;

    public int SummaryNames { get; set => field = AtLeast(value, 0, "summary_names"); } = 20;

    public int MaxFindingsPerJob { get; set => field = AtLeast(value, 1, "max_findings_per_job"); } = 4_096;

    public int MaxReportProcesses { get; set => field = AtLeast(value, 0, "max_report_processes"); } = 2_000;

    public int MaxReportDestinations { get; set => field = AtLeast(value, 0, "max_report_destinations"); } = 1_000;

    public int MaxReportDnsNames { get; set => field = AtLeast(value, 0, "max_report_dns_names"); } = 1_000;

    public int MaxReportViolations { get; set => field = AtLeast(value, 0, "max_report_violations"); } = 500;

    public int MaxNamesPerDestination { get; set => field = AtLeast(value, 1, "max_names_per_destination"); } = 64;

    public int MaxNameCacheAddresses { get; set => field = AtLeast(value, 1, "max_name_cache_addresses"); } = 65_536;

    public int MaxNamesPerAddress { get; set => field = AtLeast(value, 1, "max_names_per_address"); } = 16;

    public int MaxExitedProcesses { get; set => field = AtLeast(value, 0, "max_exited_processes"); } = 16_384;

    // Thrown from the setter, the deserializer reports it at the key's line and column.
    private static int AtLeast(int value, int minimum, string key) =>
        value >= minimum ? value : throw new InvalidDataException($"limits.{key} must be at least {minimum}, not {value}");
}
