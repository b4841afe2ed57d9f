using BuildSentry.Core.Evidence;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Text;
using BuildSentry.Profiles;
using BuildSentry.Reports;

namespace BuildSentry.Cli;

/// <summary>Runs one <c>profile suggest</c>: the YAML goes to standard output, findings and errors to standard error.</summary>
internal sealed class ProfileSuggestRun(TextWriter output, TextWriter error, string[] reportPaths, string? name, string[] match,
    string extends, string[]? profilePaths, int wildcardThreshold, string suffixListPath, string? configPath)
{
    public int Execute()
    {
        var profilesError = ConfiguredProfiles.Resolve(profilePaths, configPath, out var paths);
        if ((ReportFiles.Missing(reportPaths) ?? profilesError) is { } usage)
        {
            return Usage(usage);
        }

        var (starters, texts, problems) = ProfileFiles.Load(paths);
        if (problems.Count > 0)
        {
            problems.ForEach(p => error.WriteLine(p));
            error.WriteLine($"error: the profiles in {string.Join(", ", paths)} are invalid");
            return ExitCodes.Failure;
        }

        if (Selectors(match, out var selectors) is { } badMatch)
        {
            return Usage(badMatch);
        }

        var (reports, unreadable) = ReportFiles.Read(reportPaths);
        if (unreadable.Count > 0)
        {
            unreadable.ForEach(p => error.WriteLine($"error: {p}"));
            return ExitCodes.Failure;
        }

        var selected = selectors.Count == 0 ? reports : reports.Where(r => selectors.Any(s => s.Matches(ReportOrder.Describe(r)))).ToList();
        if (selected.Count == 0)
        {
            error.WriteLine($"error: none of the {reports.Count} job reports is of a job --match selects");
            return ExitCodes.Failure;
        }

        selectors = selectors.Count > 0 ? selectors : SuggestedMatch.Shared(selected);
        var profileName = name ?? SuggestedMatch.Name(selected);
        if (ProfileLoader.Load("--name", $"name: {SuggestionYaml.Quote(profileName)}").Diagnostics is [var bad, ..])
        {
            return Usage($"--name: {bad.Message}");
        }

        var errors = new List<string>();
        var options = new SuggestOptions(profileName, selectors, ParseExtends(extends), starters, ReadSuffixes(), wildcardThreshold);
        if (ProfileSuggester.Suggest(selected, options, errors) is not { } suggestion)
        {
            return Usage(string.Join("; ", errors));
        }

        var yaml = SuggestionYaml.Write(suggestion);
        var others = texts.Where(t => !starters.Profiles.Any(p => p.Name == profileName && p.Source == t.SourceName));
        if (ProfileLoader.Load(others.Append(new ProfileText("(suggested profile)", yaml))).Diagnostics is { Count: > 0 } invalid)
        {
            foreach (var d in invalid)
            {
                error.WriteLine(d);
            }

            error.WriteLine("error: the suggested profile does not load with the profiles it extends");
            return ExitCodes.Failure;
        }

        output.Write(yaml);
        suggestion.Findings.ToList().ForEach(f => error.WriteLine($"finding: {SafeText.Escape(f)}"));
        return ExitCodes.Success;
    }

    private static IReadOnlyList<string>? ParseExtends(string value) => value switch
    {
        "auto" => null,
        "none" => [],
        _ => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
    };

    private PublicSuffixList? ReadSuffixes()
    {
        try
        {
            var list = PublicSuffixList.Parse(File.ReadAllText(suffixListPath));
            if (list.RuleCount > 0)
            {
                return list;
            }

            error.WriteLine($"warning: {suffixListPath} holds no public suffix rule: no wildcard is suggested");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"warning: cannot read the public suffix list {suffixListPath} ({ex.Message}): no wildcard is suggested (install Debian's publicsuffix package)");
        }

        return null;
    }

    /// <summary>Each <c>--match</c> value is parsed as a profile's <c>match:</c> entry, with the same errors.</summary>
    private static string? Selectors(string[] values, out IReadOnlyList<JobSelector> selectors)
    {
        selectors = [];
        if (values.Length == 0)
        {
            return null;
        }

        var text = "name: match-option\nmatch:\n" + string.Concat(values.Select(v => $"  - {v.ReplaceLineEndings(" ")}\n"));
        var loaded = ProfileLoader.Load("--match", text);
        if (loaded.Diagnostics is [var first, ..])
        {
            return $"--match: {first.Message}" + (first.Hint is null ? "" : $" (hint: {first.Hint})");
        }

        selectors = loaded.Profiles.Find("match-option")!.Selectors;
        return null;
    }

    private int Usage(string message)
    {
        error.WriteLine($"error: {SafeText.Escape(message)}");
        return ExitCodes.Usage;
    }
}
