using System.Net;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Evidence;

/// <summary>
/// Which starter profiles to extend: what a starter already allows (every port and protocol seen) needs no line of its
/// own. Auto picks greedily the starter that covers most of what is left (ties: fewer rules, then name), and adds the
/// starters that only deny processes, so their deny lists hold in the new profile too. A starter whose parents cover all
/// it covers is never picked: extending the parents allows less (the host profile, which extends several, or
/// github-actions-artifacts when no artifact storage was reached).
/// </summary>
internal static class StarterCoverage
{
    public static List<ResolvedProfile> Choose(ObservedEgress observed, SuggestOptions options, List<string> errors)
    {
        if (options.Extends is { } named)
        {
            var chosen = new List<ResolvedProfile>();
            foreach (var name in named)
            {
                if (options.Starters.Find(name) is { } profile)
                {
                    chosen.Add(profile);
                }
                else
                {
                    errors.Add($"--extends names '{name}', which is not a loaded profile");
                }
            }

            return chosen;
        }

        var candidates = options.Starters.Profiles
            .Where(p => p.Name != options.Name && p.Name != ProfileSet.DefaultProfileName).ToList();
        var items = Items(observed).ToList();
        var covered = candidates.ToDictionary(c => c, c => items.Where(item => item(c)).ToHashSet());
        var undominated = candidates.Where(c => !IsDominated(c, covered)).ToList();
        var picked = new List<ResolvedProfile>();
        var left = items.ToList();
        while (left.Count > 0)
        {
            var best = undominated.Where(c => !picked.Contains(c))
                .Select(c => (Profile: c, Covers: left.Count(item => item(c))))
                .Where(c => c.Covers > 0)
                .OrderByDescending(c => c.Covers).ThenBy(c => c.Profile.EgressRules.Count).ThenBy(c => c.Profile.Name, StringComparer.Ordinal)
                .FirstOrDefault();
            if (best.Profile is null)
            {
                break;
            }

            picked.Add(best.Profile);
            left.RemoveAll(item => item(best.Profile));
        }

        picked.AddRange(candidates.Where(c => c.DeniedProcesses.Count > 0 && c.EgressRules.Count == 0 && c.DnsRules.Count == 0 && c.Selectors.Count == 0));
        return picked.Where(p => !picked.Any(other => other.Ancestors.Contains(p.Name, StringComparer.Ordinal)))
            .Distinct().OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    private static bool IsDominated(ResolvedProfile candidate, Dictionary<ResolvedProfile, HashSet<Func<ResolvedProfile, bool>>> covered)
    {
        var parents = covered.Keys.Where(p => candidate.Extends.Contains(p.Name, StringComparer.Ordinal)).ToList();
        return parents.Count > 0 && covered[candidate].All(item => parents.Any(p => covered[p].Contains(item)));
    }

    public static bool Covers(IEnumerable<ResolvedProfile> profiles, string host, TransportProtocol protocol, Evidence evidence) =>
        profiles.Any(p => evidence.Ports.All(port => p.EvaluateConnection([host], null, port, protocol).Allowed));

    public static bool Covers(IEnumerable<ResolvedProfile> profiles, IPAddress address, TransportProtocol protocol, Evidence evidence) =>
        profiles.Any(p => evidence.Ports.All(port => p.EvaluateConnection([], address, port, protocol).Allowed));

    public static bool CoversQuery(IEnumerable<ResolvedProfile> profiles, string name) => profiles.Any(p => p.EvaluateDnsQuery(name).Allowed);

    private static IEnumerable<Func<ResolvedProfile, bool>> Items(ObservedEgress observed)
    {
        foreach (var ((host, protocol), evidence) in observed.Hosts)
        {
            yield return p => Covers([p], host, protocol, evidence);
        }

        foreach (var ((address, protocol), evidence) in observed.Addresses)
        {
            yield return p => Covers([p], IPAddress.Parse(address), protocol, evidence);
        }

        foreach (var name in observed.DnsNames.Keys)
        {
            yield return p => CoversQuery([p], name);
        }
    }
}
