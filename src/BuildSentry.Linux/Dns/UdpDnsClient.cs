using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Linux.Dns;

/// <summary>The sender of one datagram: its reply leaves from the listening socket, so the source address matches.</summary>
internal sealed class UdpDnsClient(Socket listener, IPEndPoint endPoint) : IDnsClient
{
    public DnsTransport Transport => DnsTransport.Udp;

    public IPEndPoint EndPoint => endPoint;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> reply, CancellationToken cancellationToken) =>
        await listener.SendToAsync(reply, SocketFlags.None, endPoint, cancellationToken);
}
