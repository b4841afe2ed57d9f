namespace BuildSentry.Core.Monitoring;

/// <summary>One destination a job reached (address, port, protocol), every name it went by, and the verdict.</summary>
public sealed class DestinationRecord(string address, int port, string protocol, DateTimeOffset firstSeen)
{
    public string Address { get; } = address;
    public int Port { get; } = port;
    public string Protocol { get; } = protocol;
    public DateTimeOffset FirstSeen { get; } = firstSeen;
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
    public HashSet<string> ServerNames { get; } = new(StringComparer.Ordinal);
    public bool Allowed { get; internal set; } = true;
    public string? Rule { get; internal set; }
    public string Reason { get; internal set; } = "";
    public int Attempts { get; internal set; }
    public string? FirstProcess { get; internal set; }
}

public sealed class DnsNameRecord(string name, DateTimeOffset firstSeen)
{
    public string Name { get; } = name;
    public DateTimeOffset FirstSeen { get; } = firstSeen;
    public bool Allowed { get; internal set; }
    public string? Rule { get; internal set; }
    public string Reason { get; internal set; } = "";
    public int Queries { get; internal set; }
}

/// <param name="Fix">The smallest profile edit that would allow the finding (<see cref="Profiles.ProfileEdit"/>); null when none would.</param>
public sealed record ViolationRecord(string AlertId, DateTimeOffset Time, string Kind, string Summary, string Action, string? Fix = null);

public sealed class ProcessEntry(int pid, int parentPid, string exe, IReadOnlyList<string> argv, DateTimeOffset started)
{
    public int Pid { get; } = pid;
    public int ParentPid { get; } = parentPid;
    public string Exe { get; } = exe;
    public IReadOnlyList<string> Argv { get; } = argv;
    public DateTimeOffset Started { get; } = started;
    public DateTimeOffset? Exited { get; internal set; }
    public int? ExitCode { get; internal set; }
}
