using System.Globalization;
using BuildSentry.Core.Evidence;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Text;
using BuildSentry.Reports;

namespace BuildSentry.Cli;

/// <summary><c>report --summary DIR</c>: what a platform engineer reads before switching a profile from audit to kill.</summary>
internal static class ReportSummaryRun
{
    public static int Execute(string directory, string? repository, DateTimeOffset? since, TextWriter output, TextWriter error)
    {
        if (ReportFiles.Missing([directory]) is { } usage)
        {
            error.WriteLine($"error: {usage}");
            return ExitCodes.Usage;
        }

        var (reports, unreadable) = ReportFiles.Read([directory]);
        unreadable.ForEach(p => error.WriteLine($"error: {p}"));
        var glob = repository is null ? null : new Glob(repository);
        var chosen = reports.Where(r => (glob is null || glob.Matches(r.Metadata.GetValueOrDefault("repository")))
                                        && (since is null || r.Started >= since)).ToList();
        foreach (var group in ReportSummary.From(chosen).Groups)
        {
            output.WriteLine($"{SafeText.Escape(group.Repository)} / {SafeText.Escape(group.Workflow)}: {CheckRun.Plural(group.Jobs, "job")}, {group.JobsWithViolations} with violations");
            foreach (var d in group.Destinations)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {SafeText.Escape(d.Destination)}  {CheckRun.Plural(d.Jobs, "job")}, {CheckRun.Plural((int)Math.Min(d.Attempts, int.MaxValue), "attempt")}{(d.Denied ? ", DENIED in some" : "")}"));
            }
        }

        output.WriteLine($"{CheckRun.Plural(chosen.Count, "job report")} summarised"
            + (unreadable.Count > 0 ? $"; {CheckRun.Plural(unreadable.Count, "file")} could not be read" : ""));
        return unreadable.Count > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }
}
