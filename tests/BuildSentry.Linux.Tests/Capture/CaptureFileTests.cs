using System.Net;
using System.Runtime.InteropServices;
using BuildSentry.Linux.Capture;
using BuildSentry.Linux.Interop;
using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;
using static BuildSentry.Linux.Tests.Capture.FrameBuilder;

namespace BuildSentry.Linux.Tests.Capture;

public sealed class CaptureFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"buildsentry-{Guid.NewGuid():n}.pcap");

    public CaptureFileTests() => Requirements.RootAndLibpcap();

    [Fact]
    public void A_cooked_capture_file_replays_through_the_same_filter_and_keeps_timestamps()
    {
        var local = IPAddress.Parse("10.0.0.2");
        var remote = IPAddress.Parse("203.0.113.9");
        Write(LinkLayers.LinuxSll,
            Tcp(SllOutgoing, local, 40000, remote, 443, Syn),
            Tcp(SllOutgoing, local, 40000, remote, 443, Ack, new byte[1400]),
            Tcp(SllHost, remote, 443, local, 40000, Syn | Ack),
            Tcp(SllLoopback, IPAddress.Loopback, 40001, IPAddress.Loopback, 8080, Syn));

        var frames = Replay();

        Assert.Equal([1_700_000_000L, 1_700_000_003L], frames.Select(f => f.Time.ToUnixTimeSeconds()));
        Assert.All(frames, f => Assert.Equal(LinkLayers.LinuxSll, f.LinkType));
        Assert.Equal([443, 8080], frames.Select(f => (int)Packet.ParsePacket(f.LinkType, f.Data).Extract<TcpPacket>().DestinationPort));
    }

    [Fact]
    public void An_ethernet_capture_file_replays_judged_by_content_alone()
    {
        var local = IPAddress.Parse("10.0.0.2");
        var remote = IPAddress.Parse("203.0.113.9");
        Write(LinkLayers.Ethernet,
            EthernetTcp(local, 40000, remote, 443, Syn),
            EthernetTcp(local, 40000, remote, 443, Ack, new byte[1400]));

        var frames = Replay();

        Assert.Single(frames);
        Assert.Equal(LinkLayers.Ethernet, frames[0].LinkType);
    }

    [Fact]
    public void Libpcap_statistics_use_the_three_uint_struct_and_count_what_passed_the_filter()
    {
        Assert.Equal(12, Marshal.SizeOf<PcapStats.PcapStat>());
        using var source = PacketSources.OpenLive(new CaptureOptions { Interfaces = ["lo"] });
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect((IPEndPoint)listener.LocalEndpoint);
        }
        Thread.Sleep(200);

        var counters = Assert.Single(source.ReadCounters());

        Assert.Equal("lo", counters.Device);
        Assert.InRange(counters.Received, 1u, 10_000u);
        Assert.Equal(0u, counters.Dropped);
        Assert.Equal(0u, counters.InterfaceDropped);
    }

    public void Dispose() => File.Delete(_path);

    private void Write(LinkLayers linkType, params byte[][] frames)
    {
        using var writer = new CaptureFileWriterDevice(_path, FileMode.Create);
        writer.Open(new DeviceConfiguration { LinkLayerType = linkType });
        for (var i = 0; i < frames.Length; i++)
        {
            var header = new PcapHeader(1_700_000_000u + (uint)i, 250u, (uint)frames[i].Length, (uint)frames[i].Length);
            writer.Write(frames[i], ref header);
        }
    }

    private List<(DateTimeOffset Time, LinkLayers LinkType, byte[] Data)> Replay()
    {
        var frames = new List<(DateTimeOffset, LinkLayers, byte[])>();
        using var source = PacketSources.OpenFile(_path, new CaptureFilterOptions());
        source.Run((in CapturedFrame f) => frames.Add((f.Time, f.LinkType, f.Data.ToArray())), CancellationToken.None);
        return frames;
    }
}
