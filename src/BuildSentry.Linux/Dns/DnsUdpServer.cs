using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Dns;

/// <summary>Receives datagrams on the UDP listener and hands each to the query handler without waiting for its answer.</summary>
internal sealed class DnsUdpServer(Socket socket, DnsQueryHandler handler, ILogger logger, TimeProvider time)
{
    private readonly TaskGroup _pending = new();

    public async Task RunAsync(CancellationToken stopping)
    {
        // Big enough for any datagram, so none is cut short and misread.
        var buffer = GC.AllocateUninitializedArray<byte>(DnsTcpFraming.MaxMessageLength);
        EndPoint anySource = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, anySource, stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                DnsForwarderLog.ReceiveFailed(logger, DnsTransport.Udp, e.Message);
                continue;
            }

            var receivedAt = time.GetTimestamp();
            var client = new UdpDnsClient(socket, (IPEndPoint)received.RemoteEndPoint);
            _pending.Add(handler.HandleAsync(client, buffer[..received.ReceivedBytes], receivedAt, stopping));
        }

        await _pending.WhenAll();
    }
}
