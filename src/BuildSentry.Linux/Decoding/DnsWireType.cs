namespace BuildSentry.Linux.Decoding;

/// <summary>
/// DNS RR TYPE values as the parser reads them off the wire (RFC 1035, 3596, 9460); any other value passes
/// through as its number. Core's DnsRecordType is the few types a report keeps; NetworkSensor maps one to the other.
/// </summary>
public enum DnsWireType : ushort
{
    A = 1,
    Ns = 2,
    Cname = 5,
    Soa = 6,
    Ptr = 12,
    Mx = 15,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Svcb = 64,
    Https = 65,
    Any = 255,
}
