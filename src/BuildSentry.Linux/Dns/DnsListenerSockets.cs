using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Linux.Dns;

/// <summary>Binds the UDP and the TCP listener, on one port number where it can, since clients fall back from one to the other.</summary>
internal static class DnsListenerSockets
{
    private const int SamePortAttempts = 8;
    private const int Backlog = 128;

    // IP_FREEBIND and IPV6_FREEBIND (linux/in.h, linux/in6.h).
    private const int IpFreeBind = 15;
    private const int Ipv6FreeBind = 78;

    public static (Socket Udp, Socket Tcp) Bind(IPAddress address, int port, bool freeBind = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            var udp = Create(address, SocketType.Dgram, ProtocolType.Udp, freeBind);
            try
            {
                udp.Bind(new IPEndPoint(address, port));
                // With port 0, the free UDP port's TCP twin may be taken; after a few draws any free TCP port will do.
                var tcpPort = port == 0 && attempt > SamePortAttempts ? 0 : ((IPEndPoint)udp.LocalEndPoint!).Port;
                return (udp, Listen(address, tcpPort, freeBind));
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

    private static Socket Listen(IPAddress address, int port, bool freeBind)
    {
        var tcp = Create(address, SocketType.Stream, ProtocolType.Tcp, freeBind);
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

    private static Socket Create(IPAddress address, SocketType type, ProtocolType protocol, bool freeBind)
    {
        var socket = new Socket(address.AddressFamily, type, protocol);
        if (freeBind)
        {
            var v4 = address.AddressFamily == AddressFamily.InterNetwork;
            try
            {
                socket.SetRawSocketOption(v4 ? 0 : 41, v4 ? IpFreeBind : Ipv6FreeBind, BitConverter.GetBytes(1));
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        return socket;
    }
}
