using System.Net;
using System.Net.Sockets;
using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Kernel;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

[Collection(SensorCollection.Name)]
public sealed class KernelConnectionTests
{
    internal const uint Slot = 9;
    internal const string JobId = "job-of-slot-9";
    private const string Connect = "socket.create_connection(('127.0.0.1', int(sys.argv[1]))).close()";

    internal static KernelProcessSensorOptions Options => new() { JobIdOfSlot = slot => slot == Slot ? JobId : null };

    [Fact]
    public void A_members_tcp_connect_is_one_connection_attempted_naming_it_its_namespace_and_job_and_a_strangers_is_not_seen()
    {
        using var listener = Listen(IPAddress.Loopback);
        using var strangerListener = Listen(IPAddress.Loopback);
        using var harness = new KernelSensorHarness(Options);
        using var member = new MemberProcess("", Connect, Port(listener));
        using var stranger = new MemberProcess("", Connect, Port(strangerListener));
        harness.Sensor.SeedJob(member.Id, Slot);

        stranger.GoAndWait();
        member.GoAndWait();

        var seen = harness.WaitFor<ConnectionAttempted>(c => c.Flow.DestinationPort == Port(listener));
        Assert.Equal(new FlowKey(TransportProtocol.Tcp, IPAddress.Any, 0, IPAddress.Loopback, Port(listener)), seen.Flow);
        Assert.Equal(member.Key, seen.Attribution.Owner);
        Assert.Equal(SocketOwnerProbe.NetworkNamespace(Environment.ProcessId), seen.Attribution.NetworkNamespace);
        Assert.Equal(JobId, seen.Attribution.KernelJob);
        Assert.True(seen.Attribution.AtSyscall);
        Assert.Null(seen.Attribution.Failure);
        Assert.True(harness.Sensor.ConnectionCounters.Connections >= 1);

        // The stranger's exit follows its connect in the ring: once it is read, a record of that connect would be too.
        harness.WaitFor<ProcessExited>(x => x.Process == stranger.Key);
        harness.WaitFor<ProcessExited>(x => x.Process == member.Key);
        Assert.Single(harness.Events.OfType<NetworkFinding>(), f => f.Flow.DestinationPort == Port(listener));
        Assert.DoesNotContain(harness.Events.OfType<NetworkFinding>(), f => f.Flow.DestinationPort == Port(strangerListener));
        Assert.DoesNotContain(harness.Events.OfType<NetworkFinding>(), f => f.Attribution.Owner == stranger.Key);
    }

    [Fact]
    public void A_socket_made_before_its_process_joined_a_job_is_still_seen_connecting()
    {
        using var listener = Listen(IPAddress.Loopback);
        using var harness = new KernelSensorHarness(Options);
        using var member = new MemberProcess("s = socket.socket()", "s.connect(('127.0.0.1', int(sys.argv[1]))); s.close()", Port(listener));
        harness.Sensor.SeedJob(member.Id, Slot);

        member.GoAndWait();

        var seen = harness.WaitFor<ConnectionAttempted>(c => c.Flow.DestinationPort == Port(listener));
        Assert.Equal((member.Key, JobId), (seen.Attribution.Owner, seen.Attribution.KernelJob));
    }

    [Fact]
    public void A_socket_a_stranger_made_and_a_member_child_inherited_is_seen_as_the_childs_connect()
    {
        using var listener = Listen(IPAddress.Loopback);
        using var harness = new KernelSensorHarness(Options);
        const string Fork = """
            s = socket.socket()
            child = os.fork()
            if child == 0:
                while not os.path.exists(GO):
                    time.sleep(0.005)
                s.connect(('127.0.0.1', int(sys.argv[1])))
                os._exit(0)
            READY = child
            """;
        using var parent = new MemberProcess(Fork, "os.waitpid(child, 0)", Port(listener));
        var child = int.Parse(parent.Ready);
        harness.Sensor.SeedJob(child, Slot);

        parent.GoAndWait();

        var seen = harness.WaitFor<ConnectionAttempted>(c => c.Flow.DestinationPort == Port(listener));
        Assert.Equal((child, JobId), (seen.Attribution.Owner?.Pid, seen.Attribution.KernelJob));
        Assert.False(harness.Sensor.TryGetJob(parent.Id, out _), "the parent stayed outside the job");
    }

    [Fact]
    public void A_dual_stack_socket_connecting_to_an_ipv4_mapped_address_is_reported_as_ipv4_and_plain_ipv6_as_ipv6()
    {
        using var listener = Listen(IPAddress.Loopback);
        using var listener6 = Listen(IPAddress.IPv6Loopback);
        using var harness = new KernelSensorHarness(Options);
        const string Connect6 = """
            for address, port in (("::ffff:127.0.0.1", sys.argv[1]), ("::1", sys.argv[2])):
                s = socket.socket(socket.AF_INET6)
                s.connect((address, int(port)))
                s.close()
            """;
        using var member = new MemberProcess("", Connect6, Port(listener), Port(listener6));
        harness.Sensor.SeedJob(member.Id, Slot);

        member.GoAndWait();

        var mapped = harness.WaitFor<ConnectionAttempted>(c => c.Flow.DestinationPort == Port(listener));
        Assert.Equal(new FlowKey(TransportProtocol.Tcp, IPAddress.Any, 0, IPAddress.Loopback, Port(listener)), mapped.Flow);
        var plain = harness.WaitFor<ConnectionAttempted>(c => c.Flow.DestinationPort == Port(listener6));
        Assert.Equal(new FlowKey(TransportProtocol.Tcp, IPAddress.IPv6Any, 0, IPAddress.IPv6Loopback, Port(listener6)), plain.Flow);
        harness.WaitFor<ProcessExited>(x => x.Process == member.Key);
        Assert.Single(harness.Events.OfType<NetworkFinding>(), f => f.Flow.DestinationPort == Port(listener));
    }

    private static TcpListener Listen(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}
