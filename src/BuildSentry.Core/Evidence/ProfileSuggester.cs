using System.Net;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;

namespace BuildSentry.Core.Evidence;

/// <summary>
/// Proposes the least profile that allows what audit-mode job reports show: what a starter profile allows becomes an
/// <c>extends</c> entry, every other destination the narrowest rule (the name, the ports seen, the protocol; an address
/// with no name exactly that address), and names only resolved a <c>dns:</c> entry. Processes a loaded profile denies
/// are findings, never allowed.
/// </summary>
public static class ProfileSuggester
{
    /// <returns>Null with <paramref name="errors"/> filled when the options cannot be honoured.</returns>
    public static ProfileSuggestion? Suggest(IReadOnlyList<JobReport> reports, SuggestOptions options, List<string> errors)
    {
        var observed = ObservedEgress.From(reports);
        var extends = StarterCoverage.Choose(observed, options, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var egress = new List<SuggestedRule>();
        var hosts = observed.Hosts
            .Where(h => !StarterCoverage.Covers(extends, h.Key.Name, h.Key.Protocol, h.Value))
            .Select(h => (h.Key.Name, h.Key.Protocol, h.Value)).ToList();
        var patterns = WildcardGrouping.Fold(hosts, options.PublicSuffixes, options.WildcardThreshold);
        foreach (var (pattern, protocol, evidence, names) in patterns)
        {
            var why = pattern.IsWildcard ? $"{names} subdomains of {pattern.Name} seen; " : "";
            egress.Add(new SuggestedRule(ProfileEdit.HostEntry(pattern, evidence.Ports, protocol), why + evidence));
        }

        foreach (var ((address, protocol), evidence) in observed.Addresses)
        {
            var ip = IPAddress.Parse(address);
            if (!StarterCoverage.Covers(extends, ip, protocol, evidence))
            {
                egress.Add(new SuggestedRule(ProfileEdit.AddressEntry(ip, evidence.Ports, protocol), $"LITERAL address, reached with no name; {evidence}"));
            }
        }

        var dns = observed.DnsNames
            .Where(n => !StarterCoverage.CoversQuery(extends, n.Key) && !patterns.Any(p => p.Pattern.Matches(n.Key)))
            .Select(n => new SuggestedRule(n.Key, $"resolved, never connected to; {n.Value.Describe("query", "queries")}"))
            .ToList();

        var ordered = ReportOrder.Sort(reports);
        return new ProfileSuggestion(
            options.Name, reports.Count, ordered.Count > 0 ? ordered[0].JobId : "",
            extends.Select(p => p.Name).ToList(), options.Match, egress, dns,
            Findings(observed, options.Starters), Notes(options));
    }

    private static List<string> Findings(ObservedEgress observed, ProfileSet starters)
    {
        var findings = new List<string>();
        foreach (var (exe, evidence) in observed.Executables)
        {
            var denial = starters.Profiles.Select(p => p.EvaluateProcess(exe, null)).FirstOrDefault(v => !v.Allowed);
            if (denial?.Rule is { } rule)
            {
                findings.Add($"{exe} ran in {evidence.JobCount} (first {evidence.FirstJob}) and is denied by '{rule.Text}' of profile '{rule.Profile}' ({rule.Location}): not allowed here");
            }
        }

        findings.AddRange(observed.InvalidNames.Select(n =>
            $"'{n.Key}' was seen in {n.Value.JobCount} (first {n.Value.FirstJob}) but is not a valid DNS name: no rule can allow it"));
        return findings;
    }

    private static List<string> Notes(SuggestOptions options) => options.PublicSuffixes is null
        ? ["no public suffix list was read, so no wildcard is suggested"]
        : [];
}
