using System.Buffers.Binary;
using PacketDotNet;
using PacketDotNet.Utils;

namespace BuildSentry.Linux.Decoding;

/// <summary>Reads the IP and transport layers PacketDotNet found, re-checking each against the captured bytes.</summary>
internal static class IpPacketReader
{
    private const ushort TcpFlagMask = 0x1F;

    public static DecodedPacket Read(IPPacket ip, PacketDirection direction, ByteArraySegment frame)
    {
        var header = ip.HeaderSegment;
        var frameEnd = frame.Offset + frame.Length;
        if (!ReferenceEquals(header.Bytes, frame.Bytes) || header.Offset < frame.Offset || header.Offset > frameEnd
            || !IpLayout.TryRead(frame.Bytes.AsSpan(header.Offset, frameEnd - header.Offset), out var layout))
        {
            return DecodedPacket.Malformed;
        }

        var partial = new DecodedPacket(
            DecodeStatus.OtherTransport, direction, layout.Version, ip.SourceAddress, ip.DestinationAddress,
            IpTransport.None, 0, 0, TcpFlags.None, 0, default);

        // Only TCP and UDP are handed to PacketDotNet: its decoders for other protocols (OSPF,
        // for one) throw plain Exceptions on malformed bytes, and the sensor has no use for them.
        if (layout.IsLaterFragment || ip.Protocol is not (ProtocolType.Tcp or ProtocolType.Udp))
        {
            return partial;
        }

        var bytes = frame.Bytes;
        var ipEnd = header.Offset + layout.Length;
        var transportFloor = header.Offset + layout.HeaderLength;
        switch (ip.PayloadPacket)
        {
            case TcpPacket tcp when InTransport(tcp, transportFloor, ipEnd, IpLayout.Tcp, bytes):
                var tcpStart = tcp.HeaderSegment.Offset;
                var payloadStart = tcpStart + ((bytes[tcpStart + 12] >> 4) * 4);
                return partial with
                {
                    Status = DecodeStatus.Decoded,
                    Transport = IpTransport.Tcp,
                    SourcePort = tcp.SourcePort,
                    DestinationPort = tcp.DestinationPort,
                    TcpFlags = (TcpFlags)(tcp.Flags & TcpFlagMask),
                    SequenceNumber = tcp.SequenceNumber,
                    Payload = new ReadOnlyMemory<byte>(bytes, payloadStart, ipEnd - payloadStart),
                };
            case UdpPacket udp when InTransport(udp, transportFloor, ipEnd, IpLayout.Udp, bytes):
                var udpStart = udp.HeaderSegment.Offset;
                var udpLength = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(udpStart + 4));

                // A capture cut short by the snap length keeps what it has.
                var udpEnd = Math.Min(ipEnd, udpStart + udpLength);
                return partial with
                {
                    Status = DecodeStatus.Decoded,
                    Transport = IpTransport.Udp,
                    SourcePort = udp.SourcePort,
                    DestinationPort = udp.DestinationPort,
                    Payload = new ReadOnlyMemory<byte>(bytes, udpStart + IpLayout.UdpHeader, udpEnd - udpStart - IpLayout.UdpHeader),
                };
            case TcpPacket or UdpPacket:
                return DecodedPacket.Malformed;
            default:
                return partial;
        }
    }

    /// <summary>The transport header PacketDotNet found lies after the IP header and fits before the IP end.</summary>
    private static bool InTransport(Packet transport, int floor, int ipEnd, byte protocol, byte[] bytes)
    {
        var start = transport.HeaderSegment.Offset;
        return start >= floor && start <= ipEnd && IpLayout.TransportHeaderFits(bytes.AsSpan(start, ipEnd - start), protocol);
    }
}
