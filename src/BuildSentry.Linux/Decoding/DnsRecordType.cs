namespace BuildSentry.Linux.Decoding;

/// <summary>DNS RR TYPE values (RFC 1035, 3596, 9460); any other value passes through as its number.</summary>
internal enum DnsRecordType : ushort
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
