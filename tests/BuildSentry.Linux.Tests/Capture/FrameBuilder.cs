using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Linux.Tests.Capture;

/// <summary>Hand-built frames for filter tests: a cooked (SLL) or Ethernet header, IPv4/IPv6, TCP/UDP.</summary>
internal static class FrameBuilder
{
    public const ushort SllHost = 0;
    public const ushort SllOutgoing = 4;

    /// <summary>The incoming copy of a loopback packet, the one libpcap keeps.</summary>
    public const ushort SllLoopback = 0x8000 | SllHost;
    public const byte Syn = 0x02;
    public const byte Ack = 0x10;
    public const byte Psh = 0x08;

    public static byte[] Tcp(ushort sllType, IPAddress source, int sourcePort, IPAddress destination, int destinationPort, byte flags, byte[]? payload = null) =>
        Sll(sllType, Ip(source, destination, 6, TcpSegment(sourcePort, destinationPort, flags, payload ?? [])));

    public static byte[] Udp(ushort sllType, IPAddress source, int sourcePort, IPAddress destination, int destinationPort, byte[] payload) =>
        Sll(sllType, Ip(source, destination, 17, UdpDatagram(sourcePort, destinationPort, payload)));

    public static byte[] EthernetTcp(IPAddress source, int sourcePort, IPAddress destination, int destinationPort, byte flags, byte[]? payload = null)
    {
        var ip = Ip(source, destination, 6, TcpSegment(sourcePort, destinationPort, flags, payload ?? []));
        var frame = new byte[14 + ip.Length];
        frame.AsSpan(0, 12).Fill(0x02);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherType(source));
        ip.CopyTo(frame, 14);
        return frame;
    }

    private static byte[] Sll(ushort packetType, byte[] ip)
    {
        var frame = new byte[16 + ip.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)(packetType & 0xff));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)((packetType & 0x8000) != 0 ? 772 : 1)); // ARPHRD_LOOPBACK or ARPHRD_ETHER
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), (ushort)(ip[0] >> 4 == 4 ? 0x0800 : 0x86dd));
        ip.CopyTo(frame, 16);
        return frame;
    }

    private static ushort EtherType(IPAddress address) =>
        (ushort)(address.AddressFamily == AddressFamily.InterNetwork ? 0x0800 : 0x86dd);

    private static byte[] Ip(IPAddress source, IPAddress destination, byte protocol, byte[] transport)
    {
        if (source.AddressFamily == AddressFamily.InterNetwork)
        {
            var v4 = new byte[20 + transport.Length];
            v4[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(v4.AsSpan(2), (ushort)v4.Length);
            v4[8] = 64;
            v4[9] = protocol;
            source.GetAddressBytes().CopyTo(v4, 12);
            destination.GetAddressBytes().CopyTo(v4, 16);
            transport.CopyTo(v4, 20);
            return v4;
        }
        var v6 = new byte[40 + transport.Length];
        v6[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(v6.AsSpan(4), (ushort)transport.Length);
        v6[6] = protocol;
        v6[7] = 64;
        source.GetAddressBytes().CopyTo(v6, 8);
        destination.GetAddressBytes().CopyTo(v6, 24);
        transport.CopyTo(v6, 40);
        return v6;
    }

    private static byte[] TcpSegment(int sourcePort, int destinationPort, byte flags, byte[] payload)
    {
        var segment = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(segment, (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)destinationPort);
        segment[12] = 5 << 4;
        segment[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 65535);
        payload.CopyTo(segment, 20);
        return segment;
    }

    private static byte[] UdpDatagram(int sourcePort, int destinationPort, byte[] payload)
    {
        var datagram = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), (ushort)destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)datagram.Length);
        payload.CopyTo(datagram, 8);
        return datagram;
    }
}
