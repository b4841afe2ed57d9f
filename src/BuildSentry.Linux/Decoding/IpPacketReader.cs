using System.Buffers.Binary;
using PacketDotNet;
using PacketDotNet.Utils;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Reads the IP and transport layers PacketDotNet found, checking every header length against the
/// captured bytes before PacketDotNet is asked to decode the next layer.
/// </summary>
internal static class IpPacketReader
{
    private const int Ipv4MinHeader = 20;
    private const int Ipv6Header = 40;
    private const int TcpMinHeader = 20;
    private const int UdpHeader = 8;
    private const ushort TcpFlagMask = 0x1F;

    public static DecodedPacket Read(IPPacket ip, PacketDirection direction, ByteArraySegment frame)
    {
        var header = ip.HeaderSegment;
        var frameEnd = frame.Offset + frame.Length;
        if (!ReferenceEquals(header.Bytes, frame.Bytes) || header.Offset < frame.Offset || header.Offset > frameEnd)
        {
            return DecodedPacket.Malformed;
        }

        var bytes = frame.Bytes;
        var start = header.Offset;
        var available = bytes.AsSpan(start, frameEnd - start);
        if (!TryFindIpEnd(available, out var ipLength, out var ipHeaderLength, out var isLaterFragment))
        {
            return DecodedPacket.Malformed;
        }

        var version = (byte)(available[0] >> 4);
        var partial = new DecodedPacket(
            DecodeStatus.OtherTransport, direction, version, ip.SourceAddress, ip.DestinationAddress,
            TransportProtocol.None, 0, 0, TcpFlags.None, 0, default);
        if (isLaterFragment)
        {
            return partial;
        }

        var ipEnd = start + ipLength;
        var transportFloor = start + ipHeaderLength;
        switch (ip.PayloadPacket)
        {
            case TcpPacket tcp when tcp.HeaderSegment.Offset >= transportFloor:
                var tcpStart = tcp.HeaderSegment.Offset;
                if (tcpStart + TcpMinHeader > ipEnd)
                {
                    return DecodedPacket.Malformed;
                }

                var dataOffset = (bytes[tcpStart + 12] >> 4) * 4;
                if (dataOffset < TcpMinHeader || tcpStart + dataOffset > ipEnd)
                {
                    return DecodedPacket.Malformed;
                }

                return partial with
                {
                    Status = DecodeStatus.Decoded,
                    Transport = TransportProtocol.Tcp,
                    SourcePort = tcp.SourcePort,
                    DestinationPort = tcp.DestinationPort,
                    TcpFlags = (TcpFlags)(tcp.Flags & TcpFlagMask),
                    SequenceNumber = tcp.SequenceNumber,
                    Payload = new ReadOnlyMemory<byte>(bytes, tcpStart + dataOffset, ipEnd - tcpStart - dataOffset),
                };
            case UdpPacket udp when udp.HeaderSegment.Offset >= transportFloor:
                var udpStart = udp.HeaderSegment.Offset;
                if (udpStart + UdpHeader > ipEnd)
                {
                    return DecodedPacket.Malformed;
                }

                var udpLength = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(udpStart + 4));
                if (udpLength < UdpHeader)
                {
                    return DecodedPacket.Malformed;
                }

                // A capture cut short by the snap length keeps what it has.
                var udpEnd = Math.Min(ipEnd, udpStart + udpLength);
                return partial with
                {
                    Status = DecodeStatus.Decoded,
                    Transport = TransportProtocol.Udp,
                    SourcePort = udp.SourcePort,
                    DestinationPort = udp.DestinationPort,
                    Payload = new ReadOnlyMemory<byte>(bytes, udpStart + UdpHeader, udpEnd - udpStart - UdpHeader),
                };
            case TcpPacket or UdpPacket:
                return DecodedPacket.Malformed;
            default:
                return partial;
        }
    }

    /// <summary>
    /// Length of the IP packet within the captured bytes: the declared length, or less when the
    /// snap length cut it. Length 0 (segmentation offload, jumbograms) means "to the end".
    /// </summary>
    private static bool TryFindIpEnd(ReadOnlySpan<byte> ip, out int length, out int headerLength, out bool isLaterFragment)
    {
        length = headerLength = 0;
        isLaterFragment = false;
        if (ip.IsEmpty)
        {
            return false;
        }

        int declared;
        switch (ip[0] >> 4)
        {
            case 4 when ip.Length >= Ipv4MinHeader:
                headerLength = (ip[0] & 0x0F) * 4;
                declared = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
                if (headerLength < Ipv4MinHeader || headerLength > ip.Length || (declared != 0 && declared < headerLength))
                {
                    return false;
                }

                isLaterFragment = (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF) != 0;
                break;
            case 6 when ip.Length >= Ipv6Header:
                headerLength = Ipv6Header;
                var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
                declared = payloadLength == 0 ? 0 : Ipv6Header + payloadLength;
                break;
            default:
                return false;
        }

        length = declared == 0 ? ip.Length : Math.Min(declared, ip.Length);
        return true;
    }
}
