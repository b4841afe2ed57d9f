using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Core.Profiles;

/// <summary>One prefix of a prevent-mode job's kernel allowlist: the protocols and port ranges it may be reached on
/// (no range: every port).</summary>
public sealed record AllowEntry(IPAddress Network, int PrefixLength, bool Tcp, bool Udp, IReadOnlyList<PortRange> Ports)
{
    public override string ToString() =>
        $"{Network}/{PrefixLength} {(Tcp && Udp ? "tcp+udp" : Tcp ? "tcp" : "udp")} {(Ports.Count == 0 ? "any port" : string.Join(",", Ports))}";
}

/// <summary>
/// What a prevent-mode job's kernel allowlist holds, from its profile: each CIDR rule's block at the start, and each
/// address an allowed name resolves to as the DNS forwarder answers. The kernel looks up the longest prefix only, so
/// an entry carries the union of every rule that covers it. The loopback networks are always allowed: the job's own
/// services and the forwarder live there.
/// </summary>
public static class PreventAllowlist
{
    /// <summary>Port ranges the kernel holds per entry; more are merged across their smallest gaps (which allows the
    /// ports between them too).</summary>
    public const int MaxRanges = 8;

    private static readonly PortRange[] AnyPort = [];

    /// <summary>Loopback, and every CIDR rule's block with the union of the CIDR rules that cover it.</summary>
    public static IReadOnlyList<AllowEntry> Static(ResolvedProfile? profile)
    {
        var entries = new List<AllowEntry>
        {
            new(IPAddress.Parse("127.0.0.0"), 8, true, true, AnyPort),
            new(IPAddress.IPv6Loopback, 128, true, true, AnyPort),
        };
        if (profile is null)
        {
            return entries;
        }

        var blocks = profile.EgressRules.Where(r => r.Cidr is not null).ToList();
        foreach (var block in blocks.Select(r => r.Cidr!).DistinctBy(b => b.ToString()))
        {
            if (Union(blocks.Where(r => r.Cidr!.Covers(block))) is { } entry)
            {
                entries.Add(entry with { Network = block.Network, PrefixLength = block.PrefixLength });
            }
        }

        return entries;
    }

    /// <summary>The entry for an address that <paramref name="names"/> (the name asked and the aliases it led to)
    /// resolved to: every host rule matching one of the names and every CIDR rule holding the address; null when no
    /// rule allows it.</summary>
    public static AllowEntry? ForAnswer(ResolvedProfile? profile, IReadOnlyCollection<string> names, IPAddress address)
    {
        if (profile is null)
        {
            return null;
        }

        var normalized = names.Select(n => HostName.TryNormalize(n, out var name) ? name : null).OfType<string>().ToList();
        var rules = profile.EgressRules.Where(r =>
            (r.Host is { } host && normalized.Any(host.Matches)) || (r.Cidr is { } cidr && cidr.Contains(address)));
        return Union(rules) is { } entry
            ? entry with { Network = address, PrefixLength = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128 }
            : null;
    }

    private static AllowEntry? Union(IEnumerable<EgressRule> rules)
    {
        bool tcp = false, udp = false, anyPort = false;
        var ranges = new List<PortRange>();
        foreach (var rule in rules)
        {
            tcp |= rule.Protocol is null or TransportProtocol.Tcp;
            udp |= rule.Protocol is null or TransportProtocol.Udp;
            anyPort |= rule.Ports.Count == 0;
            ranges.AddRange(rule.Ports);
        }

        if (!tcp && !udp)
        {
            return null;
        }

        // A rule's protocol applies to its own ports only; the kernel entry holds one set for both, which may allow a
        // port on the other protocol too. The user-space verdict still judges (and alerts on) such a flow.
        return new AllowEntry(IPAddress.Any, 0, tcp, udp, anyPort ? AnyPort : Merge(ranges));
    }

    /// <summary>Sorted, overlapping and adjacent ranges joined, then at most <see cref="MaxRanges"/> by closing the
    /// smallest gaps.</summary>
    internal static IReadOnlyList<PortRange> Merge(IEnumerable<PortRange> ranges)
    {
        var merged = new List<PortRange>();
        foreach (var range in ranges.OrderBy(r => r.Low))
        {
            if (merged.Count > 0 && range.Low <= merged[^1].High + 1)
            {
                merged[^1] = new PortRange(merged[^1].Low, Math.Max(merged[^1].High, range.High));
            }
            else
            {
                merged.Add(range);
            }
        }

        while (merged.Count > MaxRanges)
        {
            var gap = Enumerable.Range(0, merged.Count - 1).MinBy(i => merged[i + 1].Low - merged[i].High);
            merged[gap] = new PortRange(merged[gap].Low, merged[gap + 1].High);
            merged.RemoveAt(gap + 1);
        }

        return merged;
    }
}
