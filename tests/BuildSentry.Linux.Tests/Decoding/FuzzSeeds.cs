using System.Text;
using BuildSentry.Linux.Decoding;
using PacketDotNet;
using static BuildSentry.Linux.Tests.Decoding.FrameBuilder;

namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>Valid inputs for the fuzz campaign to mutate, and how a campaign feeds them.</summary>
internal static class FuzzSeeds
{
    public static readonly byte[][] DnsSeeds =
    [
        DnsSamples.Query("www.example.com", 1),
        DnsSamples.CnameChainResponse(),
        DnsSamples.AaaaViaCnameResponse(),
        DnsWire.Header(1, 0x8180, 1, 1).Name("a.b").Question(5).Pointer(12).RecordHeader(5, 1, 2).Pointer(14).Build(),
    ];

    public static readonly byte[][] TlsSeeds =
    [
        CapturedFixtures.OpenSslClientHello,
        CapturedFixtures.CurlClientHello,
        TlsClientHelloParserTests.SplitIntoRecords(CapturedFixtures.OpenSslClientHello, 7),
        TlsClientHelloParserTests.SplitIntoRecords(CapturedFixtures.OpenSslClientHello, 100),
    ];

    public static readonly byte[][] HttpSeeds =
    [
        CapturedFixtures.CurlRequest,
        Encoding.ASCII.GetBytes("POST /u HTTP/1.0\r\nContent-Length: 3\r\nHOST: [::1]:80\r\n\r\nabc"),
        Encoding.ASCII.GetBytes("CONNECT x:443 HTTP/1.1\nHost: x:443\n\n"),
    ];

    public static readonly (byte[] Frame, LinkLayers Link)[] FrameSeeds =
    [
        (SllTcpSyn(), LinkLayers.LinuxSll),
        (Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.1", "10.0.0.2", IpTransport.Udp, Udp(1, 53, DnsSeeds[1]))), LinkLayers.LinuxSll),
        (Sll2(4, EtherTypeIpv6, Ipv6("::1", "::2", IpTransport.Tcp, Tcp(1, 443, TcpFlags.Ack, 9, TlsSeeds[0], 12))), LinkLayers.LinuxSll2),
        (Ethernet(EtherTypeIpv4, Ipv4("10.0.0.1", "10.0.0.2", IpTransport.Tcp, Tcp(1, 80, TcpFlags.Psh, 1, HttpSeeds[0]))), LinkLayers.Ethernet),
        (Ipv6("::1", "::2", IpTransport.Udp, Udp(1, 53, DnsSeeds[0])), LinkLayers.Raw),
        (Ipv4("10.0.0.1", "10.0.0.2", IpTransport.Tcp, Tcp(1, 2, TcpFlags.Syn, 3, [], 40)), LinkLayers.Raw),
        (Sll(SllOutgoing, EtherTypeIpv4, Ipv4("10.0.0.1", "224.0.0.5", (IpTransport)89, new byte[24])), LinkLayers.LinuxSll),
        (Ethernet(0x8100, [0, 5, 0x08, 0x00, .. Ipv4("10.0.0.1", "10.0.0.2", IpTransport.Tcp, Tcp(1, 80, TcpFlags.Syn, 1, []))]), LinkLayers.Ethernet),
        (Ipv6("::1", "::2", 0, [6, 0, 0, 0, 0, 0, 0, 0, .. Tcp(1, 2, TcpFlags.Syn, 3, [])]), LinkLayers.Raw),
    ];

    /// <summary>Nine in ten inputs mutate a seed; one in ten is noise.</summary>
    public static byte[] MutatedOrNoise(Mutator mutator, byte[][] seeds) =>
        mutator.Random.Next(10) == 0 ? mutator.RandomBytes(600) : mutator.Mutate(mutator.Pick(seeds));

    /// <summary>Cuts a stream into segments of 1 to 120 bytes, as TCP might deliver it.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> Segments(Mutator mutator, byte[] stream)
    {
        var offset = 0;
        while (offset < stream.Length)
        {
            var length = Math.Min(stream.Length - offset, 1 + mutator.Random.Next(120));
            yield return stream.AsMemory(offset, length);
            offset += length;
        }
    }
}
