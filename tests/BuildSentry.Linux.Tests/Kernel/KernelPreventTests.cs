using System.Net;
using System.Net.Sockets;
using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

/// <summary>Prevent mode in the kernel: a job held to its allowlist is refused (EPERM) every other destination before a
/// packet leaves, and its DNS goes to a forwarder while it sees the server it asked. Loopback only: 127.0.0.1 is off
/// the allowlist, 127.0.0.2 on it (for one port).</summary>
[Collection(SensorCollection.Name)]
public sealed class KernelPreventTests
{
    private const uint Slot = KernelConnectionTests.Slot;

    // Tries each (kind, host, port) in argv order, printing "ok" or the errno name for each.
    private const string Attempts = """
        import errno
        out = []
        for spec in sys.argv[1:]:
            kind, host, port = spec.split(',')
            try:
                if kind == 'tcp':
                    socket.create_connection((host, int(port)), timeout=5).close()
                elif kind == 'udp':
                    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'secret', (host, int(port)))
                elif kind == 'udpc':
                    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.connect((host, int(port))); c.send(b'secret')
                elif kind == 'mapped':
                    socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'secret', ('::ffff:' + host, int(port)))
                out.append('ok')
            except OSError as e:
                out.append(errno.errorcode.get(e.errno, str(e.errno)))
        print(' '.join(out), flush=True)
        """;

