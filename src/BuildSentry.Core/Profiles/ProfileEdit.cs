using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Core.Profiles;

/// <summary>
/// Profile lines written by BuildSentry, in the flow form of the starter profiles: the fix a violation
/// names and the rules <c>profile suggest</c> proposes. Names are written normalised, so a line always
/// loads and means what it says; a name that does not normalise gets no line (no rule could allow it).
/// </summary>
public static class ProfileEdit
{
    /// <summary><c>{ host: api.example.com, ports: [443], protocol: tcp }</c>; wildcards are quoted (YAML reads a
    /// leading <c>*</c> as an alias).</summary>
    public static string HostEntry(HostPattern host, IEnumerable<int> ports, TransportProtocol? protocol)
    {
        var text = host.ToString();
        return Entry("host", host.IsWildcard ? $"\"{text}\"" : text, ports, protocol);
    }

    /// <summary>An address reached with no name: exactly that address, <c>/32</c> or <c>/128</c>.</summary>
    public static string AddressEntry(IPAddress address, IEnumerable<int> ports, TransportProtocol? protocol)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var cidr = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"\"{address}/128\"" : $"{address}/32";
        return Entry("cidr", cidr, ports, protocol);
    }

    /// <summary>The smallest edit that allows a connection the profile denied: a host rule for the name it was reached
    /// by (the TLS server name or HTTP Host when there is one, else the first DNS name), else a rule for its address.</summary>
    public static string? ForConnection(ResolvedProfile? profile, IReadOnlyList<string> names, string? serverName, IPAddress address,
        int port, TransportProtocol protocol)
    {
        if (profile is null)
        {
            return null;
        }

        var name = serverName is not null && !IPAddress.TryParse(serverName, out _) ? serverName : names.FirstOrDefault();
        string entry;
        if (name is null)
        {
            entry = AddressEntry(address, [port], protocol);
        }
        else if (HostName.TryNormalize(name, out var normalized))
        {
            entry = HostEntry(new HostPattern(normalized, false), [port], protocol);
        }
        else
        {
            return null;
        }

        return Add(entry, "egress", profile);
    }

    /// <summary>For a DNS query: the name on the profile's <c>dns:</c> list (a host rule for it would allow it too).</summary>
    public static string? ForDnsQuery(ResolvedProfile? profile, string name) =>
        profile is not null && HostName.TryNormalize(name, out var normalized) ? Add(normalized, "dns", profile) : null;

    /// <summary>For a denied process: the deny entry that matched, where it is written (maybe a profile extended).</summary>
    public static string? ForProcess(RuleReference? rule) =>
        rule is null ? null : $"remove \"{rule.Text}\" from processes.deny in {rule.Source} (line {rule.Line})";

    private static string Add(string entry, string list, ResolvedProfile profile) =>
        $"add \"- {entry}\" to {list} of profile '{profile.Name}' in {profile.Source}";

    private static string Entry(string key, string value, IEnumerable<int> ports, TransportProtocol? protocol)
    {
        var text = $"{{ {key}: {value}";
        var list = ports.Distinct().Order().Select(p => p.ToString(CultureInfo.InvariantCulture)).ToList();
        if (list.Count > 0)
        {
            text += $", ports: [{string.Join(", ", list)}]";
        }

        if (protocol is { } p)
        {
            text += $", protocol: {p.ToString().ToLowerInvariant()}";
        }

        return text + " }";
    }
}
