using System.Net;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Cli;

/// <summary>The parsed arguments of <c>check</c>; the question fields are null when not asked.</summary>
internal sealed record CheckRequest(
    IReadOnlyList<string> Paths,
    string? Profile,
    string? Host,
    IPAddress? Address,
    int Port,
    TransportProtocol Protocol,
    string? DnsName,
    string? Process)
{
    public bool AsksQuestion => Host is not null || Address is not null || DnsName is not null || Process is not null;
}
