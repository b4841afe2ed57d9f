using System.Net;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// One A, AAAA or CNAME answer record. <paramref name="Address"/> is set for A and AAAA,
/// <paramref name="Target"/> for CNAME; names are normalised like <see cref="DnsQuestion.Name"/>.
/// </summary>
internal sealed record DnsAnswer(string Name, DnsWireType Type, uint Ttl, IPAddress? Address, string? Target);
