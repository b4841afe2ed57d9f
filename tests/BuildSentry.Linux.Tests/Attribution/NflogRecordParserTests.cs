using System.Buffers.Binary;
using System.Net;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Attribution;

namespace BuildSentry.Linux.Tests.Attribution;

public sealed class NflogRecordParserTests
{
    private static readonly byte[] Ipv4Udp =
    [
        0x45, 0, 0, 29, 0, 0, 0x40, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2, // IPv4, UDP
        0xb0, 0x12, 0, 53, 0, 9, 0, 0, 0x78, // 45074 -> 53
    ];

    [Fact]
    public void Reads_the_prefix_and_the_flow_of_each_packet_message_in_a_datagram()
    {
        var ipv6Syn = new byte[60];
        ipv6Syn[0] = 0x60;
        ipv6Syn[6] = 6;
        IPAddress.Parse("fd00::1").GetAddressBytes().CopyTo(ipv6Syn, 8);
        IPAddress.Parse("fd00::10").GetAddressBytes().CopyTo(ipv6Syn, 24);
        BinaryPrimitives.WriteUInt16BigEndian(ipv6Syn.AsSpan(40), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(ipv6Syn.AsSpan(42), 443);
        var datagram = Message("bsjob:7", Ipv4Udp).Concat(Message("bsjob:12", ipv6Syn)).ToArray();

        var records = Parse(datagram);

        Assert.Equal(
        [
            ("bsjob:7", new FlowKey(TransportProtocol.Udp, IPAddress.Parse("198.18.0.1"), 45074, IPAddress.Parse("198.18.0.2"), 53)),
            ("bsjob:12", new FlowKey(TransportProtocol.Tcp, IPAddress.Parse("fd00::1"), 40000, IPAddress.Parse("fd00::10"), 443)),
        ], records);
    }

    [Fact]
    public void Messages_without_a_prefix_a_transport_or_whole_headers_are_skipped()
    {
        var icmp = (byte[])Ipv4Udp.Clone();
        icmp[9] = 1;
        var badIhl = (byte[])Ipv4Udp.Clone();
        badIhl[0] = 0x4f; // 60-byte header in a 29-byte packet

        Assert.Empty(Parse(Message("", Ipv4Udp)));
        Assert.Empty(Parse(Message("bsjob:1", icmp)));
        Assert.Empty(Parse(Message("bsjob:1", badIhl)));
        Assert.Empty(Parse(Message("bsjob:1", Ipv4Udp[..22])));
        Assert.Empty(Parse(Message("bsjob:1", [])));
    }

    [Fact]
    public void No_byte_sequence_throws()
    {
        var random = new Random(7);
        var valid = Message("bsjob:3", Ipv4Udp);
        for (var i = 0; i < 20_000; i++)
        {
            var input = i % 2 == 0 ? new byte[random.Next(0, 200)] : (byte[])valid.Clone();
            if (i % 2 == 0)
            {
                random.NextBytes(input);
            }
            else
            {
                for (var flips = 0; flips < 4; flips++)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                input = input[..random.Next(input.Length + 1)];
            }

            Parse(input); // must not throw
        }
    }

    private static List<(string, FlowKey)> Parse(byte[] datagram)
    {
        var records = new List<(string, FlowKey)>();
        NflogRecordParser.Parse(datagram, (prefix, flow) => records.Add((prefix, flow)));
        return records;
    }

    /// <summary>nlmsghdr + nfgenmsg + NFULA_PREFIX + NFULA_PAYLOAD, as nfnetlink_log sends them.</summary>
    private static byte[] Message(string prefix, byte[] packet)
    {
        var body = new List<byte> { 2, 0, 0, 17 };
        if (prefix.Length > 0)
        {
            Attribute(body, 10, [.. System.Text.Encoding.ASCII.GetBytes(prefix), 0]);
        }

        Attribute(body, 9, packet);
        var message = new byte[16 + body.Count];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), 4 << 8);
        body.CopyTo(message, 16);
        return message;
    }

    private static void Attribute(List<byte> body, ushort type, byte[] value)
    {
        var length = 4 + value.Length;
        body.AddRange([(byte)length, (byte)(length >> 8), (byte)type, (byte)(type >> 8)]);
        body.AddRange(value);
        body.AddRange(new byte[((length + 3) & ~3) - length]);
    }
}
