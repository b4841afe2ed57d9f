using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Evidence;

/// <summary>
/// Safe wildcards: host names of one protocol under one registrable domain (the public suffix and one label more) are
/// folded into <c>*.parent</c>, the closest parent they share, when at least the threshold of distinct names lie
/// strictly under it. The parent is never above the registrable domain, so never a public suffix (<c>*.github.io</c>,
/// <c>*.s3.amazonaws.com</c>, <c>*.co.uk</c> cannot come out), and a name equal to it keeps its own line.
/// </summary>
internal static class WildcardGrouping
{
    public static List<(HostPattern Pattern, TransportProtocol Protocol, Evidence Evidence)> Fold(
        IReadOnlyList<(string Name, TransportProtocol Protocol, Evidence Evidence)> hosts, PublicSuffixList? suffixes, int threshold)
    {
        var result = new List<(HostPattern, TransportProtocol, Evidence)>();
        var folded = new HashSet<(string, TransportProtocol)>();
        if (suffixes is not null && threshold > 0)
        {
            var groups = hosts
                .Select(h => (Host: h, Domain: suffixes.RegistrableDomainOf(h.Name)))
                .Where(h => h.Domain is not null && h.Host.Name.Length > h.Domain.Length)
                .GroupBy(h => (h.Domain!, h.Host.Protocol));
            foreach (var group in groups)
            {
                var members = group.Select(g => g.Host).ToList();
                var parent = CommonParent(members.Select(m => m.Name).ToList(), group.Key.Item1);
                members.RemoveAll(m => m.Name.Length <= parent.Length);
                if (members.Count < Math.Max(2, threshold))
                {
                    continue;
                }

                var evidence = new Evidence();
                foreach (var member in members)
                {
                    evidence.Add(member.Evidence);
                    folded.Add((member.Name, member.Protocol));
                }

                result.Add((new HostPattern(parent, true), group.Key.Protocol, evidence));
            }
        }

        result.AddRange(hosts.Where(h => !folded.Contains((h.Name, h.Protocol))).Select(h => (new HostPattern(h.Name, false), h.Protocol, h.Evidence)));
        return result.OrderBy(r => r.Item1.Name, StringComparer.Ordinal).ThenBy(r => r.Item1.IsWildcard).ThenBy(r => r.Item2).ToList();
    }

    /// <summary>The longest run of whole labels all names end with, no shorter than the registrable domain; a parent
    /// that is itself one of the names goes up a label, so the wildcard covers the names it stands for.</summary>
    private static string CommonParent(List<string> names, string domain)
    {
        var parent = names[0];
        foreach (var name in names.Skip(1))
        {
            while (parent.Contains('.', StringComparison.Ordinal)
                   && !(name.Length == parent.Length ? name == parent : name.EndsWith("." + parent, StringComparison.Ordinal)))
            {
                parent = parent[(parent.IndexOf('.') + 1)..];
            }
        }

        if (names.Contains(parent) && parent.Length > domain.Length)
        {
            parent = parent[(parent.IndexOf('.') + 1)..];
        }

        return parent.Length < domain.Length ? domain : parent;
    }
}
