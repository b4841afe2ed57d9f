using System.Net;

namespace BuildSentry.Testing.Lab;

/// <summary>
/// A name the lab resolver answers. Aliases share their primary host's addresses, servers and
/// receive log (cdn.test is registry.test's address).
/// </summary>
public sealed record LabHost(string Name, IPAddress IPv4, IPAddress IPv6, string PrimaryName)
{
    public bool IsAlias => Name != PrimaryName;
}
