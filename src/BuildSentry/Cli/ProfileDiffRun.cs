using BuildSentry.Core.Evidence;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Text;
using BuildSentry.Profiles;
using BuildSentry.Reports;

namespace BuildSentry.Cli;

/// <summary>Runs one <c>profile diff</c>: the changes go to standard output, errors to standard error.</summary>
internal sealed class ProfileDiffRun(TextWriter output, TextWriter error, string[] proposedPaths, string profileName, string[] reportPaths,
    string[]? currentPaths, string? configPath)
{
    public int Execute()
    {
        var missing = proposedPaths.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } path
            ? $"'{path}' is neither a profile file nor a directory"
            : null;
        var currentError = ConfiguredProfiles.Resolve(currentPaths, configPath, out var current);
        if ((missing ?? ReportFiles.Missing(reportPaths) ?? currentError) is { } usage)
        {
            return Usage(usage);
        }

        if (Load(proposedPaths, "proposed") is not { } proposed || Load(current, "current") is not { } before)
        {
            return ExitCodes.Failure;
        }

        if (proposed.Find(profileName) is not { } after)
        {
            return Usage($"the proposed profiles have no profile named '{profileName}' (known: {string.Join(", ", proposed.Profiles.Select(p => p.Name))})");
        }

        var (reports, unreadable) = ReportFiles.Read(reportPaths);
        if (unreadable.Count > 0)
        {
            unreadable.ForEach(p => error.WriteLine($"error: {p}"));
            return ExitCodes.Failure;
        }

        var diff = ProfileDiff.Compare(before.Find(profileName), after, reports);
        foreach (var item in diff.NewlyDenied)
        {
            Write("newly denied", item, "before");
        }

        foreach (var item in diff.NewlyAllowed)
        {
            Write("newly allowed", item, "before");
        }

        output.WriteLine($"profile '{profileName}': {diff.NewlyDenied.Count} newly denied, {diff.NewlyAllowed.Count} newly allowed, "
            + $"from {CheckRun.Plural(reports.Count, "job report")} ({diff.Compared} recorded verdicts)");
        return diff.NewlyDenied.Count > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }

    private void Write(string change, DiffItem item, string before)
    {
        output.WriteLine($"{change}: {SafeText.Escape(item.What)} ({CheckRun.Plural(item.Jobs.Count, "job")}: {string.Join(", ", item.Jobs.Select(SafeText.Escape))})");
        output.WriteLine($"  {before}: {SafeText.Escape(item.Before)}");
        output.WriteLine($"  now: {SafeText.Escape(item.After)}");
    }

    private ProfileSet? Load(string[] paths, string which)
    {
        var (profiles, _, problems) = ProfileFiles.Load(paths);
        if (problems.Count == 0)
        {
            return profiles;
        }

        problems.ForEach(p => error.WriteLine(p));
        error.WriteLine($"error: the {which} profiles ({string.Join(", ", paths)}) are invalid");
        return null;
    }

    private int Usage(string message)
    {
        error.WriteLine($"error: {SafeText.Escape(message)}");
        return ExitCodes.Usage;
    }
}
