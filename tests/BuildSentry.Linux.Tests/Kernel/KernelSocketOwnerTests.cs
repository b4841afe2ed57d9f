using System.Net;
using System.Net.Sockets;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

/// <summary>The kernel's socket-owner map, as the capture's owner lookup uses it: sock_diag names a flow's socket by
/// its cookie, and the map names the job member that connected or sent on it, with no search of /proc.</summary>
[Collection(SensorCollection.Name)]
public sealed class KernelSocketOwnerTests
{
    // Prints the local ports of a TCP connection, a connected UDP socket (as glibc's resolver makes one) and an
    // unconnected one after its first datagram, then holds them until killed.
    private const string Flows = """
        t = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.connect(('127.0.0.1', int(sys.argv[2])))
        c.send(b'q')
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.sendto(b'x', ('127.0.0.1', int(sys.argv[2])))
        print(t.getsockname()[1], c.getsockname()[1], u.getsockname()[1], flush=True)
        time.sleep(60)
        """;

    [Fact]
    public void A_members_tcp_connected_udp_and_unconnected_udp_flows_are_named_by_the_kernel_and_a_strangers_by_proc()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var tcpPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        var udpPort = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        using var harness = new KernelSensorHarness(KernelConnectionTests.Options);
        using var resolver = new FlowOwnerResolver(socketOwner: harness.Sensor.SocketOwners.Find);
        using var member = new MemberProcess("", Flows, tcpPort, udpPort);
        using var stranger = new MemberProcess("", Flows, tcpPort, udpPort);
        harness.Sensor.SeedJob(member.Id, KernelConnectionTests.Slot);

        member.Go();
        stranger.Go();
        var memberPorts = Ports(member);
        var strangerPorts = Ports(stranger);

        var memberFlows = FlowsOf(memberPorts, tcpPort, udpPort);
        foreach (var flow in memberFlows)
        {
            var found = resolver.Resolve(flow, []);
            Assert.True((member.Key, KernelConnectionTests.JobId) == (found.Owner, found.KernelJob), $"{flow}: {found}");
            Assert.Equal(SocketOwnerProbe.NetworkNamespace(member.Id), found.NetworkNamespace);
        }

        Assert.Equal(3, resolver.KernelAnswers);
        foreach (var flow in FlowsOf(strangerPorts, tcpPort, udpPort))
        {
            // Not a member's: the map has nothing, and the search of /proc still finds its owner.
            var found = resolver.Resolve(flow, [stranger.Id]);
            Assert.True((stranger.Key, null) == (found.Owner, found.KernelJob), $"{flow}: {found}");
        }

        Assert.Equal(3, resolver.KernelAnswers);
    }

    [Fact]
    public void A_socket_a_stranger_made_is_owned_by_the_member_child_that_connects_it()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var harness = new KernelSensorHarness(KernelConnectionTests.Options);
        using var resolver = new FlowOwnerResolver(socketOwner: harness.Sensor.SocketOwners.Find);
        const string Fork = """
            s = socket.socket()
            child = os.fork()
            if child == 0:
                while not os.path.exists(GO):
                    time.sleep(0.005)
                s.connect(('127.0.0.1', int(sys.argv[1])))
                print(s.getsockname()[1], flush=True)
                time.sleep(60)
            READY = child
            """;
        using var parent = new MemberProcess(Fork, "time.sleep(60)", port);
        var child = int.Parse(parent.Ready);
        harness.Sensor.SeedJob(child, KernelConnectionTests.Slot);

        try
        {
            parent.Go();
            var local = int.Parse(parent.Output.ReadLine()!);

            var found = resolver.Resolve(new FlowKey(TransportProtocol.Tcp, IPAddress.Loopback, local, IPAddress.Loopback, port), []);
            Assert.Equal((child, KernelConnectionTests.JobId), (found.Owner?.Pid, found.KernelJob));
            Assert.Equal(1, resolver.KernelAnswers);
        }
        finally
        {
            System.Diagnostics.Process.GetProcessById(child).Kill();
        }
    }

    private static int[] Ports(MemberProcess process) =>
        [.. process.Output.ReadLine()!.Split(' ').Select(int.Parse)];

    private static FlowKey[] FlowsOf(int[] ports, int tcpPort, int udpPort) =>
    [
        new(TransportProtocol.Tcp, IPAddress.Loopback, ports[0], IPAddress.Loopback, tcpPort),
        new(TransportProtocol.Udp, IPAddress.Loopback, ports[1], IPAddress.Loopback, udpPort),
        new(TransportProtocol.Udp, IPAddress.Loopback, ports[2], IPAddress.Loopback, udpPort),
    ];
}
