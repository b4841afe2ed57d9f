using System.Net;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;

namespace BuildSentry.Core.Evidence;

/// <summary>
/// Replays what job reports recorded (connections with the names they went by, TLS server names and HTTP Hosts, DNS
/// queries, executables) against the current and the proposed profile, with the same verdicts the monitor gives, and
/// keeps what changes: newly denied (with the rule that allowed it) and newly allowed.
/// </summary>
public sealed class ProfileDiff
{
    private readonly SortedDictionary<string, (bool Allowed, string Before, string After, List<string> Jobs)> _changed = new(StringComparer.Ordinal);

    private ProfileDiff()
    {
    }

    public IReadOnlyList<DiffItem> NewlyDenied => Items(allowedNow: false);

    public IReadOnlyList<DiffItem> NewlyAllowed => Items(allowedNow: true);

    public int Compared { get; private set; }

    /// <param name="before">Null when the current set has no profile of that name: everything was denied.</param>
    public static ProfileDiff Compare(ResolvedProfile? before, ResolvedProfile after, IEnumerable<JobReport> reports)
    {
        var diff = new ProfileDiff();
        var none = EgressVerdict.Deny($"the current profiles have no profile '{after.Name}'");
        foreach (var report in ReportOrder.Sort(reports))
        {
            foreach (var (what, judge) in Recorded(report))
            {
                diff.Compared++;
                diff.Add(what, before is null ? (none.Allowed, none.Reason, null) : judge(before), judge(after), report.JobId);
            }
        }

        return diff;
    }

    private static IEnumerable<(string What, Func<ResolvedProfile, (bool Allowed, string Reason, RuleReference? Rule)> Judge)> Recorded(JobReport report)
    {
        foreach (var d in report.Destinations)
        {
            if (!RecordedDestination.TryRead(d, out var address, out var protocol))
            {
                continue;
            }

            var at = $"{d.Address}:{d.Port}/{d.Protocol}";
            yield return ($"connection to {at}{(d.Names.Count > 0 ? $" ({string.Join(", ", d.Names)})" : " (no name)")}",
                p => Of(p.EvaluateConnection(d.Names, address, d.Port, protocol)));
            foreach (var name in d.ServerNames)
            {
                yield return ($"server name {name} at {at}", p => Of(IPAddress.TryParse(name, out var literal)
                    ? p.EvaluateConnection([], literal, d.Port, protocol)
                    : p.EvaluateHostName(name)));
            }
        }

        foreach (var query in report.DnsNames)
        {
            yield return ($"DNS query {query.Name}", p => Of(p.EvaluateDnsQuery(query.Name)));
        }

        foreach (var exe in report.Processes.Select(p => p.Exe).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal))
        {
            yield return ($"process {exe}", p =>
            {
                var verdict = p.EvaluateProcess(exe, null);
                return (verdict.Allowed, verdict.Reason, verdict.Rule);
            });
        }
    }

    private static (bool, string, RuleReference?) Of(EgressVerdict v) => (v.Allowed, v.Reason, v.Rule);

    private void Add(string what, (bool Allowed, string Reason, RuleReference? Rule) before, (bool Allowed, string Reason, RuleReference? Rule) after, string job)
    {
        if (before.Allowed == after.Allowed)
        {
            return;
        }

        if (!_changed.TryGetValue(what, out var entry))
        {
            var was = before.Allowed && before.Rule is { } rule ? $"allowed by {rule}" : (before.Allowed ? "allowed: " : "denied: ") + before.Reason;
            entry = (after.Allowed, was, (after.Allowed ? "allowed: " : "denied: ") + after.Reason, []);
            _changed[what] = entry;
        }

        // Reports come one at a time and name each thing once: a job is either the last one listed or new.
        if (entry.Jobs.Count == 0 || entry.Jobs[^1] != job)
        {
            entry.Jobs.Add(job);
        }
    }

    private List<DiffItem> Items(bool allowedNow) =>
        _changed.Where(c => c.Value.Allowed == allowedNow).Select(c => new DiffItem(c.Key, c.Value.Before, c.Value.After, c.Value.Jobs)).ToList();
}
