using System.Net;
using System.Net.Sockets;
using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

[Collection(SensorCollection.Name)]
public sealed class KernelUdpFlowTests
{
    [Fact]
    public void A_members_first_datagram_to_each_destination_is_one_udp_flow_a_connect_alone_is_none_and_a_mapped_destination_is_ipv4()
    {
        using UdpClient first = Receiver(), second = Receiver(), connected = Receiver(), mapped = Receiver();
        using var harness = new KernelSensorHarness(KernelConnectionTests.Options);
        const string Send = """
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for _ in range(3):
                s.sendto(b"x", ("127.0.0.1", int(sys.argv[1])))
            s.sendto(b"x", ("127.0.0.1", int(sys.argv[2])))
            # As getaddrinfo sorts addresses: a connect that sends nothing is no flow.
            e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            e.connect(("127.0.0.1", int(sys.argv[2])))
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.connect(("127.0.0.1", int(sys.argv[3])))
            # A connected socket's datagrams carry no address (the capture reports that flow); one sent with it is seen.
            c.send(b"x")
            c.sendto(b"x", ("127.0.0.1", int(sys.argv[3])))
            c.sendto(b"x", ("127.0.0.1", int(sys.argv[3])))
            d = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            d.sendto(b"x", ("::ffff:127.0.0.1", int(sys.argv[4])))
            d.sendto(b"x", ("::ffff:127.0.0.1", int(sys.argv[4])))
            """;
        using var member = new MemberProcess("", Send, Port(first), Port(second), Port(connected), Port(mapped));
        harness.Sensor.SeedJob(member.Id, KernelConnectionTests.Slot);

        member.GoAndWait();

        harness.WaitFor<ProcessExited>(x => x.Process == member.Key);
        var flows = harness.Events.OfType<NetworkFinding>().Where(f => f.Attribution.Owner == member.Key).ToList();
        Assert.All(flows, f => Assert.IsType<UdpFlowStarted>(f));
        Assert.Equal(
            [Port(first), Port(second), Port(connected), Port(mapped)],
            flows.Select(f => f.Flow.DestinationPort));
        Assert.Equal(new FlowKey(TransportProtocol.Udp, IPAddress.Any, 0, IPAddress.Loopback, Port(first)), flows[0].Flow);
        Assert.Equal(new FlowKey(TransportProtocol.Udp, IPAddress.Any, 0, IPAddress.Loopback, Port(mapped)), flows[3].Flow);
        Assert.All(flows, f => Assert.Equal((KernelConnectionTests.JobId, true), (f.Attribution.KernelJob, f.Attribution.AtSyscall)));
        Assert.True(harness.Sensor.ConnectionCounters.UdpFlows >= 3);
    }

    [Fact]
    public void A_one_shot_udp_sender_that_exits_at_once_is_attributed_in_every_one_of_200_trials()
    {
        const int Trials = 200;
        using var receiver = Receiver();
        using var harness = new KernelSensorHarness(KernelConnectionTests.Options);
        var marker = $"bs-one-shot-{Guid.NewGuid():N}";
        const string Sender = "import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', int(sys.argv[1])))";
        var loop = $"""
            while [ ! -e "$GO" ]; do sleep 0.01; done
            i=0
            while [ $i -lt {Trials} ]; do {MemberProcess.Python} -c "$SENDER" "$PORT" "$M" $i; i=$((i + 1)); done
            """;
        var go = Path.Combine(Path.GetTempPath(), $"bs-go-{Guid.NewGuid():N}");
        using var root = Support.Processes.Start("/bin/sh", ["-c", loop],
            new Dictionary<string, string> { ["GO"] = go, ["SENDER"] = Sender, ["PORT"] = $"{Port(receiver)}", ["M"] = marker });
        try
        {
            harness.Sensor.SeedJob(root.Id, KernelConnectionTests.Slot);
            File.WriteAllText(go, "");
            Assert.True(root.WaitForExit(TimeSpan.FromMinutes(2)), "the senders did not finish");

            // A sender's exit follows its datagram in the ring: once every exit is read, every flow is too.
            harness.Eventually(() => Senders(harness, marker).Count == Trials, TimeSpan.FromSeconds(30), "every sender's exec");
            var senders = Senders(harness, marker);
            harness.Eventually(() => harness.Events.OfType<ProcessExited>().Count(x => senders.Contains(x.Process)) == Trials,
                TimeSpan.FromSeconds(30), "every sender's exit");
            var flows = harness.Events.OfType<UdpFlowStarted>().Where(f => f.Flow.DestinationPort == Port(receiver)).ToList();
            Assert.Equal(Trials, flows.Count);
            Assert.Equal(senders, flows.Select(f => f.Attribution.Owner!.Value).ToHashSet());
            Assert.All(flows, f => Assert.Equal(KernelConnectionTests.JobId, f.Attribution.KernelJob));
        }
        finally
        {
            File.Delete(go);
        }
    }

    private static HashSet<ProcessKey> Senders(KernelSensorHarness harness, string marker) =>
        harness.Events.OfType<ProcessExecuted>().Where(e => e.Details.Argv.Contains(marker)).Select(e => e.Process).ToHashSet();

    private static UdpClient Receiver() => new(new IPEndPoint(IPAddress.Loopback, 0));

    private static int Port(UdpClient client) => ((IPEndPoint)client.Client.LocalEndPoint!).Port;
}
