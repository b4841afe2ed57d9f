namespace BuildSentry.Core.Reports;

/// <summary>What a job did, written when it ends: for the platform engineer who reads one job.</summary>
/// <param name="OutsideFlows">Connections and DNS queries of processes outside every job that an exclusive host judged
/// as this job's (they are among its destinations and DNS names, their first process marked outside the job).</param>
public sealed record JobReport(
    string JobId,
    string CiSystem,
    IReadOnlyDictionary<string, string> Metadata,
    string? Profile,
    string ProfileReason,
    string Mode,
    DateTimeOffset Started,
    DateTimeOffset? Ended,
    string? EndReason,
    ReportKill? Kill,
    string? Cgroup,
    IReadOnlyList<ReportProcess> Processes,
    long ProcessesNotListed,
    IReadOnlyList<ReportDestination> Destinations,
    long DestinationsNotListed,
    IReadOnlyList<ReportDnsName> DnsNames,
    IReadOnlyList<ReportViolation> Violations,
    long ViolationCount,
    ReportHealth Health,
    ReportAlerting? Alerting = null,
    ReportBounds? Bounds = null,
    long OutsideFlows = 0,
    IReadOnlyList<ReportContainer>? Containers = null);

/// <summary>A container the job asked a runtime for; <paramref name="LeftRunning"/>: still running when the report was written.</summary>
public sealed record ReportContainer(string Id, string Name, string Image, DateTimeOffset Created, DateTimeOffset? Started,
    DateTimeOffset? Exited, bool LeftRunning, int ProcessesJoined);

/// <summary>The job's kill (its latest, when a job whose root is spared was killed more than once).</summary>
/// <param name="Completed">When the wait for the killed processes to exit ended; null when it had not reported back.</param>
/// <param name="RootSpared">Every process of the job but its root (the runner's own process) was killed; the job went on.</param>
/// <param name="Count">How many times the job was killed.</param>
public sealed record ReportKill(DateTimeOffset At, string By, string Method, DateTimeOffset? Completed = null, bool RootSpared = false,
    int Count = 1);

public sealed record ReportProcess(int Pid, int ParentPid, string Exe, IReadOnlyList<string> Argv, DateTimeOffset Started,
    DateTimeOffset? Exited, int? ExitCode);

public sealed record ReportDestination(string Address, int Port, string Protocol, IReadOnlyList<string> Names,
    IReadOnlyList<string> ServerNames, bool Allowed, string? Rule, string Reason, int Attempts, string? FirstProcess);

public sealed record ReportDnsName(string Name, bool Allowed, string? Rule, string Reason, int Queries);

public sealed record ReportViolation(string AlertId, DateTimeOffset Time, string Kind, string Summary, string Action, string? Fix = null);

/// <summary>Sensor health while the job ran: a report with losses says so rather than looking clean.</summary>
/// <param name="ExecsUnread">The job's execs whose program the sensor could not read (the process had exited
/// first): listed without program and arguments, and checked against the profile's denied processes by their
/// process name (comm) only where that could still be read (a zombie's).</param>
public sealed record ReportHealth(long ProcessEventsLost, long PacketsDropped, long ExecutablesNotListed, long ExecsUnread = 0);

/// <summary>How the job's violations reached the SOC: every one is counted, in exactly one of the three.</summary>
/// <param name="Repeats">Findings seen again after their alert (retransmits, retries).</param>
/// <param name="Aggregated">New findings beyond the alert limits, counted in <paramref name="SummaryAlerts"/> summary alerts.</param>
public sealed record ReportAlerting(long Alerted, long Repeats, long Aggregated, long SummaryAlerts, int AlertsPerJobPerMinute);

/// <summary>What the job's bounds kept out of the report and the monitor's memory, counted (besides
/// <see cref="JobReport.ProcessesNotListed"/> and <see cref="JobReport.DestinationsNotListed"/>).</summary>
/// <param name="DnsQueriesNotListed">Queries for names beyond the listed DNS names.</param>
/// <param name="FindingsNotRemembered">New findings beyond the job's finding set: a repeat of one counts as new.</param>
public sealed record ReportBounds(long DnsQueriesNotListed, long ViolationsNotListed, long DestinationNamesNotListed, long FindingsNotRemembered);
