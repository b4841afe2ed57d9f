namespace BuildSentry.EndToEnd;

/// <summary>How a test wants its daemon: mode and the extra configuration it needs.</summary>
public sealed record DaemonSetup(string Mode = "audit")
{
    /// <summary>Extra YAML appended to the generated configuration.</summary>
    public string ExtraConfiguration { get; init; } = "";

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>More alert targets besides the test's JSON receiver, each a YAML flow mapping.</summary>
    public IReadOnlyList<string> ExtraAlertTargets { get; init; } = [];

    /// <summary>More profile files (name, YAML) beside lab.yaml.</summary>
    public IReadOnlyDictionary<string, string> ExtraProfiles { get; init; } = new Dictionary<string, string>();

    /// <summary>Starts the daemon through nohup (which execs it, so the pid is the daemon's) with SIGHUP ignored, as a shell started with nohup would.</summary>
    public bool SighupIgnored { get; init; }

    /// <summary>A command that execs the daemon (its pid stays the daemon's), e.g. setpriv to start it with fewer capabilities.</summary>
    public IReadOnlyList<string> Launcher { get; init; } = [];
}
