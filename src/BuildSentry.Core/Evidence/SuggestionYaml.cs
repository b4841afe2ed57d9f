using System.Globalization;
using System.Text;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Text;

namespace BuildSentry.Core.Evidence;

/// <summary>
/// Writes a suggestion as a profile document: a header saying where it came from, the findings, then the keys in the
/// order of docs/profiles.md, each rule with its evidence as a comment. Only the inputs decide the bytes (no clock, no
/// host, no file order), so the same reports always give the same text. Text from the reports (job ids, executables,
/// repository names) is escaped: a comment cannot be ended early and a value cannot leave its quotes.
/// </summary>
public static class SuggestionYaml
{
    public static string Write(ProfileSuggestion s)
    {
        var yaml = new StringBuilder();
        void Line(string text) => yaml.Append(text).Append('\n');

        Line($"# Suggested by 'buildsentry profile suggest' from {Count(s.Reports, "job report")} (first {Comment(s.FirstJob)}).");
        Line("# Review every line before use: each rule says how many jobs reached it, in how many attempts, and the first job.");
        foreach (var finding in s.Findings)
        {
            Line($"# FINDING: {Comment(finding)}");
        }

        foreach (var note in s.Notes)
        {
            Line($"# NOTE: {Comment(note)}");
        }

        Line($"name: {s.Name}");
        Line($"description: {Quote($"Suggested from {Count(s.Reports, "job report")}; reviewed by nobody yet.")}");
        Line("# mode: kill    # once reviewed and checked with 'buildsentry profile diff': kill or prevent");
        if (s.Extends.Count > 0)
        {
            Line($"extends: [{string.Join(", ", s.Extends)}]");
        }

        if (s.Match.Count > 0)
        {
            Line("match:");
            foreach (var selector in s.Match)
            {
                Line($"  - {Selector(selector)}");
            }
        }

        Rules("egress", s.Egress, Line);
        Rules("dns", s.Dns, Line);
        return yaml.ToString();
    }

    /// <summary>A YAML double-quoted scalar: backslash, quote and every control character escaped.</summary>
    public static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                _ when char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\ufeff' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    private static void Rules(string key, IReadOnlyList<SuggestedRule> rules, Action<string> line)
    {
        if (rules.Count == 0)
        {
            return;
        }

        line($"{key}:");
        foreach (var rule in rules)
        {
            line($"  - {rule.Entry}  # {Comment(rule.Comment)}");
        }
    }

    private static string Selector(JobSelector selector)
    {
        var fields = new List<string>();
        if (selector.CiSystem is { } ci)
        {
            fields.Add($"ci: {ci.ToString().ToLowerInvariant()}");
        }

        foreach (var (key, glob) in new[] { ("repository", selector.Repository), ("workflow", selector.Workflow), ("job", selector.Job), ("runner", selector.Runner) })
        {
            if (glob is not null)
            {
                fields.Add($"{key}: {Quote(glob.Pattern)}");
            }
        }

        return $"{{ {string.Join(", ", fields)} }}";
    }

    private static string Comment(string text) => SafeText.Escape(text);

    private static string Count(int n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");
}
