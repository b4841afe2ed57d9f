using System.Runtime.InteropServices;
using PacketDotNet;
using PacketDotNet.Utils;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Turns one captured frame into a <see cref="DecodedPacket"/>. PacketDotNet reads the link, IP and
/// transport headers; the IP and TCP/UDP lengths are checked (<see cref="IpLayout"/>) before it
/// decodes them, because PacketDotNet trusts length fields and either throws, which costs
/// microseconds per hostile frame, or hands back slices past the data.
/// Never throws: anything that does not hold together is counted and reported as malformed.
/// </summary>
internal sealed class PacketDecoder
{
    private const int MaxEncapsulationDepth = 4;
    private long _malformed;

    /// <summary>Frames reported as <see cref="DecodeStatus.Malformed"/> since construction.</summary>
    public long MalformedCount => Interlocked.Read(ref _malformed);

    public static bool Supports(LinkLayers linkType) =>
        linkType is LinkLayers.LinuxSll or LinkLayers.LinuxSll2 or LinkLayers.Ethernet
            or LinkLayers.Raw or LinkLayers.RawLegacy or LinkLayers.IPv4 or LinkLayers.IPv6;

    public DecodedPacket Decode(ReadOnlyMemory<byte> frame, LinkLayers linkType)
    {
        if (!MemoryMarshal.TryGetArray(frame, out var bytes))
        {
            bytes = new ArraySegment<byte>(frame.ToArray());
        }

        DecodedPacket result;
        try
        {
            result = Decode(new ByteArraySegment(bytes.Array!, bytes.Offset, bytes.Count), linkType);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException or OverflowException)
        {
            // What the length checks do not cover (VLAN tags, IPv6 extension headers) still
            // reaches PacketDotNet's own indexing; these are the exceptions it throws for that.
            result = DecodedPacket.Malformed;
        }

        if (result.Status == DecodeStatus.Malformed)
        {
            Interlocked.Increment(ref _malformed);
        }

        return result;
    }

    private static DecodedPacket Decode(ByteArraySegment frame, LinkLayers linkType)
    {
        switch (linkType)
        {
            case LinkLayers.LinuxSll when frame.Length >= LinuxSllFields.SLLHeaderLength:
                var sll = new LinuxSllPacket(frame);
                return FromLink(sll, sll.EthernetProtocolType, LinuxSllFields.SLLHeaderLength, DirectionOf((int)sll.Type), frame);
            case LinkLayers.LinuxSll2 when frame.Length >= LinuxSll2Fields.SLL2HeaderLength:
                var sll2 = new LinuxSll2Packet(frame);
                return FromLink(sll2, sll2.EthernetProtocolType, LinuxSll2Fields.SLL2HeaderLength, DirectionOf((int)sll2.Type), frame);
            case LinkLayers.Ethernet when frame.Length >= EthernetFields.HeaderLength:
                var ethernet = new EthernetPacket(frame);
                return FromLink(ethernet, ethernet.Type, EthernetFields.HeaderLength, PacketDirection.Unknown, frame);
            case LinkLayers.Raw or LinkLayers.RawLegacy or LinkLayers.IPv4 or LinkLayers.IPv6:
                return FromRawIp(frame);
            case LinkLayers.LinuxSll or LinkLayers.LinuxSll2 or LinkLayers.Ethernet:
                return DecodedPacket.Malformed;
            default:
                return DecodedPacket.NotIp(PacketDirection.Unknown);
        }
    }

    private static PacketDirection DirectionOf(int sllPacketType) => sllPacketType switch
    {
        (int)LinuxSllType.PacketSentByUs => PacketDirection.Outgoing,
        (int)LinuxSllType.PacketSentToUs => PacketDirection.ToHost,
        _ => PacketDirection.Other,
    };

    /// <summary>Checks an IP packet right behind the link header before PacketDotNet decodes it.</summary>
    private static DecodedPacket FromLink(Packet link, EthernetType type, int headerLength, PacketDirection direction, ByteArraySegment frame)
    {
        var expectedVersion = type switch { EthernetType.IPv4 => 4, EthernetType.IPv6 => 6, _ => 0 };
        if (expectedVersion != 0 && !LooksLikeIp(frame, headerLength, expectedVersion))
        {
            return DecodedPacket.Malformed;
        }

        var payload = link.PayloadPacket;

        // VLAN tags and similar wrappers sit between the link header and IP.
        for (var depth = 0; payload is not null and not IPPacket && depth < MaxEncapsulationDepth; depth++)
        {
            payload = payload is Ieee8021QPacket ? payload.PayloadPacket : null;
        }

        return payload is IPPacket ip ? IpPacketReader.Read(ip, direction, frame) : DecodedPacket.NotIp(direction);
    }

    private static DecodedPacket FromRawIp(ByteArraySegment frame)
    {
        if (frame.Length == 0 || !LooksLikeIp(frame, 0, frame.Bytes[frame.Offset] >> 4))
        {
            return DecodedPacket.Malformed;
        }

        IPPacket ip = frame.Bytes[frame.Offset] >> 4 == 4 ? new IPv4Packet(frame) : new IPv6Packet(frame);
        return IpPacketReader.Read(ip, PacketDirection.Unknown, frame);
    }

    private static bool LooksLikeIp(ByteArraySegment frame, int offset, int expectedVersion) =>
        IpLayout.TryRead(frame.Bytes.AsSpan(frame.Offset + offset, frame.Length - offset), out var layout)
        && layout.Version == expectedVersion;
}
