namespace BuildSentry.EndToEnd;

/// <summary>How a test wants its daemon: mode and the extra configuration it needs.</summary>
public sealed record DaemonSetup(string Mode = "audit")
{
    /// <summary>Extra YAML appended to the generated configuration.</summary>
    public string ExtraConfiguration { get; init; } = "";

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
