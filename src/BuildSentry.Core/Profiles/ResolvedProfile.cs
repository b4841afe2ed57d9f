using System.Net;

namespace BuildSentry.Core.Profiles;

/// <summary>
/// A validated profile with its <c>extends</c> flattened: egress, dns and process rules are its own
/// followed by its parents' (in <c>extends</c> order, each inherited rule listed once). Description,
/// mode and match are never inherited.
/// </summary>
public sealed class ResolvedProfile
{
    private readonly EgressMatcher _matcher;

    internal ResolvedProfile(
        ProfileDefinition definition,
        int depth,
        IReadOnlyList<string> ancestors,
        IReadOnlyList<EgressRule> egressRules,
        IReadOnlyList<DnsRule> dnsRules,
        IReadOnlyList<ProcessRule> deniedProcesses)
    {
        Name = definition.Name!;
        Description = definition.Description ?? "";
        Mode = definition.Mode;
        Source = definition.Source;
        Line = definition.Line;
        Column = definition.Column;
        Depth = depth;
        Extends = definition.Extends.Select(e => e.Name).ToArray();
        Ancestors = ancestors;
        EgressRules = egressRules;
        OwnEgressRuleCount = definition.Egress.Count;
        DnsRules = dnsRules;
        DeniedProcesses = deniedProcesses;
        Selectors = definition.Match;
        _matcher = new EgressMatcher(Name, egressRules, dnsRules);
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>Null: the daemon's configured default mode applies.</summary>
    public ProfileMode? Mode { get; }

    public string Source { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>0 for a profile without <c>extends</c>, else one more than its deepest parent.</summary>
    internal int Depth { get; }

    /// <summary>The profiles named in <c>extends</c>, as written.</summary>
    public IReadOnlyList<string> Extends { get; }

    /// <summary>Every profile this one inherits from, directly or not, each once.</summary>
    public IReadOnlyList<string> Ancestors { get; }

    public IReadOnlyList<EgressRule> EgressRules { get; }

    public int OwnEgressRuleCount { get; }

    public IReadOnlyList<DnsRule> DnsRules { get; }

    public IReadOnlyList<ProcessRule> DeniedProcesses { get; }

    public IReadOnlyList<JobSelector> Selectors { get; }

    /// <summary>
    /// Allowed when one of <paramref name="names"/> (the names the destination was reached by: DNS
    /// answers, SNI, Host) matches a host rule, or <paramref name="address"/> a CIDR rule, and that
    /// rule admits the port and protocol.
    /// </summary>
    public EgressVerdict EvaluateConnection(IReadOnlyList<string> names, IPAddress? address, int port, TransportProtocol protocol) =>
        _matcher.EvaluateConnection(names, address, port, protocol);

    /// <summary>For TLS SNI and HTTP Host: allowed when a host rule covers the name, whatever its ports.</summary>
    public EgressVerdict EvaluateHostName(string name) => _matcher.EvaluateHostName(name);

    /// <summary>Allowed when a host rule or a <c>dns:</c> entry covers the queried name.</summary>
    public EgressVerdict EvaluateDnsQuery(string name) => _matcher.EvaluateDnsQuery(name);

    /// <param name="exePath">The program's path as the sensor reports it.</param>
    /// <param name="comm">The process name the kernel gave it at exec.</param>
    /// <param name="otherPath">The same program by its other path: the file the exec's path resolved to, or the path
    /// the exec named (<see cref="Events.ProcessDetails.OtherPath"/>).</param>
    public ProcessVerdict EvaluateProcess(string? exePath, string? comm, string? otherPath = null)
    {
        var program = Printable.Of(exePath ?? comm) + (string.IsNullOrEmpty(otherPath) ? "" : $" ({Printable.Of(otherPath)})");
        foreach (var rule in DeniedProcesses)
        {
            if (rule.Matches(exePath, comm, otherPath))
            {
                return new ProcessVerdict(false, rule.Reference, $"profile '{Name}' denies {program} by rule {rule.Reference}");
            }
        }

        return new ProcessVerdict(true, null, $"no processes.deny entry of profile '{Name}' matches {program}");
    }

    public override string ToString() => Name;
}
