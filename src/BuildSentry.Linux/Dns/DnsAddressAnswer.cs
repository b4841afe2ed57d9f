using System.Net;

namespace BuildSentry.Linux.Dns;

/// <summary>One A or AAAA record of an upstream answer: its owner name (normalised like a question name), address and TTL.</summary>
public sealed record DnsAddressAnswer(string Name, IPAddress Address, TimeSpan Ttl);
