using System.Buffers.Binary;
using System.Net;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>Builds frames byte by byte as the kernel would hand them to libpcap (checksums left zero).</summary>
internal static class FrameBuilder
{
    public const ushort EtherTypeIpv4 = 0x0800;
    public const ushort EtherTypeIpv6 = 0x86DD;
    public const ushort SllOutgoing = 4;
    public const ushort SllToHost = 0;

    public static byte[] Tcp(ushort sourcePort, ushort destinationPort, TcpFlags flags, uint sequence, ReadOnlySpan<byte> payload, int optionBytes = 0)
    {
        var header = 20 + optionBytes;
        var tcp = new byte[header + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), sequence);
        tcp[12] = (byte)(header / 4 << 4);
        tcp[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 64240);
        for (var i = 20; i < header; i++)
        {
            tcp[i] = 1;
        }

        payload.CopyTo(tcp.AsSpan(header));
        return tcp;
    }

    public static byte[] Udp(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8));
        return udp;
    }

    public static byte[] Ipv4(string source, string destination, IpTransport protocol, ReadOnlySpan<byte> transport, ushort fragmentOffset = 0)
    {
        var ip = new byte[20 + transport.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), fragmentOffset);
        ip[8] = 64;
        ip[9] = (byte)protocol;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(ip, 12);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(ip, 16);
        transport.CopyTo(ip.AsSpan(20));
        return ip;
    }

    public static byte[] Ipv6(string source, string destination, IpTransport protocol, ReadOnlySpan<byte> transport)
    {
        var ip = new byte[40 + transport.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)transport.Length);
        ip[6] = (byte)protocol;
        ip[7] = 64;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(ip, 8);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(ip, 24);
        transport.CopyTo(ip.AsSpan(40));
        return ip;
    }

    /// <summary>A cooked v1 header as the "any" device writes it (DLT_LINUX_SLL).</summary>
    public static byte[] Sll(ushort packetType, ushort etherType, ReadOnlySpan<byte> ip)
    {
        var frame = new byte[16 + ip.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, packetType);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), etherType);
        ip.CopyTo(frame.AsSpan(16));
        return frame;
    }

    /// <summary>A cooked v2 header (DLT_LINUX_SLL2): protocol first, packet type at offset 10.</summary>
    public static byte[] Sll2(byte packetType, ushort etherType, ReadOnlySpan<byte> ip)
    {
        var frame = new byte[20 + ip.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, etherType);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(8), 1);
        frame[10] = packetType;
        frame[11] = 6;
        ip.CopyTo(frame.AsSpan(20));
        return frame;
    }

    public static byte[] Ethernet(ushort etherType, ReadOnlySpan<byte> ip, int padding = 0)
    {
        var frame = new byte[14 + ip.Length + padding];
        frame[0] = 0x02;
        frame[6] = 0x02;
        frame[11] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        ip.CopyTo(frame.AsSpan(14));
        return frame;
    }

    public static byte[] SllTcpSyn() =>
        Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.5", "93.184.216.34", IpTransport.Tcp, Tcp(40000, 443, TcpFlags.Syn, 12345, [], optionBytes: 20)));
}
