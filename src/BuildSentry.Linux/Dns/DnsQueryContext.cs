using System.Net;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Dns;

/// <summary>
/// One query as the policy sees it. <paramref name="Client"/> is the source the forwarder saw (after the kernel's
/// rewrite, the job's own socket); <paramref name="Name"/> is the first question's name as the parser normalises it:
/// lowercased, no trailing dot, every unprintable byte escaped, so it is safe to log and compare.
/// </summary>
public sealed record DnsQueryContext(DnsTransport Transport, IPEndPoint Client, ushort Id, string Name, DnsWireType Type);
