using System.Diagnostics;
using System.Globalization;
using System.Net;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Tests.Attribution;

/// <summary>
/// A container's flow as the host's capture sees it: leaving the host behind a MASQUERADE rule. Two namespaces of this
/// test, routed through the host as Docker's bridge is: "container" (its default route is the host) and "server", with
/// forwarding on for their two links only and one marked MASQUERADE rule.
/// </summary>
public sealed class NatAttributionTests : IDisposable
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;
    private readonly string _container = $"bs-natc-{Environment.ProcessId}";
    private readonly string _server = $"bs-nats-{Environment.ProcessId}";
    private readonly string _containerLink = $"bsnc{Environment.ProcessId}";
    private readonly string _serverLink = $"bsns{Environment.ProcessId}";
    private readonly string _net = $"10.{100 + (Environment.ProcessId % 150)}";
    private readonly string[] _rule;

    public NatAttributionTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        _output = output;
        Requirements.Root();
        _rule = ["POSTROUTING", "-s", $"{_net}.1.0/24", "-o", _serverLink, "-m", "comment", "--comment", "buildsentry-nat-test", "-j", "MASQUERADE"];
        try
        {
            Build();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Build()
    {
        Run("ip", "netns", "add", _container);
        Run("ip", "netns", "add", _server);
        Run("ip", "link", "add", _containerLink, "type", "veth", "peer", "name", "eth0", "netns", _container);
        Run("ip", "link", "add", _serverLink, "type", "veth", "peer", "name", "eth0", "netns", _server);
        Run("ip", "addr", "add", $"{_net}.1.1/24", "dev", _containerLink);
        Run("ip", "addr", "add", $"{_net}.2.1/24", "dev", _serverLink);
        Run("ip", "link", "set", _containerLink, "up");
        Run("ip", "link", "set", _serverLink, "up");
        foreach (var (ns, address) in new[] { (_container, $"{_net}.1.2/24"), (_server, $"{_net}.2.2/24") })
        {
            Run("ip", "-n", ns, "addr", "add", address, "dev", "eth0");
            Run("ip", "-n", ns, "link", "set", "eth0", "up");
            Run("ip", "-n", ns, "link", "set", "lo", "up");
        }

        Run("ip", "-n", _container, "route", "add", "default", "via", $"{_net}.1.1");
        Run("sysctl", "-qw", $"net.ipv4.conf.{_containerLink}.forwarding=1", $"net.ipv4.conf.{_serverLink}.forwarding=1");
        Run(["iptables-legacy", "-t", "nat", "-A", .. _rule]);
    }

    [Fact]
    public void A_flow_seen_after_source_nat_is_attributed_in_the_job_namespace_by_the_tuple_conntrack_had_before()
    {
        using var server = ServerAccepting();
        using var client = new ChildProcess("ip", "netns", "exec", _container, "bash", "-c", $"exec 3<>/dev/tcp/{_net}.2.2/8099; sleep 5");
        var wire = AcceptedFlow(server);
        using var resolver = new FlowOwnerResolver();

        var attribution = resolver.Resolve(wire, [client.Pid]);

        Assert.NotEqual(IPAddress.Parse($"{_net}.1.2"), wire.Source);
        Assert.True(client.Pid == attribution.Owner?.Pid, attribution.Failure);
        Assert.Equal(NetworkNamespace.InodeOf(client.Pid), (uint)attribution.NetworkNamespace);
        Assert.Equal(client.Pid, attribution.NamespaceMember?.Pid);
    }

    [Fact]
    public void A_socket_in_the_job_namespace_held_by_a_process_outside_the_job_names_that_process_and_the_job_member_there()
    {
        using var member = new ChildProcess("ip", "netns", "exec", _container, "sleep", "10");
        using var server = ServerAccepting();
        using var outsider = new ChildProcess("ip", "netns", "exec", _container, "bash", "-c", $"exec 3<>/dev/tcp/{_net}.2.2/8099; sleep 5");
        var wire = AcceptedFlow(server);
        using var resolver = new FlowOwnerResolver();

        var attribution = resolver.Resolve(wire, [member.Pid]);

        Assert.True(outsider.Pid == attribution.Owner?.Pid, attribution.Failure);
        Assert.Equal(member.Pid, attribution.NamespaceMember?.Pid);
        using var fresh = new FlowOwnerResolver();
        Assert.Null(fresh.Resolve(wire, [member.Pid], searchHost: false).Owner);
    }

    [Fact]
    public void Conntrack_answers_a_flow_nobody_translated_with_itself_and_an_unknown_one_with_nothing()
    {
        using var server = ServerAccepting();
        using var client = new ChildProcess("ip", "netns", "exec", _container, "bash", "-c", $"exec 3<>/dev/tcp/{_net}.2.2/8099; sleep 5");
        var wire = AcceptedFlow(server);
        using var conntrack = new ConntrackSocket();

        Assert.Equal(IPAddress.Parse($"{_net}.1.2"), conntrack.OriginalOf(wire)?.Source);
        Assert.Null(conntrack.OriginalOf(wire with { SourcePort = wire.SourcePort == 1 ? 2 : 1 }));
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            conntrack.OriginalOf(wire);
        }

        _output.WriteLine($"conntrack lookup: {watch.Elapsed.TotalMicroseconds / 1000:F1} µs each (mean of 1000)");
    }

    public void Dispose()
    {
        Quietly(["iptables-legacy", "-t", "nat", "-D", .. _rule]);
        // The host's ends go at once; a namespace's own teardown (and its links') runs later in the kernel.
        Quietly(["ip", "link", "del", _containerLink]);
        Quietly(["ip", "link", "del", _serverLink]);
        Quietly(["ip", "netns", "del", _container]);
        Quietly(["ip", "netns", "del", _server]);
    }

    private ChildProcess ServerAccepting()
    {
        var server = new ChildProcess("ip", "netns", "exec", _server, "python3", "-c",
            $"import socket,time;s=socket.socket();s.bind(('{_net}.2.2',8099));s.listen();print('up',flush=True);c,a=s.accept();print(a[0],a[1],flush=True);time.sleep(5)");
        Assert.Equal("up", server.Process.StandardOutput.ReadLine());
        return server;
    }

    /// <summary>The flow as it reached the server: the host's side of the link after MASQUERADE.</summary>
    private FlowKey AcceptedFlow(ChildProcess server)
    {
        var peer = server.Process.StandardOutput.ReadLine()!.Split(' ');
        return new FlowKey(TransportProtocol.Tcp, IPAddress.Parse(peer[0]), int.Parse(peer[1], CultureInfo.InvariantCulture),
            IPAddress.Parse($"{_net}.2.2"), 8099);
    }

    private static void Run(params string[] command)
    {
        using var process = Process.Start(new ProcessStartInfo(command[0], command[1..]) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{string.Join(' ', command)}: {error}");
    }

    private static void Quietly(string[] command)
    {
        using var process = Process.Start(new ProcessStartInfo(command[0], command[1..]) { RedirectStandardError = true })!;
        process.WaitForExit();
    }
}
