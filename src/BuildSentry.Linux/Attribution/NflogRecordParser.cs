using System.Buffers.Binary;
using System.Net;
using System.Text;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// nfnetlink_log datagrams to (rule prefix, flow). Each netlink message is an NFULNL_MSG_PACKET: nfgenmsg, then
/// attributes, among them NFULA_PREFIX (the rule's --nflog-prefix, NUL-terminated) and NFULA_PAYLOAD (the packet
/// from its IP header). Only the IP and transport headers are read; anything short or unexpected is skipped.
/// </summary>
internal static class NflogRecordParser
{
    private const ushort MsgPacket = 4 << 8; // NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET
    private const ushort AttrPayload = 9, AttrPrefix = 10;
    private const int MaxPrefix = 64;

    public static void Parse(ReadOnlySpan<byte> datagram, Action<string, FlowKey> onRecord)
    {
        var offset = 0;
        while (offset + 16 <= datagram.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(datagram[(offset + 4)..]);
            if (length < 16 || length > datagram.Length - offset)
            {
                return;
            }

            if (type == MsgPacket && TryRead(datagram.Slice(offset + 16, length - 16), out var prefix, out var flow))
            {
                onRecord(prefix, flow);
            }

            offset += (length + 3) & ~3;
        }
    }

    private static bool TryRead(ReadOnlySpan<byte> body, out string prefix, out FlowKey flow)
    {
        prefix = "";
        flow = default;
        ReadOnlySpan<byte> payload = default;
        for (var offset = 4; offset + 4 <= body.Length;) // after struct nfgenmsg
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(body[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(body[(offset + 2)..]) & 0x3fff;
            if (length < 4 || length > body.Length - offset)
            {
                return false;
            }

            var value = body.Slice(offset + 4, length - 4);
            if (type == AttrPrefix)
            {
                var end = value.IndexOf((byte)0);
                var text = end >= 0 ? value[..end] : value;
                prefix = text.Length <= MaxPrefix ? Encoding.ASCII.GetString(text) : "";
            }
            else if (type == AttrPayload)
            {
                payload = value;
            }

            offset += (length + 3) & ~3;
        }

        return prefix.Length > 0 && TryReadFlow(payload, out flow);
    }

    /// <summary>The flow of an IPv4 or IPv6 (no extension headers) TCP or UDP packet.</summary>
    internal static bool TryReadFlow(ReadOnlySpan<byte> packet, out FlowKey flow)
    {
        flow = default;
        if (packet.IsEmpty)
        {
            return false;
        }

        int transport, headerLength;
        IPAddress source, destination;
        switch (packet[0] >> 4)
        {
            case 4 when packet.Length >= 20:
                headerLength = (packet[0] & 0x0f) * 4;
                transport = packet[9];
                source = new IPAddress(packet.Slice(12, 4));
                destination = new IPAddress(packet.Slice(16, 4));
                break;
            case 6 when packet.Length >= 40:
                headerLength = 40;
                transport = packet[6];
                source = new IPAddress(packet.Slice(8, 16));
                destination = new IPAddress(packet.Slice(24, 16));
                break;
            default:
                return false;
        }

        if (headerLength < 20 || packet.Length < headerLength + 4 || transport is not (6 or 17))
        {
            return false;
        }

        var ports = packet[headerLength..];
        flow = new FlowKey(transport == 6 ? TransportProtocol.Tcp : TransportProtocol.Udp,
            source, BinaryPrimitives.ReadUInt16BigEndian(ports), destination, BinaryPrimitives.ReadUInt16BigEndian(ports[2..]));
        return true;
    }
}
