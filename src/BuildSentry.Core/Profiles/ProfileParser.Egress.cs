using BuildSentry.Core.Profiles.Yaml;

namespace BuildSentry.Core.Profiles;

// egress:, dns: and processes:
internal sealed partial class ProfileParser
{
    private static readonly string[] RuleKeys = ["host", "cidr", "ports", "protocol"];
    private static readonly string[] ProcessKeys = ["deny"];

    private void ParseEgress(YNode node)
    {
        foreach (var item in ExpectList(node, "egress", allowSingle: false))
        {
            switch (item)
            {
                case YScalar { IsNull: false } scalar:
                    if (ParseHost(scalar) is { } host)
                    {
                        _profile.Egress.Add(new EgressRule(host, null, [], null, Reference(scalar, scalar.Value)));
                    }

                    break;
                case YMapping mapping:
                    ParseEgressMapping(mapping);
                    break;
                default:
                    Error(item, $"an egress rule must be a host name or a mapping with 'host' or 'cidr', not {item.Kind}", "e.g. '- github.com' or '- { cidr: 10.0.0.0/8, ports: [443] }'");
                    break;
            }
        }
    }

    private void ParseEgressMapping(YMapping mapping)
    {
        CheckKeys(mapping, RuleKeys, "egress rule");
        var hostNode = mapping["host"];
        var cidrNode = mapping["cidr"];
        var shapeValid = (hostNode is null) != (cidrNode is null);
        if (!shapeValid)
        {
            Error(mapping, hostNode is null ? "the egress rule has neither 'host' nor 'cidr'" : "the egress rule has both 'host' and 'cidr'", "write one rule per host or network");
        }

        HostPattern? host = null;
        CidrBlock? cidr = null;
        if (hostNode is not null && ExpectString(hostNode, "host") is not null)
        {
            host = ParseHost((YScalar)hostNode);
        }

        if (cidrNode is not null && ExpectString(cidrNode, "cidr") is { } cidrText)
        {
            if (CidrBlock.TryParse(cidrText, out var block, out var error, out var hint))
            {
                cidr = block;
            }
            else
            {
                Error(cidrNode, error, hint);
            }
        }

        var ports = mapping["ports"] is { } portsNode ? ParsePorts(portsNode) : [];
        TransportProtocol? protocol = null;
        var protocolValid = mapping["protocol"] is not { } protocolNode || TryParseProtocol(protocolNode, out protocol);
        if (!shapeValid || host is null && cidr is null || ports is null || !protocolValid)
        {
            return;
        }

        var text = Describe(host?.ToString() ?? cidr!.ToString(), ports, protocol);
        _profile.Egress.Add(new EgressRule(host, cidr, ports, protocol, Reference(mapping, text)));
    }

    private static string Describe(string destination, List<PortRange> ports, TransportProtocol? protocol)
    {
        var text = ports.Count == 0 ? destination : $"{destination} ports {string.Join(", ", ports)}";
        return protocol is null ? text : $"{text}/{protocol.Value.ToString().ToLowerInvariant()}";
    }

    private HostPattern? ParseHost(YScalar node)
    {
        if (HostPattern.TryParse(node.Value, out var pattern, out var error, out var hint))
        {
            return pattern;
        }

        Error(node, error, hint);
        return null;
    }

    private List<PortRange>? ParsePorts(YNode node)
    {
        var items = ExpectList(node, "ports", allowSingle: true);
        if (items.Count == 0)
        {
            Error(node, "'ports' is empty, which would allow nothing", "leave 'ports' out to allow every port");
            return null;
        }

        var ports = new List<PortRange>();
        var valid = true;
        foreach (var item in items)
        {
            if (ExpectString(item, "a port") is not { } text)
            {
                valid = false;
            }
            else if (PortRange.TryParse(text, out var range, out var error))
            {
                ports.Add(range);
            }
            else
            {
                Error(item, error, "e.g. 443 or \"8000-8100\"");
                valid = false;
            }
        }

        return valid ? ports : null;
    }

    private bool TryParseProtocol(YNode node, out TransportProtocol? protocol)
    {
        protocol = null;
        switch (ExpectString(node, "protocol"))
        {
            case "tcp":
                protocol = TransportProtocol.Tcp;
                return true;
            case "udp":
                protocol = TransportProtocol.Udp;
                return true;
            case { } other:
                Error(node, $"'{Printable.Of(other)}' is not a protocol", "protocol is 'tcp' or 'udp'; leave it out to allow both");
                return false;
            default:
                return false;
        }
    }

    private void ParseDns(YNode node)
    {
        foreach (var item in ExpectList(node, "dns", allowSingle: false))
        {
            if (ExpectString(item, "a dns entry") is not null && ParseHost((YScalar)item) is { } pattern)
            {
                _profile.Dns.Add(new DnsRule(pattern, Reference(item, ((YScalar)item).Value)));
            }
        }
    }

    private void ParseProcesses(YNode node)
    {
        if (ExpectMapping(node, "processes", "write 'processes:' then 'deny: [nc, socat]' indented below it") is not { } mapping)
        {
            return;
        }

        CheckKeys(mapping, ProcessKeys, "processes");
        if (mapping["deny"] is not { } deny)
        {
            return;
        }

        foreach (var item in ExpectList(deny, "deny", allowSingle: false))
        {
            if (ExpectString(item, "a deny entry") is not { } executable)
            {
                continue;
            }

            if (executable.Contains('/', StringComparison.Ordinal) && !executable.StartsWith('/') || executable.EndsWith('/') || executable.Any(char.IsControl))
            {
                Error(item, $"'{Printable.Of(executable)}' is not an executable name or absolute path", "write a file name such as 'nc' or an absolute path such as '/usr/bin/nc'");
                continue;
            }

            _profile.DeniedProcesses.Add(new ProcessRule(executable, Reference(item, executable)));
        }
    }
}
