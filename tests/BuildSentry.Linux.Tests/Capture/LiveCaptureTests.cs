using System.Net;
using System.Net.Sockets;
using BuildSentry.Linux.Capture;
using BuildSentry.Linux.Tests.Support;
using PacketDotNet;

namespace BuildSentry.Linux.Tests.Capture;

/// <summary>Real capture on the "any" device, traffic on loopback only.</summary>
public sealed class LiveCaptureTests
{
    public LiveCaptureTests() => Requirements.RootAndLibpcap();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void A_connection_to_a_loopback_listener_shows_its_syn_exactly_once(string address)
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var recorder = new FrameRecorder(PacketSources.OpenLive(new CaptureOptions()));

        using (var client = new TcpClient(listener.LocalEndpoint.AddressFamily))
        {
            client.Connect((IPEndPoint)listener.LocalEndpoint);
            using var accepted = listener.AcceptTcpClient();
        }

        static bool IsSyn(TcpPacket t, int port) => t.DestinationPort == port && t.Synchronize && !t.Acknowledgment;
        // Waits for the reader to reach the SYN (it can lag under the suite's parallel load), then for the grace.
        var segments = recorder.Stop(until: frames => frames.Select(p => p.Extract<TcpPacket>()).Any(t => t is not null && IsSyn(t, port)))
            .Select(p => p.Extract<TcpPacket>()).OfType<TcpPacket>().ToList();
        var syns = segments.Where(t => IsSyn(t, port)).ToList();
        Assert.Single(syns);
        Assert.DoesNotContain(segments, t => t.SourcePort == port && t.Synchronize);
    }

    [Fact]
    public void A_dns_query_and_its_answer_each_show_once_on_a_configured_port()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
        var options = new CaptureOptions { Filter = new CaptureFilterOptions { DnsPorts = [port] } };
        using var recorder = new FrameRecorder(PacketSources.OpenLive(options));

        using (var client = new UdpClient(AddressFamily.InterNetwork))
        {
            client.Send(new byte[] { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, 12, new IPEndPoint(IPAddress.Loopback, port));
            var from = new IPEndPoint(IPAddress.Any, 0);
            var query = server.Receive(ref from);
            server.Send(query, query.Length, from);
            client.Client.ReceiveTimeout = 2000;
            client.Receive(ref from);
        }

        var datagrams = recorder.Stop().Select(p => p.Extract<UdpPacket>()).OfType<UdpPacket>().ToList();
        Assert.Single(datagrams, u => u.DestinationPort == port);
        Assert.Single(datagrams, u => u.SourcePort == port);
    }

    [Fact]
    public void Two_devices_are_each_read_on_a_thread_of_their_own()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
        var options = new CaptureOptions { Interfaces = ["lo", "any"], Filter = new CaptureFilterOptions { DnsPorts = [port] } };
        using var recorder = new FrameRecorder(PacketSources.OpenLive(options));
        Thread.Sleep(300);

        // Each device is read on a thread of its own, named for it (NetworkSensorLabTests checks their priority).
        Assert.True(Scheduling.ThreadsNamed(LivePacketSource.CaptureThreadName).Count >= 2);

        using (var client = new UdpClient(AddressFamily.InterNetwork))
        {
            client.Send(new byte[] { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, 12, new IPEndPoint(IPAddress.Loopback, port));
        }

        // "any" sees loopback too: the datagram is read once from each device.
        var datagrams = recorder.Stop(until: frames => frames.Count(p => p.Extract<UdpPacket>()?.DestinationPort == port) >= 2)
            .Select(p => p.Extract<UdpPacket>()).OfType<UdpPacket>().ToList();
        Assert.Equal(2, datagrams.Count(u => u.DestinationPort == port));
    }

    [Fact]
    public async Task A_200_megabyte_transfer_over_loopback_is_kept_in_the_kernel()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var recorder = new FrameRecorder(PacketSources.OpenLive(new CaptureOptions()));
        var before = recorder.Source.ReadCounters().Single();

        var reader = Task.Run(() =>
        {
            using var accepted = listener.AcceptTcpClient();
            accepted.GetStream().CopyTo(Stream.Null);
        });
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            var chunk = new byte[64 * 1024];
            await using var stream = client.GetStream();
            for (var sent = 0; sent < 200 * 1024 * 1024; sent += chunk.Length)
                await stream.WriteAsync(chunk);
        }
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        int OfTransfer(IReadOnlyList<Packet> frames) => frames.Select(p => p.Extract<TcpPacket>()).OfType<TcpPacket>()
            .Count(t => t.DestinationPort == port || t.SourcePort == port);
        var packets = recorder.Stop(until: frames => OfTransfer(frames) > 0);
        var after = recorder.Source.ReadCounters().Single();
        var ofTransfer = OfTransfer(packets);
        Assert.True(ofTransfer is >= 1 and <= 50,
            $"{ofTransfer} frames of the transfer among {packets.Count} recorded; kernel counters before {before}, after {after}");
        // Received counts what passed the kernel filter; a user-space filter would count the whole transfer twice (out and in).
        Assert.InRange(after.Received - before.Received, 1u, 2000u);
    }
}
