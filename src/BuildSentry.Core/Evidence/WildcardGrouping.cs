using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Evidence;

/// <summary>
/// Safe wildcards: host names of one protocol are folded into <c>*.parent</c> where at least the threshold of distinct
/// names lie strictly under that parent, deepest parents first (<c>*.cdn.acme.example</c> before <c>*.acme.example</c>),
/// so a wildcard is as narrow as the evidence allows. A parent is never above the registrable domain (the public suffix
/// and one label more), so never a public suffix: <c>*.github.io</c>, <c>*.s3.amazonaws.com</c> and <c>*.co.uk</c> cannot
/// come out, and a name equal to the parent keeps its own line (a wildcard does not cover its parent).
/// </summary>
internal static class WildcardGrouping
{
    /// <returns>The rules, each with how many distinct names it stands for.</returns>
    public static List<(HostPattern Pattern, TransportProtocol Protocol, Evidence Evidence, int Names)> Fold(
        IReadOnlyList<(string Name, TransportProtocol Protocol, Evidence Evidence)> hosts, PublicSuffixList? suffixes, int threshold)
    {
        var result = new List<(HostPattern, TransportProtocol, Evidence, int)>();
        var folded = new HashSet<(string, TransportProtocol)>();
        if (suffixes is not null && threshold > 0)
        {
            var groups = hosts
                .Select(h => (Host: h, Domain: suffixes.RegistrableDomainOf(h.Name)))
                .Where(h => h.Domain is not null && h.Host.Name.Length > h.Domain.Length)
                .GroupBy(h => (h.Domain!, h.Host.Protocol));
            foreach (var group in groups)
            {
                var left = group.Select(g => g.Host).ToList();
                foreach (var parent in Parents(left.Select(h => h.Name), group.Key.Item1))
                {
                    var under = left.Where(h => h.Name.EndsWith("." + parent, StringComparison.Ordinal)).ToList();
                    if (under.Count < Math.Max(2, threshold))
                    {
                        continue;
                    }

                    var evidence = new Evidence();
                    foreach (var host in under)
                    {
                        evidence.Add(host.Evidence);
                        folded.Add((host.Name, host.Protocol));
                        left.Remove(host);
                    }

                    result.Add((new HostPattern(parent, true), group.Key.Protocol, evidence, under.Count));
                }
            }
        }

        result.AddRange(hosts.Where(h => !folded.Contains((h.Name, h.Protocol))).Select(h => (new HostPattern(h.Name, false), h.Protocol, h.Evidence, 1)));
        return result.OrderBy(r => r.Item1.Name, StringComparer.Ordinal).ThenBy(r => r.Item1.IsWildcard).ThenBy(r => r.Item2).ToList();
    }

    /// <summary>Every proper parent of the names down to the registrable domain, deepest first.</summary>
    private static IEnumerable<string> Parents(IEnumerable<string> names, string domain)
    {
        var parents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            for (var parent = name[(name.IndexOf('.') + 1)..]; parent.Length >= domain.Length; parent = parent[(parent.IndexOf('.') + 1)..])
            {
                parents.Add(parent);
                if (parent.Length == domain.Length)
                {
                    break;
                }
            }
        }

        return parents.OrderByDescending(p => p.Count(c => c == '.')).ThenBy(p => p, StringComparer.Ordinal).ToList();
    }
}
