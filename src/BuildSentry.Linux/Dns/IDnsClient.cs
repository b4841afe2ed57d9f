using System.Net;

namespace BuildSentry.Linux.Dns;

/// <summary>Where a query came from and how its reply goes back: a UDP source address or a TCP connection.</summary>
internal interface IDnsClient
{
    DnsTransport Transport { get; }

    IPEndPoint EndPoint { get; }

    ValueTask SendAsync(ReadOnlyMemory<byte> reply, CancellationToken cancellationToken);
}
