using System.Net;
using System.Text.Json.Serialization;

namespace BuildSentry.Core.Network;

/// <summary>One answer record: an address (A, AAAA) or an alias target (CNAME) for <see cref="Name"/>.</summary>
public sealed record DnsRecord(
    string Name,
    DnsRecordType Type,
    uint Ttl,
    [property: JsonConverter(typeof(IPAddressJsonConverter))] IPAddress? Address,
    string? Target);

public enum DnsRecordType : ushort
{
    A = 1,
    Cname = 5,
    Aaaa = 28,
}
