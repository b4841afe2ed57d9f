namespace BuildSentry.Core.Alerts;

/// <summary>
/// One finding for the SOC. Text fields hold what the sensors saw, unescaped: every formatter
/// escapes and caps them for its own format, so a hostile argv cannot forge a record.
/// </summary>
public sealed record Alert(string Id, DateTimeOffset Time, string Kind, string Title, AlertSeverity Severity, AlertAction Action)
{
    public AlertJob? Job { get; init; }

    public AlertProcess? Process { get; init; }

    public AlertDestination? Destination { get; init; }

    public string? Profile { get; init; }

    /// <summary>The rule that allowed it, or null for a violation.</summary>
    public string? Rule { get; init; }

    /// <summary>Why no rule allowed it, or what happened (health events).</summary>
    public string? Reason { get; init; }

    /// <summary>For a summary of violations not alerted one by one (<see cref="AlertKinds.AlertsAggregated"/>).</summary>
    public AlertAggregate? Aggregate { get; init; }

    /// <summary>Violations and tamper events are never dropped from a full queue before health chatter.</summary>
    public bool IsCritical => Severity >= AlertSeverity.High;
}

public sealed record AlertJob(
    string CiSystem, string JobId, string? Repository, string? Workflow, string? JobName,
    string? RunId, string? RunAttempt, string? Runner);

public sealed record AlertProcess(int Pid, string Exe, IReadOnlyList<string> Argv, string Cwd, int Uid, IReadOnlyList<AlertAncestor> Ancestors);

public sealed record AlertAncestor(int Pid, string Exe);

public sealed record AlertDestination(string Address, int Port, string Protocol, IReadOnlyList<string> Names, string? ServerName);

/// <summary>Violations of a job aggregated since <paramref name="Since"/>: counts by kind, the first distinct names.</summary>
public sealed record AlertAggregate(long Violations, DateTimeOffset Since, IReadOnlyList<AlertKindCount> ByKind, IReadOnlyList<string> Names,
    long NamesNotListed);

public sealed record AlertKindCount(string Kind, long Count);
