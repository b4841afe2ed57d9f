using System.Buffers.Binary;
using System.Net;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Attribution;

namespace BuildSentry.Linux.Tests.Attribution;

public sealed class ConntrackMessagesTests
{
    private static readonly FlowKey Wire = new(TransportProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 40001, IPAddress.Parse("198.18.0.66"), 80);
    private static readonly FlowKey Original = new(TransportProtocol.Tcp, IPAddress.Parse("172.31.250.2"), 40001, IPAddress.Parse("198.18.0.66"), 80);

    [Fact]
    public void The_request_asks_by_the_reply_tuple_the_server_back_to_the_address_the_packet_left_from()
    {
        var buffer = new byte[ConntrackMessages.MaxRequestSize];

        var length = ConntrackMessages.WriteRequest(Wire, 7, buffer);

        Assert.Equal((uint)length, BinaryPrimitives.ReadUInt32LittleEndian(buffer));
        Assert.Equal((1 << 8) | 1, BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(4))); // ctnetlink GET
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(8)));
        Assert.Equal(2, buffer[16]); // AF_INET
        Assert.Equal(2 | 0x8000, BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(22))); // CTA_TUPLE_REPLY, nested
        Assert.Equal(new FlowKey(TransportProtocol.Tcp, Wire.Destination, 80, Wire.Source, 40001), ReadTuple(buffer.AsSpan(20, length - 20)));
    }

    [Fact]
    public void The_answer_gives_the_original_tuple_ipv4_and_ipv6()
    {
        var v6 = new FlowKey(TransportProtocol.Udp, IPAddress.Parse("fd00:b5e::2"), 5353, IPAddress.Parse("fd00:b5e:1ab::2"), 53);

        Assert.True(ConntrackMessages.TryReadOriginal(Answer(Original, 9), 9, out var four));
        Assert.True(ConntrackMessages.TryReadOriginal(Answer(v6, 10), 10, out var six));

        Assert.Equal(Original, four);
        Assert.Equal(v6, six);
    }

    [Fact]
    public void An_error_another_requests_answer_or_a_tuple_without_ports_is_no_answer()
    {
        var error = new byte[36];
        BinaryPrimitives.WriteUInt32LittleEndian(error, 36);
        BinaryPrimitives.WriteUInt16LittleEndian(error.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(error.AsSpan(8), 3);

        Assert.False(ConntrackMessages.TryReadOriginal(error, 3, out _));
        Assert.False(ConntrackMessages.TryReadOriginal(Answer(Original, 4), 5, out _));
        Assert.False(ConntrackMessages.TryReadOriginal(Answer(Original, 4, withPorts: false), 4, out _));
    }

    [Fact]
    public void No_cut_flipped_or_random_answer_throws_and_only_whole_ones_are_read()
    {
        var answer = Answer(Original, 1);
        for (var cut = 0; cut < answer.Length; cut++)
        {
            Assert.False(ConntrackMessages.TryReadOriginal(answer.AsSpan(0, cut), 1, out _));
        }

        var random = new Random(17);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])answer.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            if (ConntrackMessages.TryReadOriginal(bytes, 1, out var read))
            {
                Assert.True(read.Protocol is TransportProtocol.Tcp or TransportProtocol.Udp);
            }

            var noise = new byte[random.Next(0, 200)];
            random.NextBytes(noise);
            ConntrackMessages.TryReadOriginal(noise, BinaryPrimitives.ReadUInt32LittleEndian(noise.Length >= 12 ? noise.AsSpan(8) : new byte[4]), out _);
        }
    }

    /// <summary>An IPCTNL_MSG_CT_NEW as the kernel answers a GET: nfgenmsg, a status attribute, then CTA_TUPLE_ORIG.</summary>
    private static byte[] Answer(FlowKey original, uint sequence, bool withPorts = true)
    {
        var v4 = original.Source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var ip = Attribute(1, Attribute((ushort)(v4 ? 1 : 3), original.Source.GetAddressBytes())
            .Concat(Attribute((ushort)(v4 ? 2 : 4), original.Destination.GetAddressBytes())).ToArray());
        var protoBody = Attribute(1, [(byte)(original.Protocol == TransportProtocol.Tcp ? 6 : 17)]);
        if (withPorts)
        {
            protoBody = [.. protoBody, .. Attribute(2, Port(original.SourcePort)), .. Attribute(3, Port(original.DestinationPort))];
        }

        var tuple = Attribute(1, [.. ip, .. Attribute(2, protoBody)]);
        byte[] body = [(byte)(v4 ? 2 : 10), 0, 0, 0, .. Attribute(3, [0, 0, 1, 0x8a]), .. tuple];
        var message = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), 1 << 8);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), sequence);
        body.CopyTo(message, 16);
        return message;
    }

    private static byte[] Port(int port) => [(byte)(port >> 8), (byte)port];

    private static byte[] Attribute(ushort type, byte[] value)
    {
        var padded = new byte[(4 + value.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(padded, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(padded.AsSpan(2), (ushort)(type | 0x8000));
        value.CopyTo(padded, 4);
        return padded;
    }

    /// <summary>Reads the request's tuple back through the answer parser: wrapped as an answer's CTA_TUPLE_ORIG.</summary>
    private static FlowKey ReadTuple(ReadOnlySpan<byte> tupleAttribute)
    {
        var inner = tupleAttribute[4..BinaryPrimitives.ReadUInt16LittleEndian(tupleAttribute)].ToArray();
        byte[] body = [2, 0, 0, 0, .. Attribute(1, inner)];
        var message = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), 1 << 8);
        body.CopyTo(message, 16);
        Assert.True(ConntrackMessages.TryReadOriginal(message, 0, out var flow));
        return flow;
    }
}
