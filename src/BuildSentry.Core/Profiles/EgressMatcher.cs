using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Core.Profiles;

/// <summary>
/// The hot path: answers egress questions for one resolved profile. When several rules allow the
/// same thing, the earliest in the profile's effective order (own rules, then inherited) is quoted.
/// </summary>
internal sealed class EgressMatcher
{
    private readonly string _profile;
    private readonly IReadOnlyList<EgressRule> _rules;
    private readonly IReadOnlyList<DnsRule> _dnsRules;
    private readonly HostIndex _hosts = new();
    private readonly HostIndex _dns = new();
    private readonly (CidrBlock Block, int Index)[] _cidrs;

    public EgressMatcher(string profile, IReadOnlyList<EgressRule> rules, IReadOnlyList<DnsRule> dnsRules)
    {
        _profile = profile;
        _rules = rules;
        _dnsRules = dnsRules;
        var cidrs = new List<(CidrBlock, int)>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Host is { } host)
            {
                _hosts.Add(host, i);
            }
            else
            {
                cidrs.Add((rules[i].Cidr!, i));
            }
        }

        _cidrs = cidrs.ToArray();

        for (var i = 0; i < dnsRules.Count; i++)
        {
            _dns.Add(dnsRules[i].Pattern, i);
        }
    }

    public EgressVerdict EvaluateConnection(IReadOnlyList<string> names, IPAddress? address, int port, TransportProtocol protocol)
    {
        var allowed = int.MaxValue;
        var nearMiss = int.MaxValue;
        var validNames = new List<string>(names.Count);
        foreach (var raw in names)
        {
            if (!HostName.TryNormalize(raw, out var name))
            {
                continue;
            }

            validNames.Add(name);
            foreach (var list in _hosts.Candidates(name))
            {
                Consider(list, port, protocol, ref allowed, ref nearMiss);
            }
        }

        var canonical = address is null ? null : CidrBlock.Canonical(address);
        if (canonical is not null)
        {
            var family = canonical.AddressFamily;
            var number = CidrBlock.ToNumber(canonical);
            foreach (var (block, index) in _cidrs)
            {
                if (block.Contains(family, number))
                {
                    ConsiderOne(index, port, protocol, ref allowed, ref nearMiss);
                }
            }
        }

        var target = Describe(validNames, names.Count, canonical, port, protocol);
        if (allowed != int.MaxValue)
        {
            var rule = _rules[allowed].Reference;
            return EgressVerdict.Allow(rule, $"profile '{_profile}' allows {target} by rule {rule}");
        }

        if (nearMiss != int.MaxValue)
        {
            var rule = _rules[nearMiss];
            return EgressVerdict.Deny(
                $"{rule.Host?.ToString() ?? rule.Cidr!.ToString()} is allowed by profile '{_profile}' only on {rule.DescribePorts()}, not {target} (rule {rule.Reference})",
                rule.Reference);
        }

        return EgressVerdict.Deny($"no egress rule of profile '{_profile}' matches {target}");
    }

    public EgressVerdict EvaluateHostName(string name)
    {
        if (!HostName.TryNormalize(name, out var normalized, out var problem))
        {
            return EgressVerdict.Deny($"'{Printable.Of(name)}' is not a valid host name ({problem})");
        }

        var first = FirstIndex(_hosts, normalized);
        if (first == int.MaxValue)
        {
            return EgressVerdict.Deny($"no egress rule of profile '{_profile}' matches host name {normalized}");
        }

        var rule = _rules[first].Reference;
        return EgressVerdict.Allow(rule, $"profile '{_profile}' allows host name {normalized} by rule {rule}");
    }

    public EgressVerdict EvaluateDnsQuery(string name)
    {
        if (!HostName.TryNormalize(name, out var normalized, out var problem))
        {
            return EgressVerdict.Deny($"'{Printable.Of(name)}' is not a valid DNS name ({problem})");
        }

        var host = FirstIndex(_hosts, normalized);
        if (host != int.MaxValue)
        {
            var rule = _rules[host].Reference;
            return EgressVerdict.Allow(rule, $"profile '{_profile}' allows resolving {normalized} by egress rule {rule}");
        }

        var dns = FirstIndex(_dns, normalized);
        if (dns != int.MaxValue)
        {
            var rule = _dnsRules[dns].Reference;
            return EgressVerdict.Allow(rule, $"profile '{_profile}' allows resolving {normalized} by dns rule {rule}");
        }

        return EgressVerdict.Deny($"no egress or dns rule of profile '{_profile}' matches DNS query {normalized}");
    }

    private void Consider(List<int> indexes, int port, TransportProtocol protocol, ref int allowed, ref int nearMiss)
    {
        foreach (var index in indexes)
        {
            if (index >= allowed || ConsiderOne(index, port, protocol, ref allowed, ref nearMiss))
            {
                return;
            }
        }
    }

    private bool ConsiderOne(int index, int port, TransportProtocol protocol, ref int allowed, ref int nearMiss)
    {
        if (index >= allowed)
        {
            return false;
        }

        if (_rules[index].AllowsPort(port, protocol))
        {
            allowed = index;
            return true;
        }

        nearMiss = Math.Min(nearMiss, index);
        return false;
    }

    private static int FirstIndex(HostIndex index, string name)
    {
        var first = int.MaxValue;
        foreach (var list in index.Candidates(name))
        {
            first = Math.Min(first, list[0]);
        }

        return first;
    }

    private static string Describe(List<string> names, int rawCount, IPAddress? address, int port, TransportProtocol protocol)
    {
        var host = address switch
        {
            null => null,
            { AddressFamily: AddressFamily.InterNetworkV6 } => $"[{address}]",
            _ => address.ToString(),
        };
        var who = names.Count switch
        {
            0 when host is not null => host,
            0 => rawCount == 0 ? "(no name, no address)" : "(invalid name)",
            _ when host is not null => $"{string.Join(", ", names)} ({host})",
            _ => string.Join(", ", names),
        };
        return $"{who}:{port}/{protocol.ToString().ToLowerInvariant()}";
    }
}
