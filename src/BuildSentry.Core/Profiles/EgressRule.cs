namespace BuildSentry.Core.Profiles;

/// <summary>
/// One allowed destination: a host pattern or a CIDR, with optional ports (empty: any port) and
/// protocol (null: TCP and UDP).
/// </summary>
public sealed class EgressRule
{
    public EgressRule(HostPattern? host, CidrBlock? cidr, IReadOnlyList<PortRange> ports, TransportProtocol? protocol, RuleReference reference)
    {
        if ((host is null) == (cidr is null))
        {
            throw new ArgumentException("An egress rule has either a host or a CIDR.", nameof(host));
        }

        Host = host;
        Cidr = cidr;
        Ports = ports;
        Protocol = protocol;
        Reference = reference;
    }

    public HostPattern? Host { get; }

    public CidrBlock? Cidr { get; }

    public IReadOnlyList<PortRange> Ports { get; }

    public TransportProtocol? Protocol { get; }

    public RuleReference Reference { get; }

    public bool AllowsPort(int port, TransportProtocol protocol)
    {
        if (Protocol is { } only && only != protocol)
        {
            return false;
        }

        if (Ports.Count == 0)
        {
            return true;
        }

        foreach (var range in Ports)
        {
            if (range.Contains(port))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the rule permits beyond the destination, e.g. <c>ports 443, 8000-8100/tcp</c>.</summary>
    public string DescribePorts()
    {
        var ports = Ports.Count == 0 ? "any port" : "ports " + string.Join(", ", Ports);
        return Protocol is { } protocol ? $"{ports}/{protocol.ToString().ToLowerInvariant()}" : ports;
    }
}
