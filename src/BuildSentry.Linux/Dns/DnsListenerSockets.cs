using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Linux.Dns;

/// <summary>Binds the UDP and the TCP listener, on one port number where it can, since clients fall back from one to the other.</summary>
internal static class DnsListenerSockets
{
    private const int SamePortAttempts = 8;
    private const int Backlog = 128;

    public static (Socket Udp, Socket Tcp) Bind(IPAddress address, int port)
    {
        for (var attempt = 1; ; attempt++)
        {
            var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(address, port));
                // With port 0, the free UDP port's TCP twin may be taken; after a few draws any free TCP port will do.
                var tcpPort = port == 0 && attempt > SamePortAttempts ? 0 : ((IPEndPoint)udp.LocalEndPoint!).Port;
                return (udp, Listen(address, tcpPort));
            }
            catch (SocketException e) when (port == 0 && attempt <= SamePortAttempts && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                udp.Dispose();
            }
            catch
            {
                udp.Dispose();
                throw;
            }
        }
    }

    private static Socket Listen(IPAddress address, int port)
    {
        var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            tcp.Bind(new IPEndPoint(address, port));
            tcp.Listen(Backlog);
            return tcp;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }
}
