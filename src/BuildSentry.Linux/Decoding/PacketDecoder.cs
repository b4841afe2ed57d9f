using System.Runtime.InteropServices;
using PacketDotNet;
using PacketDotNet.Utils;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Turns one captured frame into a <see cref="DecodedPacket"/>. PacketDotNet reads the link, IP and
/// transport headers; this class checks what it found against the captured length, because
/// PacketDotNet trusts length fields and either throws or hands back slices past the data.
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
            // PacketDotNet indexes by the length fields it reads; hostile ones land here.
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
            case LinkLayers.LinuxSll:
                if (frame.Length < LinuxSllFields.SLLHeaderLength)
                {
                    return DecodedPacket.Malformed;
                }

                var sll = new LinuxSllPacket(frame);
                return FromLinkPayload(sll.PayloadPacket, DirectionOf((int)sll.Type), frame);
            case LinkLayers.LinuxSll2:
                if (frame.Length < LinuxSll2Fields.SLL2HeaderLength)
                {
                    return DecodedPacket.Malformed;
                }

                var sll2 = new LinuxSll2Packet(frame);
                return FromLinkPayload(sll2.PayloadPacket, DirectionOf((int)sll2.Type), frame);
            case LinkLayers.Ethernet:
                if (frame.Length < EthernetFields.HeaderLength)
                {
                    return DecodedPacket.Malformed;
                }

                return FromLinkPayload(new EthernetPacket(frame).PayloadPacket, PacketDirection.Unknown, frame);
            case LinkLayers.Raw or LinkLayers.RawLegacy or LinkLayers.IPv4 or LinkLayers.IPv6:
                return FromRawIp(frame);
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

    private static DecodedPacket FromRawIp(ByteArraySegment frame)
    {
        if (frame.Length == 0)
        {
            return DecodedPacket.Malformed;
        }

        var version = frame.Bytes[frame.Offset] >> 4;
        return version switch
        {
            4 => FromLinkPayload(new IPv4Packet(frame), PacketDirection.Unknown, frame),
            6 => FromLinkPayload(new IPv6Packet(frame), PacketDirection.Unknown, frame),
            _ => DecodedPacket.Malformed,
        };
    }

    private static DecodedPacket FromLinkPayload(Packet? payload, PacketDirection direction, ByteArraySegment frame)
    {
        // VLAN tags and similar wrappers sit between the link header and IP.
        for (var depth = 0; payload is not null and not IPPacket && depth < MaxEncapsulationDepth; depth++)
        {
            payload = payload is Ieee8021QPacket ? payload.PayloadPacket : null;
        }

        return payload is IPPacket ip ? IpPacketReader.Read(ip, direction, frame) : DecodedPacket.NotIp(direction);
    }
}
