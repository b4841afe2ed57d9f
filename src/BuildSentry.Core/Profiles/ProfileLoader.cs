namespace BuildSentry.Core.Profiles;

/// <summary>Parses, resolves and validates profile texts. Reads no files: callers pass the texts.</summary>
public static class ProfileLoader
{
    public const string ConfigurationSource = "configuration";

    /// <summary>Longer texts are refused with a diagnostic rather than parsed.</summary>
    public const int MaxSourceLength = ProfileParser.MaxSourceLength;

    /// <param name="defaultProfileName">The profile for jobs nothing matches; null means the profile named
    /// <c>default</c> if there is one.</param>
    public static ProfileLoadResult Load(IEnumerable<ProfileText> sources, string? defaultProfileName = null)
    {
        var diagnostics = new List<ProfileDiagnostic>();
        var definitions = new List<ProfileDefinition>();
        foreach (var source in sources)
        {
            var parsed = ProfileParser.Parse(source.SourceName, source.Text);
            definitions.AddRange(parsed.Definitions);
            diagnostics.AddRange(parsed.Diagnostics);
        }

        var resolved = new ProfileResolver(definitions, diagnostics).ResolveAll();
        var set = new ProfileSet(resolved, defaultProfileName);
        if (defaultProfileName is not null && set.Default is null && !definitions.Any(d => d.Name == defaultProfileName))
        {
            diagnostics.Add(new ProfileDiagnostic(
                ConfigurationSource, 1, 1, $"the default profile '{defaultProfileName}' is not defined",
                Suggestions.Hint(defaultProfileName, definitions.Select(d => d.Name).OfType<string>().ToArray())));
        }

        return new ProfileLoadResult(set, OrderBySource(diagnostics));
    }

    public static ProfileLoadResult Load(string sourceName, string text, string? defaultProfileName = null) =>
        Load([new ProfileText(sourceName, text)], defaultProfileName);

    // Files keep the order they were given in; within a file, errors follow the text.
    private static List<ProfileDiagnostic> OrderBySource(List<ProfileDiagnostic> diagnostics)
    {
        var fileOrder = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in diagnostics)
        {
            fileOrder.TryAdd(d.Source, fileOrder.Count);
        }

        return diagnostics.OrderBy(d => fileOrder[d.Source]).ThenBy(d => d.Line).ThenBy(d => d.Column).ToList();
    }
}
