using System.Runtime.InteropServices;
using System.Text;
using BuildSentry.Linux.Decoding;
using PacketDotNet;
using static BuildSentry.Linux.Tests.Decoding.FrameBuilder;

namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>
/// Over a million seeded inputs in all, mostly mutations of valid messages and some pure noise:
/// no parser may throw, hang, or let a control character into a name.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly byte[][] DnsSeeds =
    [
        DnsSamples.Query("www.example.com", 1),
        DnsSamples.CnameChainResponse(),
        DnsSamples.AaaaViaCnameResponse(),
        DnsWire.Header(1, 0x8180, 1, 1).Name("a.b").Question(5).Pointer(12).RecordHeader(5, 1, 2).Pointer(14).Build(),
    ];

    private static readonly byte[][] TlsSeeds =
    [
        CapturedFixtures.OpenSslClientHello,
        TlsClientHelloParserTests.SplitIntoRecords(CapturedFixtures.OpenSslClientHello, 7),
        TlsClientHelloParserTests.SplitIntoRecords(CapturedFixtures.OpenSslClientHello, 100),
    ];

    private static readonly byte[][] HttpSeeds =
    [
        CapturedFixtures.CurlRequest,
        Encoding.ASCII.GetBytes("POST /u HTTP/1.0\r\nContent-Length: 3\r\nHOST: [::1]:80\r\n\r\nabc"),
        Encoding.ASCII.GetBytes("CONNECT x:443 HTTP/1.1\nHost: x:443\n\n"),
    ];

    private static readonly (byte[] Frame, LinkLayers Link)[] FrameSeeds =
    [
        (SllTcpSyn(), LinkLayers.LinuxSll),
        (Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.1", "10.0.0.2", TransportProtocol.Udp, Udp(1, 53, DnsSeeds[1]))), LinkLayers.LinuxSll),
        (Sll2(4, EtherTypeIpv6, Ipv6("::1", "::2", TransportProtocol.Tcp, Tcp(1, 443, TcpFlags.Ack, 9, TlsSeeds[0], 12))), LinkLayers.LinuxSll2),
        (Ethernet(EtherTypeIpv4, Ipv4("10.0.0.1", "10.0.0.2", TransportProtocol.Tcp, Tcp(1, 80, TcpFlags.Psh, 1, HttpSeeds[0]))), LinkLayers.Ethernet),
        (Ipv6("::1", "::2", TransportProtocol.Udp, Udp(1, 53, DnsSeeds[0])), LinkLayers.Raw),
        (Ipv4("10.0.0.1", "10.0.0.2", TransportProtocol.Tcp, Tcp(1, 2, TcpFlags.Syn, 3, [], 40)), LinkLayers.Raw),
        (Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.1", "224.0.0.5", (TransportProtocol)89, new byte[24])), LinkLayers.LinuxSll),
        (Ethernet(0x8100, [0, 5, 0x08, 0x00, .. Ipv4("10.0.0.1", "10.0.0.2", TransportProtocol.Tcp, Tcp(1, 80, TcpFlags.Syn, 1, []))]), LinkLayers.Ethernet),
        (Ipv6("::1", "::2", 0, [6, 0, 0, 0, 0, 0, 0, 0, .. Tcp(1, 2, TcpFlags.Syn, 3, [])]), LinkLayers.Raw),
    ];

    private static byte[] MutatedOrNoise(Mutator mutator, byte[][] seeds) =>
        mutator.Random.Next(10) == 0 ? mutator.RandomBytes(600) : mutator.Mutate(mutator.Pick(seeds));

    private static void AssertPrintable(string? name)
    {
        Assert.NotNull(name);
        Assert.All(name, c => Assert.InRange(c, '!', '~'));
    }

    private static void AssertSane(SniffResult result)
    {
        if (result.Status == SniffStatus.Found)
        {
            AssertPrintable(result.Host);
        }
        else
        {
            Assert.Null(result.Host);
        }
    }

    private static void AssertSane(DnsMessage message)
    {
        foreach (var question in message.Questions)
        {
            AssertPrintable(question.Name);
        }

        foreach (var answer in message.Answers)
        {
            AssertPrintable(answer.Name);
            Assert.True(answer.Type == DnsRecordType.Cname ? answer.Target is not null : answer.Address is not null);
        }
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Segments(Mutator mutator, byte[] stream)
    {
        var offset = 0;
        while (offset < stream.Length)
        {
            var length = Math.Min(stream.Length - offset, 1 + mutator.Random.Next(120));
            yield return stream.AsMemory(offset, length);
            offset += length;
        }
    }

    [Fact]
    public void The_DNS_parser_survives_350_000_mutated_and_random_messages()
    {
        int complete = 0, partial = 0, rejected = 0;
        FuzzCampaign.Run(1001, 350_000, m => MutatedOrNoise(m, DnsSeeds), input =>
        {
            if (!DnsMessageParser.TryParse(input, out var message))
            {
                rejected++;
                return;
            }

            AssertSane(message);
            _ = message.IsComplete ? complete++ : partial++;
        });

        // The campaign means something only if mutations reach every outcome often.
        Assert.All(new[] { complete, partial, rejected }, n => Assert.True(n > 10_000, $"{complete}/{partial}/{rejected}"));
    }

    [Fact]
    public void The_DNS_TCP_reassembler_survives_60_000_mutated_streams_in_random_segments()
    {
        var messages = new List<DnsMessage>();
        FuzzCampaign.Run(1002, 60_000, m =>
        {
            var stream = new List<byte>();
            for (var i = 0; i < 3; i++)
            {
                var message = m.Mutate(m.Pick(DnsSeeds));
                stream.AddRange([(byte)(message.Length >> 8), (byte)message.Length, .. message]);
            }

            return m.Mutate([.. stream]);
        }, input =>
        {
            var reassembler = new DnsTcpReassembler();
            messages.Clear();
            var mutator = new Mutator(input.Length);
            foreach (var segment in Segments(mutator, input))
            {
                reassembler.Feed(segment.Span, messages);
                Assert.InRange(reassembler.BufferedBytes, 0, ushort.MaxValue + 2);
            }

            messages.ForEach(AssertSane);
        });
    }

    [Fact]
    public void The_TLS_parser_survives_250_000_mutated_and_random_streams()
    {
        var outcomes = new int[Enum.GetValues<SniffStatus>().Length];
        FuzzCampaign.Run(1003, 250_000, m => MutatedOrNoise(m, TlsSeeds), input =>
        {
            var result = TlsClientHelloParser.Parse(input);
            AssertSane(result);
            outcomes[(int)result.Status]++;
        });

        Assert.All(outcomes, n => Assert.True(n > 100, string.Join('/', outcomes)));
    }

    [Fact]
    public void The_TLS_sniffer_survives_60_000_mutated_streams_in_random_segments() =>
        FuzzCampaign.Run(1004, 60_000, m => MutatedOrNoise(m, TlsSeeds), input =>
        {
            var sniffer = StreamHostSniffer.ForTls();
            foreach (var segment in Segments(new Mutator(input.Length), input))
            {
                AssertSane(sniffer.Feed(segment.Span));
            }
        });

    [Fact]
    public void The_HTTP_parser_survives_200_000_mutated_and_random_requests()
    {
        var outcomes = new int[Enum.GetValues<SniffStatus>().Length];
        FuzzCampaign.Run(1005, 200_000, m => MutatedOrNoise(m, HttpSeeds), input =>
        {
            var result = HttpHostParser.Parse(input);
            AssertSane(result);
            outcomes[(int)result.Status]++;
        });

        Assert.All(outcomes, n => Assert.True(n > 100, string.Join('/', outcomes)));
    }

    [Fact]
    public void The_HTTP_sniffer_survives_40_000_mutated_requests_in_random_segments() =>
        FuzzCampaign.Run(1006, 40_000, m => MutatedOrNoise(m, HttpSeeds), input =>
        {
            var sniffer = StreamHostSniffer.ForHttp();
            foreach (var segment in Segments(new Mutator(input.Length), input))
            {
                AssertSane(sniffer.Feed(segment.Span));
            }
        });

    [Fact]
    public void The_packet_decoder_survives_200_000_mutated_and_random_frames()
    {
        var decoder = new PacketDecoder();
        var link = LinkLayers.Null;
        var outcomes = new int[Enum.GetValues<DecodeStatus>().Length];
        FuzzCampaign.Run(1007, 200_000, m =>
        {
            var (frame, seedLink) = m.Pick(FrameSeeds);
            link = m.Random.Next(10) == 0 ? m.Pick(new[] { LinkLayers.LinuxSll, LinkLayers.Ethernet, LinkLayers.Raw }) : seedLink;
            return m.Random.Next(10) == 0 ? m.RandomBytes(200) : m.Mutate(frame);
        }, input =>
        {
            var packet = decoder.Decode(input, link);
            outcomes[(int)packet.Status]++;
            if (packet.Status == DecodeStatus.Decoded)
            {
                Assert.True(MemoryMarshal.TryGetArray(packet.Payload, out var payload));
                Assert.Same(input, payload.Array);
                Assert.InRange(payload.Offset + payload.Count, 0, input.Length);
            }
        });

        Assert.All(outcomes, n => Assert.True(n > 100, string.Join('/', outcomes)));
        Assert.Equal(outcomes[(int)DecodeStatus.Malformed], decoder.MalformedCount);
    }
}
