using System.Net;
using BuildSentry.Core.Events;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Kernel;

namespace BuildSentry.Linux.Tests.Kernel;

public sealed class KernelConnectionParserTests
{
    [Fact]
    public void A_tcp_connect_record_decodes_its_process_namespace_and_ipv4_destination()
    {
        var record = Record(KernelRecordKind.Connect, family: 2, protocol: 6, [127, 0, 0, 1], port: 8443, flags: 1);
        Assert.True(KernelConnectionParser.TryParse(record, out var parsed));
        Assert.Equal(
            new KernelConnectionRecord(KernelRecordKind.Connect, 3, 1_000, new ProcessKey(42, KernelRecordParser.ToTicks(5_000_000_000)),
                43, 4026531840, TransportProtocol.Tcp, IPAddress.Loopback, 8443, 77, V4Mapped: true),
            parsed);
    }

    [Fact]
    public void A_udp_record_decodes_an_ipv6_destination()
    {
        var record = Record(KernelRecordKind.UdpSend, family: 10, protocol: 17, IPAddress.IPv6Loopback.GetAddressBytes(), port: 53, flags: 0);
        Assert.True(KernelConnectionParser.TryParse(record, out var parsed));
        Assert.Equal((TransportProtocol.Udp, IPAddress.IPv6Loopback, 53, false), (parsed.Protocol, parsed.Destination, parsed.DestinationPort, parsed.V4Mapped));
    }

    [Theory]
    [InlineData(1, 6)]
    [InlineData(2, 132)]
    public void A_record_with_a_family_or_protocol_the_programs_never_write_is_refused(ushort family, uint protocol)
    {
        Assert.False(KernelConnectionParser.TryParse(Record(KernelRecordKind.Connect, family, protocol, [10, 0, 0, 1], 80, 0), out _));
    }

    [Fact]
    public void A_short_record_is_refused()
    {
        var record = Record(KernelRecordKind.Connect, 2, 6, [127, 0, 0, 1], 80, 0);
        Assert.False(KernelConnectionParser.TryParse(record.AsSpan(0, KernelConnectionParser.RecordBytes - 1), out _));
    }

    [Fact]
    public void Random_bytes_never_make_the_parsers_throw_or_read_past_the_record()
    {
        var random = new Random(16);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 120)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4)
            {
                bytes[0] = (byte)random.Next(0, 8);
                bytes[1] = bytes[2] = bytes[3] = 0;
            }

            if (bytes.Length >= 50 && random.Next(2) == 0)
            {
                bytes[44] = (byte)(random.Next(2) == 0 ? 2 : 10);
                bytes[45] = 0;
                bytes[48] = (byte)(random.Next(2) == 0 ? 6 : 17);
                bytes[49] = 0;
            }

            if (KernelConnectionParser.IsConnection(bytes))
            {
                KernelConnectionParser.TryParse(bytes, out _);
            }
            else
            {
                KernelRecordParser.TryParse(bytes, out _);
            }
        }
    }

    private static byte[] Record(KernelRecordKind kind, ushort family, uint protocol, byte[] address, ushort port, uint flags)
    {
        var record = new byte[KernelConnectionParser.RecordBytes];
        BitConverter.TryWriteBytes(record.AsSpan(0), (uint)kind);
        BitConverter.TryWriteBytes(record.AsSpan(4), 3u);
        BitConverter.TryWriteBytes(record.AsSpan(8), 1_000UL);
        BitConverter.TryWriteBytes(record.AsSpan(16), 5_000_000_000UL);
        BitConverter.TryWriteBytes(record.AsSpan(24), 77UL);
        BitConverter.TryWriteBytes(record.AsSpan(32), 43);
        BitConverter.TryWriteBytes(record.AsSpan(36), 42);
        BitConverter.TryWriteBytes(record.AsSpan(40), 4026531840u);
        BitConverter.TryWriteBytes(record.AsSpan(44), family);
        BitConverter.TryWriteBytes(record.AsSpan(46), port);
        BitConverter.TryWriteBytes(record.AsSpan(48), protocol);
        BitConverter.TryWriteBytes(record.AsSpan(52), flags);
        address.CopyTo(record, 56);
        return record;
    }
}
