using BuildSentry.Core.Reports;

namespace BuildSentry.Core.Evidence;

/// <summary>Per repository and workflow: jobs seen, jobs with violations, and each destination with how many jobs
/// reached it, in how many attempts, and whether any job was denied it. What a platform engineer reads before switching
/// a profile from audit to kill.</summary>
public sealed class ReportSummary
{
    private ReportSummary(IReadOnlyList<SummaryGroup> groups) => Groups = groups;

    public IReadOnlyList<SummaryGroup> Groups { get; }

    public static ReportSummary From(IEnumerable<JobReport> reports)
    {
        var groups = new List<SummaryGroup>();
        foreach (var group in ReportOrder.Sort(reports)
                     .GroupBy(r => (Repository: r.Metadata.GetValueOrDefault("repository") ?? "(no repository)", Workflow: r.Metadata.GetValueOrDefault("workflow") ?? "(no workflow)"))
                     .OrderBy(g => g.Key.Repository, StringComparer.Ordinal).ThenBy(g => g.Key.Workflow, StringComparer.Ordinal))
        {
            var destinations = new SortedDictionary<string, (Evidence Evidence, bool Denied)>(StringComparer.Ordinal);
            foreach (var report in group)
            {
                foreach (var d in report.Destinations)
                {
                    var names = d.ServerNames.Count > 0 ? d.ServerNames : d.Names;
                    var label = $"{(names.Count > 0 ? string.Join(", ", names) : d.Address)}:{d.Port}/{d.Protocol}";
                    var (evidence, denied) = destinations.TryGetValue(label, out var found) ? found : (new Evidence(), false);
                    evidence.Add(report.JobId, d.Attempts);
                    destinations[label] = (evidence, denied || !d.Allowed);
                }
            }

            groups.Add(new SummaryGroup(group.Key.Repository, group.Key.Workflow, group.Count(), group.Count(r => r.ViolationCount > 0),
                destinations.Select(d => new SummaryDestination(d.Key, d.Value.Evidence.Jobs, d.Value.Evidence.Attempts, d.Value.Denied)).ToList()));
        }

        return new ReportSummary(groups);
    }
}
