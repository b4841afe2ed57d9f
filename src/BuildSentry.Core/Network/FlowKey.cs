using System.Net;
using System.Text.Json.Serialization;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Network;

/// <summary>The 5-tuple of a flow, oriented from the client (the build) to the server.</summary>
public readonly record struct FlowKey(
    TransportProtocol Protocol,
    [property: JsonConverter(typeof(IPAddressJsonConverter))] IPAddress Source,
    int SourcePort,
    [property: JsonConverter(typeof(IPAddressJsonConverter))] IPAddress Destination,
    int DestinationPort)
{
    public override string ToString() =>
        $"{Protocol.ToString().ToLowerInvariant()} {Format(Source, SourcePort)} -> {Format(Destination, DestinationPort)}";

    private static string Format(IPAddress address, int port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}
