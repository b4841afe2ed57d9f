using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// ctnetlink (NETLINK_NETFILTER, NFNL_SUBSYS_CTNETLINK) messages for one question: which flow did a packet seen
/// leaving the host start as, before the host's source NAT rewrote it. The request is IPCTNL_MSG_CT_GET keyed by the
/// connection's reply tuple (the packet reversed); the answer's CTA_TUPLE_ORIG is the flow as its socket made it.
/// Answers are hostile bytes like any other: every length is checked, anything short or unexpected is no answer.
/// </summary>
internal static class ConntrackMessages
{
    private const ushort CtGet = (1 << 8) | 1, CtNew = 1 << 8;
    private const ushort NlmFRequest = 1;
    private const ushort NlaNested = 0x8000, NlaTypeMask = 0x3fff;
    private const ushort TupleOrig = 1, TupleReply = 2;
    private const ushort TupleIp = 1, TupleProto = 2;
    private const ushort IpV4Src = 1, IpV4Dst = 2, IpV6Src = 3, IpV6Dst = 4;
    private const ushort ProtoNum = 1, ProtoSrcPort = 2, ProtoDstPort = 3;
    private const int HeaderSize = 16, GenSize = 4;

    /// <summary>Room enough for an IPv6 request.</summary>
    public const int MaxRequestSize = 128;

    /// <summary>Writes the GET for the connection <paramref name="wire"/> (a packet leaving the host) answers; returns its length.</summary>
    public static int WriteRequest(FlowKey wire, uint sequence, Span<byte> buffer)
    {
        var v4 = wire.Source.AddressFamily == AddressFamily.InterNetwork;
        buffer[..MaxRequestSize].Clear();
        var at = HeaderSize;
        buffer[at] = (byte)(v4 ? 2 : 10); // nfgenmsg: family, version 0, res_id 0
        at += GenSize;
        var tuple = at;
        at += 4;
        var ip = at;
        at += 4;
        // The reply tuple runs from the server back to the address the packet left from.
        at = Address(buffer, at, v4 ? IpV4Src : IpV6Src, wire.Destination);
        at = Address(buffer, at, v4 ? IpV4Dst : IpV6Dst, wire.Source);
        Header(buffer, ip, TupleIp | NlaNested, at - ip);
        var proto = at;
        at += 4;
        Header(buffer, at, ProtoNum, 5);
        buffer[at + 4] = (byte)(wire.Protocol == TransportProtocol.Tcp ? 6 : 17);
        at += 8;
        at = Port(buffer, at, ProtoSrcPort, wire.DestinationPort);
        at = Port(buffer, at, ProtoDstPort, wire.SourcePort);
        Header(buffer, proto, TupleProto | NlaNested, at - proto);
        Header(buffer, tuple, TupleReply | NlaNested, at - tuple);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)at);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], CtGet);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[6..], NlmFRequest);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[8..], sequence);
        return at;
    }

    /// <summary>The original tuple of the connection in the answer to request <paramref name="sequence"/>; false for
    /// an error (ENOENT: conntrack knows no such connection), another request's answer, or anything malformed.</summary>
    public static bool TryReadOriginal(ReadOnlySpan<byte> datagram, uint sequence, out FlowKey original)
    {
        original = default;
        if (datagram.Length < HeaderSize + GenSize)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(datagram);
        if (length < HeaderSize + GenSize || length > datagram.Length || BinaryPrimitives.ReadUInt16LittleEndian(datagram[4..]) != CtNew
            || BinaryPrimitives.ReadUInt32LittleEndian(datagram[8..]) != sequence)
        {
            return false;
        }

        return Find(datagram[(HeaderSize + GenSize)..(int)length], TupleOrig, out var tuple) && TryReadTuple(tuple, out original);
    }

    private static bool TryReadTuple(ReadOnlySpan<byte> tuple, out FlowKey flow)
    {
        flow = default;
        if (!Find(tuple, TupleIp, out var ip) || !Find(tuple, TupleProto, out var proto)
            || !Find(proto, ProtoNum, out var number) || number.Length < 1 || number[0] is not (6 or 17)
            || !Find(proto, ProtoSrcPort, out var sourcePort) || sourcePort.Length < 2
            || !Find(proto, ProtoDstPort, out var destinationPort) || destinationPort.Length < 2)
        {
            return false;
        }

        if (!(TryAddress(ip, IpV4Src, 4, out var source) && TryAddress(ip, IpV4Dst, 4, out var destination))
            && !(TryAddress(ip, IpV6Src, 16, out source) && TryAddress(ip, IpV6Dst, 16, out destination)))
        {
            return false;
        }

        flow = new FlowKey(number[0] == 6 ? TransportProtocol.Tcp : TransportProtocol.Udp, source,
            BinaryPrimitives.ReadUInt16BigEndian(sourcePort), destination, BinaryPrimitives.ReadUInt16BigEndian(destinationPort));
        return true;
    }

    private static bool TryAddress(ReadOnlySpan<byte> attributes, ushort type, int size, out IPAddress address)
    {
        address = IPAddress.None;
        if (!Find(attributes, type, out var value) || value.Length != size)
        {
            return false;
        }

        address = new IPAddress(value);
        return true;
    }

    /// <summary>The value of the first attribute of <paramref name="type"/> in a run of netlink attributes.</summary>
    private static bool Find(ReadOnlySpan<byte> attributes, ushort type, out ReadOnlySpan<byte> value)
    {
        value = default;
        for (var offset = 0; offset + 4 <= attributes.Length;)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes[offset..]);
            if (length < 4 || length > attributes.Length - offset)
            {
                return false;
            }

            if ((BinaryPrimitives.ReadUInt16LittleEndian(attributes[(offset + 2)..]) & NlaTypeMask) == type)
            {
                value = attributes.Slice(offset + 4, length - 4);
                return true;
            }

            offset += (length + 3) & ~3;
        }

        return false;
    }

    private static int Address(Span<byte> buffer, int at, ushort type, IPAddress address)
    {
        var size = address.AddressFamily == AddressFamily.InterNetwork ? 4 : 16;
        Header(buffer, at, type, 4 + size);
        address.TryWriteBytes(buffer.Slice(at + 4, size), out _);
        return at + 4 + size;
    }

    private static int Port(Span<byte> buffer, int at, ushort type, int port)
    {
        Header(buffer, at, type, 6);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(at + 4)..], (ushort)port);
        return at + 8;
    }

    private static void Header(Span<byte> buffer, int at, ushort type, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[at..], (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[(at + 2)..], type);
    }
}
