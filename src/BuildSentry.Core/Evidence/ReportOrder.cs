using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;

namespace BuildSentry.Core.Evidence;

/// <summary>Reports in one order whatever order the files came in (start, then job id), so output built from them is
/// byte-identical for the same reports.</summary>
public static class ReportOrder
{
    public static IReadOnlyList<JobReport> Sort(IEnumerable<JobReport> reports) =>
        reports.OrderBy(r => r.Started).ThenBy(r => r.JobId, StringComparer.Ordinal).ToList();

    /// <summary>The job as profile selection sees it, from the report's metadata.</summary>
    public static JobDescriptor Describe(JobReport report) => new(
        Enum.TryParse<CiSystem>(report.CiSystem, ignoreCase: true, out var ci) ? ci : null,
        report.Metadata.GetValueOrDefault("repository"),
        report.Metadata.GetValueOrDefault("workflow"),
        report.Metadata.GetValueOrDefault("job"),
        report.Metadata.GetValueOrDefault("runner"));
}
