using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Capture;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Network;

namespace BuildSentry.Linux.Tests.Attribution;

/// <summary>A live capture on loopback with real iptables rules and a real cgroup: the kernel's records under a flood.</summary>
[Collection(FloodCollection.Name)]
public sealed class KernelTagFloodTests
{
    // 60,000 DNS-port datagrams from one socket (one flow: its job is asked for once, yet every datagram is logged),
    // paced so the capture keeps up, then one connection attempt from a new socket, closed at once.
    private const string Client = """
        import socket, sys, time
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(60000):
            u.sendto(b"\x00\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01x\x00\x00\x01\x00\x01", ("127.0.0.1", 53))
            if i % 200 == 0: time.sleep(0.002)
        t = socket.socket(); t.bind(("127.0.0.1", int(sys.argv[1]))); t.connect_ex(("127.0.0.1", int(sys.argv[2]))); t.close()
        """;

    [Fact]
    public void After_a_flood_of_queries_on_one_socket_the_next_connection_still_has_its_jobs_record()
    {
        Requirements.RootAndLibpcap();
        var mount = CgroupMount.FindV2() ?? throw new InvalidOperationException("cgroup v2 is not mounted");
        var errors = new List<string>();
        using var tags = KernelJobTags.Start(mount, [53], errors.Add);
        var slot = tags.Take("job-flood") ?? throw new InvalidOperationException("no slot");
        var job = Path.Combine(slot, "job-flood");
        Directory.CreateDirectory(job);
        var events = Channel.CreateUnbounded<SensorEvent>();
        try
        {
            using (var sensor = new NetworkSensor(events.Writer, PacketSources.OpenLive(new CaptureOptions { Interfaces = ["lo"] }),
                       FlowOwnerResolvers.Create(), new JobPids(), [53], kernelTags: tags))
            {
                sensor.Start();
                // libpcap needs a moment after activation before the ring buffer sees traffic.
                Thread.Sleep(300);
                var (clientPort, closedPort) = (FreePort(), FreePort());
                RunInCgroup(job, clientPort, closedPort);

                var attempt = WaitForConnection(events.Reader, clientPort);
                Assert.Equal("job-flood", attempt.Attribution.KernelJob);
                Assert.Equal(0, tags.Overruns);
            }
        }
        finally
        {
            Directory.Delete(job);
            tags.Release("job-flood");
        }

        Assert.Empty(errors);
    }

    private static ConnectionAttempted WaitForConnection(ChannelReader<SensorEvent> reader, int sourcePort)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            while (reader.TryRead(out var e))
            {
                if (e is ConnectionAttempted c && c.Flow.SourcePort == sourcePort)
                {
                    return c;
                }
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException("the connection attempt was not captured");
    }

    private static void RunInCgroup(string cgroup, int clientPort, int closedPort)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"echo $$ > {cgroup}/cgroup.procs && exec python3 -c '{Client}' {clientPort} {closedPort}");
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
