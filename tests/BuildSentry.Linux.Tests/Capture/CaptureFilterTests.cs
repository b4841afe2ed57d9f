using System.Net;
using System.Text;
using BuildSentry.Linux.Capture;
using PacketDotNet;
using SharpPcap.LibPcap;
using static BuildSentry.Linux.Tests.Capture.FrameBuilder;

namespace BuildSentry.Linux.Tests.Capture;

public sealed class CaptureFilterTests
{
    private static readonly IPAddress Local4 = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress Remote4 = IPAddress.Parse("203.0.113.9");
    private static readonly IPAddress Local6 = IPAddress.Parse("2001:db8::2");
    private static readonly IPAddress Remote6 = IPAddress.Parse("2001:db8:1::9");

    private static readonly byte[] ClientHello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];

    public CaptureFilterTests() => Requirements.RootAndLibpcap();

    [Theory]
    [InlineData(LinkLayers.LinuxSll, FilterDirection.Live)]
    [InlineData(LinkLayers.Ethernet, FilterDirection.Live)]
    [InlineData(LinkLayers.LinuxSll, FilterDirection.CookedFile)]
    [InlineData(LinkLayers.Ethernet, FilterDirection.None)]
    public void The_filter_compiles_with_libpcap_for_the_any_device_and_for_ethernet(LinkLayers linkType, FilterDirection direction)
    {
        var text = CaptureFilter.Build(new CaptureFilterOptions(), direction);

        using var program = BpfProgram.TryCreate(linkType, text, 1, 0);

        Assert.NotNull(program);
        Assert.False(program.IsInvalid);
    }

    [Fact]
    public void A_dns_port_outside_the_port_range_is_refused() =>
        Assert.Throws<ArgumentException>(() => CaptureFilter.Build(new CaptureFilterOptions { DnsPorts = [70000] }));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Outbound_syns_pass_and_inbound_syns_and_syn_acks_do_not(bool v6)
    {
        var (local, remote) = v6 ? (Local6, Remote6) : (Local4, Remote4);

        Assert.True(Passes(Tcp(SllOutgoing, local, 40000, remote, 443, Syn)));
        Assert.False(Passes(Tcp(SllHost, remote, 40000, local, 443, Syn)));
        Assert.False(Passes(Tcp(SllOutgoing, local, 443, remote, 40000, Syn | Ack)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void On_loopback_the_incoming_copy_stands_for_the_outbound_packet(bool v6)
    {
        var (local, remote) = v6 ? (IPAddress.IPv6Loopback, IPAddress.IPv6Loopback) : (IPAddress.Loopback, IPAddress.Loopback);

        Assert.True(Passes(Tcp(SllLoopback, local, 40000, remote, 8080, Syn)));
        Assert.True(Passes(Tcp(SllLoopback, local, 40000, remote, 8080, Psh | Ack, ClientHello)));
        Assert.False(Passes(Tcp(SllLoopback, local, 40000, remote, 8080, Ack, new byte[1400])));
        Assert.True(Passes(Udp(SllLoopback, remote, 53, local, 40000, new byte[60])));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Outbound_client_hellos_and_http_requests_pass_but_bulk_segments_and_bare_acks_do_not(bool v6)
    {
        var (local, remote) = v6 ? (Local6, Remote6) : (Local4, Remote4);

        Assert.True(Passes(Tcp(SllOutgoing, local, 40000, remote, 443, Psh | Ack, ClientHello)));
        Assert.True(Passes(Tcp(SllOutgoing, local, 40000, remote, 80, Psh | Ack, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))));
        Assert.True(Passes(Tcp(SllOutgoing, local, 40000, remote, 80, Psh | Ack, Encoding.ASCII.GetBytes("CONNECT x:443 HTTP/1.1\r\n\r\n"))));
        Assert.False(Passes(Tcp(SllOutgoing, local, 40000, remote, 443, Ack, new byte[1400])));
        Assert.False(Passes(Tcp(SllOutgoing, local, 40000, remote, 443, Ack, [0x17, 0x03, 0x03, 0x40, 0x00, 0x01])));
        Assert.False(Passes(Tcp(SllOutgoing, local, 40000, remote, 443, Ack)));
        Assert.False(Passes(Tcp(SllHost, remote, 443, local, 40000, Psh | Ack, ClientHello)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dns_queries_pass_outbound_and_answers_pass_inbound_only(bool v6)
    {
        var (local, remote) = v6 ? (Local6, Remote6) : (Local4, Remote4);
        var options = new CaptureFilterOptions { DnsPorts = [53, 5300] };

        Assert.True(Passes(Udp(SllOutgoing, local, 40000, remote, 5300, new byte[30]), options));
        Assert.True(Passes(Udp(SllHost, remote, 5300, local, 40000, new byte[60]), options));
        Assert.True(Passes(Tcp(SllHost, remote, 53, local, 40000, Ack, new byte[600]), options));
        Assert.False(Passes(Udp(SllHost, local, 40000, remote, 5300, new byte[30]), options));
        Assert.False(Passes(Udp(SllOutgoing, remote, 5300, local, 40000, new byte[60]), options));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Outbound_udp_passes_except_quic_short_headers_to_port_443(bool v6)
    {
        var (local, remote) = v6 ? (Local6, Remote6) : (Local4, Remote4);
        byte[] shortHeader = [0x43, 1, 2, 3, 4, 5];
        byte[] initial = [0xc3, 0, 0, 0, 1, 8];

        Assert.True(Passes(Udp(SllOutgoing, local, 40000, remote, 443, initial)));
        Assert.False(Passes(Udp(SllOutgoing, local, 40000, remote, 443, shortHeader)));
        Assert.True(Passes(Udp(SllOutgoing, local, 40000, remote, 443, shortHeader), new CaptureFilterOptions { DropQuicShortHeaders = false }));
        Assert.True(Passes(Udp(SllOutgoing, local, 40000, remote, 51820, shortHeader)));
        Assert.False(Passes(Udp(SllHost, remote, 51820, local, 40000, shortHeader)));
    }

    [Fact]
    public void Without_direction_an_ethernet_frame_is_judged_by_content_alone()
    {
        var text = CaptureFilter.Build(new CaptureFilterOptions(), FilterDirection.None);
        using var program = BpfProgram.Create(LinkLayers.Ethernet, text, 1, 0);

        Assert.True(program.Matches(EthernetTcp(Local4, 40000, Remote4, 443, Syn)));
        Assert.False(program.Matches(EthernetTcp(Local4, 40000, Remote4, 443, Ack, new byte[1400])));
    }

    private static bool Passes(byte[] frame, CaptureFilterOptions? options = null)
    {
        using var program = BpfProgram.Create(LinkLayers.LinuxSll, CaptureFilter.Build(options ?? new CaptureFilterOptions(), FilterDirection.CookedFile), 1, 0);
        return program.Matches(frame);
    }
}
