namespace BuildSentry.Core.Profiles;

/// <summary>A profile as parsed from one YAML document, before <c>extends</c> is resolved.</summary>
internal sealed class ProfileDefinition(string source, int line, int column)
{
    public string Source { get; } = source;

    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>Null when the document has no valid name; such a profile is reported, never resolved.</summary>
    public string? Name { get; set; }

    public int NameLine { get; set; }

    public int NameColumn { get; set; }

    public string? Description { get; set; }

    public ProfileMode? Mode { get; set; }

    public List<ExtendsReference> Extends { get; } = [];

    public List<EgressRule> Egress { get; } = [];

    public List<DnsRule> Dns { get; } = [];

    public List<ProcessRule> DeniedProcesses { get; } = [];

    public List<JobSelector> Match { get; } = [];

    /// <summary>True when the document itself has errors; profiles extending it are then not resolved either.</summary>
    public bool HasErrors { get; set; }
}