    [Fact]
    public void A_prevent_mode_job_reaches_only_its_allowlist_and_every_refusal_is_EPERM_before_a_byte_leaves_and_is_reported()
    {
        using var allowedTcp = new TcpListener(IPAddress.Any, 0);
        allowedTcp.Start();
        var tcpPort = ((IPEndPoint)allowedTcp.LocalEndpoint).Port;
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Any, 0));
        var udpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        using var harness = new KernelSensorHarness(KernelConnectionTests.Options);
        HoldHere(harness);
        harness.Sensor.Policy.Prevent(Slot, 0, IPAddress.Loopback, IPAddress.IPv6Loopback);
        harness.Sensor.Policy.Allow(Slot, IPAddress.Parse("127.0.0.2"), 32, tcp: true, udp: true, [(tcpPort, tcpPort), (udpPort, udpPort)]);
        try
        {
            string[] specs =
            [
                $"tcp,127.0.0.2,{tcpPort}", $"tcp,127.0.0.1,{tcpPort}", $"udp,127.0.0.1,{udpPort}", $"udpc,127.0.0.1,{udpPort}",
                $"mapped,127.0.0.1,{udpPort}", $"udp,127.0.0.2,{udpPort}", "tcp,127.0.0.2,9",
            ];
            using var member = new MemberProcess("", Attempts, specs);
            harness.Sensor.SeedJob(member.Id, Slot);
            member.GoAndWait();

            Assert.Equal("ok EPERM EPERM EPERM EPERM ok EPERM", member.Output.ReadLine());
            // Of three refused datagrams and one allowed, only the allowed one arrived.
            var received = Receive(udp);
            Assert.Equal([new IPEndPoint(IPAddress.Loopback, 0).Address], received.Select(r => r.Address).Distinct());
            Assert.Single(received);

            harness.WaitFor<ProcessExited>(x => x.Process == member.Key);
            var prevented = harness.Events.OfType<ConnectionPrevented>().Where(p => p.Attribution.Owner == member.Key).ToList();
            Assert.Equal(
                [(TransportProtocol.Tcp, tcpPort), (TransportProtocol.Udp, udpPort), (TransportProtocol.Udp, udpPort),
                 (TransportProtocol.Udp, udpPort), (TransportProtocol.Tcp, 9)],
                prevented.Select(p => (p.Flow.Protocol, p.Flow.DestinationPort)));
            Assert.All(prevented.Take(4), p => Assert.Equal(IPAddress.Loopback, p.Flow.Destination));
            Assert.All(prevented, p => Assert.Equal(KernelConnectionTests.JobId, p.Attribution.KernelJob));
            Assert.Equal(5, harness.Sensor.Prevented);
        }
        finally
        {
            harness.Sensor.Policy.Clear(Slot);
        }
    }

    [Fact]
    public void An_allowlist_entry_past_its_expiry_refuses_and_a_job_without_prevent_mode_is_not_held()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var harness = new KernelSensorHarness(KernelConnectionTests.Options);
        HoldHere(harness);
        harness.Sensor.Policy.Prevent(Slot, 0, IPAddress.Loopback, IPAddress.IPv6Loopback);
        try
        {
            harness.Sensor.Policy.Allow(Slot, IPAddress.Loopback, 8, tcp: true, udp: false, [], MonotonicClock.NowNs() + 60_000_000_000);
            Assert.Equal("ok", Run(harness, Slot, $"tcp,127.0.0.1,{port}"));
            harness.Sensor.Policy.Allow(Slot, IPAddress.Loopback, 8, tcp: true, udp: false, [], MonotonicClock.NowNs() - 1);
            Assert.Equal("EPERM", Run(harness, Slot, $"tcp,127.0.0.1,{port}"));

            // Another job (another slot) has no policy: it is watched, never held.
            Assert.Equal("ok", Run(harness, Slot + 1, $"tcp,127.0.0.1,{port}"));
        }
        finally
        {
            harness.Sensor.Policy.Clear(Slot);
        }

        // Cleared: the job is no longer held.
        Assert.Equal("ok", Run(harness, Slot, $"tcp,127.0.0.1,{port}"));
    }

    [Fact]
    public void A_prevent_mode_jobs_dns_goes_to_the_forwarder_and_it_sees_the_server_it_asked_as_the_source_and_the_peer()
    {
        // The "forwarder": answers every datagram with "A:" + the query, over UDP, and accepts TCP.
        using var forwarder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var forwarderPort = ((IPEndPoint)forwarder.Client.LocalEndPoint!).Port;
        using var forwarderTcp = new TcpListener(IPAddress.Loopback, forwarderPort);
        forwarderTcp.Start();
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var query = await forwarder.ReceiveAsync(stop.Token);
                byte[] answer = [.. "A:"u8, .. query.Buffer];
                await forwarder.SendAsync(answer, query.RemoteEndPoint, stop.Token);
            }
        });
        using var harness = new KernelSensorHarness(KernelConnectionTests.Options);
        HoldHere(harness);
        harness.Sensor.Policy.Prevent(Slot, forwarderPort, IPAddress.Loopback, IPAddress.IPv6Loopback);
        const string Resolve = """
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
            u.sendto(b'q1', ('127.0.0.9', 53))
            data, source = u.recvfrom(100)
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(5)
            c.connect(('127.0.0.9', 53)); c.send(b'q2')
            data2 = c.recv(100)
            t = socket.create_connection(('127.0.0.9', 53), timeout=5)
            print(data.decode(), source[0], source[1], data2.decode(), c.getpeername()[0], c.getpeername()[1], t.getpeername()[0], t.getpeername()[1], flush=True)
            """;
        try
        {
            using var member = new MemberProcess("", Resolve);
            harness.Sensor.SeedJob(member.Id, Slot);
            member.GoAndWait();

            Assert.Equal("A:q1 127.0.0.9 53 A:q2 127.0.0.9 53 127.0.0.9 53", member.Output.ReadLine());
            // The TCP connection to port 53 reached the forwarder's listener.
            using var accepted = forwarderTcp.AcceptTcpClient();
            Assert.Equal(IPAddress.Loopback, ((IPEndPoint)accepted.Client.RemoteEndPoint!).Address);
            // The job's flows are reported to the server it asked, not to the forwarder.
            harness.WaitFor<ProcessExited>(x => x.Process == member.Key);
            var flows = harness.Events.OfType<NetworkFinding>().Where(f => f.Attribution.Owner == member.Key).ToList();
            Assert.NotEmpty(flows);
            Assert.All(flows, f => Assert.Equal((IPAddress.Parse("127.0.0.9"), 53), (f.Flow.Destination, f.Flow.DestinationPort)));
            Assert.DoesNotContain(harness.Events.OfType<ConnectionPrevented>(), p => p.Attribution.Owner == member.Key);
        }
        finally
        {
            harness.Sensor.Policy.Clear(Slot);
            stop.Cancel();
        }
    }

    /// <summary>The kernel holds a job in a namespace once the forwarder listens there, as the daemon says for its own.</summary>
    private static void HoldHere(KernelSensorHarness harness) =>
        harness.Sensor.Policy.ForwarderListens(BuildSentry.Linux.Interop.NetworkNamespace.InodeOf(Environment.ProcessId)!.Value);

    private static string Run(KernelSensorHarness harness, uint slot, params string[] specs)
    {
        using var member = new MemberProcess("", Attempts, specs);
        harness.Sensor.SeedJob(member.Id, slot);
        member.GoAndWait();
        return member.Output.ReadLine()!;
    }

    private static List<IPEndPoint> Receive(UdpClient udp)
    {
        var received = new List<IPEndPoint>();
        udp.Client.ReceiveTimeout = 500;
        while (true)
        {
            try
            {
                var from = new IPEndPoint(IPAddress.Any, 0);
                udp.Receive(ref from);
                received.Add(from);
            }
            catch (SocketException)
            {
                return received;
            }
        }
    }
}
