using System.Text;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;

namespace BuildSentry.Core.Evidence;

/// <summary>What a suggestion matches and is called when the user says neither: what all its reports share.</summary>
public static class SuggestedMatch
{
    public const string FallbackName = "suggested";

    /// <summary>One selector of the CI system, repository and workflow every report shares (those they share); none when
    /// they share no repository, since a profile selecting every job of a CI system is not what a suggestion is for.</summary>
    public static IReadOnlyList<JobSelector> Shared(IReadOnlyList<JobReport> reports)
    {
        var jobs = reports.Select(ReportOrder.Describe).ToList();
        var repository = Same(jobs.Select(j => j.Repository));
        if (repository is null)
        {
            return [];
        }

        var ci = jobs.Select(j => j.CiSystem).Distinct().Count() == 1 ? jobs[0].CiSystem : null;
        var workflow = Same(jobs.Select(j => j.Workflow));
        return [new JobSelector(ci, new Glob(repository), workflow is null ? null : new Glob(workflow), null, null,
            new RuleReference("", "", 1, 1, "suggested match"))];
    }

    /// <summary>The repository all reports share, in the characters a profile name may hold (<c>acme/web</c> gives
    /// <c>acme-web</c>); else <see cref="FallbackName"/>.</summary>
    public static string Name(IReadOnlyList<JobReport> reports)
    {
        if (Same(reports.Select(r => r.Metadata.GetValueOrDefault("repository"))) is not { } repository)
        {
            return FallbackName;
        }

        var name = new StringBuilder();
        foreach (var c in repository.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        }

        var text = name.ToString().Trim('-', '.', '_');
        return text.Length == 0 ? FallbackName : text[..Math.Min(text.Length, 64)];
    }

    // Glob characters in a value from a report would widen the match: such a value is not shared.
    private static string? Same(IEnumerable<string?> values)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).ToList();
        return distinct is [{ Length: > 0 } only] && !only.Any(c => c is '*' or '?' || char.IsControl(c)) ? only : null;
    }
}
