namespace BuildSentry.Linux.Decoding;

internal enum DecodeStatus
{
    /// <summary>An IPv4 or IPv6 packet carrying TCP or UDP: every field is filled.</summary>
    Decoded,

    /// <summary>An IP packet carrying something else (ICMP, a later fragment): addresses are filled.</summary>
    OtherTransport,

    /// <summary>Not IP (ARP, LLDP) or a link type the decoder does not handle.</summary>
    NotIp,

    /// <summary>Bytes that do not hold together: truncated headers, lengths past the end.</summary>
    Malformed,
}
