using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Cgroups;

namespace BuildSentry.Linux.Tests.Attribution;

/// <summary>Real iptables rules, a real cgroup and real sockets on loopback.</summary>
public sealed class KernelJobTagsTests
{
    // Sends one DNS-port datagram and one connection attempt from the ports given, closes both, exits.
    private const string Client = """
        import socket, sys
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", int(sys.argv[1]))); u.sendto(b"q", ("127.0.0.1", 53)); u.close()
        t = socket.socket(); t.bind(("127.0.0.1", int(sys.argv[2]))); t.connect(("127.0.0.1", int(sys.argv[3]))); t.close()
        """;

    [Fact]
    public void Flows_of_a_job_cgroup_made_in_a_slot_name_their_job_after_the_process_has_closed_them_and_exited()
    {
        Requirements.Root();
        var mount = CgroupMount.FindV2() ?? throw new InvalidOperationException("cgroup v2 is not mounted");
        var errors = new List<string>();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serverPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        string slot;
        using (var tags = KernelJobTags.Start(mount, [53], errors.Add))
        {
            slot = tags.Take("job-tagged") ?? throw new InvalidOperationException("no slot");
            var job = Path.Combine(slot, "job-tagged");
            Directory.CreateDirectory(job);
            try
            {
                var (udp, tcp) = (FreePort(SocketType.Dgram), FreePort(SocketType.Stream));
                RunClient(job, udp, tcp, serverPort);
                var (otherUdp, otherTcp) = (FreePort(SocketType.Dgram), FreePort(SocketType.Stream));
                RunClient(null, otherUdp, otherTcp, serverPort);

                Assert.Equal("job-tagged", tags.JobOf(Flow(TransportProtocol.Udp, udp, 53)));
                Assert.Equal("job-tagged", tags.JobOf(Flow(TransportProtocol.Tcp, tcp, serverPort)));
                Assert.Null(tags.JobOf(Flow(TransportProtocol.Udp, otherUdp, 53)));
                Assert.Null(tags.JobOf(Flow(TransportProtocol.Tcp, otherTcp, serverPort)));
                Assert.Contains(IptablesRules(), rule => rule.Contains($"BUILDSENTRY-{Environment.ProcessId}-", StringComparison.Ordinal));
            }
            finally
            {
                Directory.Delete(job);
                tags.Release("job-tagged");
            }

            Assert.NotEqual(slot, tags.Take("job-next")); // the slot freed last is reused last
        }

        Assert.Empty(errors);
        Assert.False(Directory.Exists(slot));
        Assert.DoesNotContain(IptablesRules(), rule => rule.Contains($"BUILDSENTRY-{Environment.ProcessId}-", StringComparison.Ordinal));
    }

    [Fact]
    public void A_job_that_finds_no_free_slot_gets_none_at_once_and_the_spares_are_made_again_behind_it()
    {
        Requirements.Root();
        var mount = CgroupMount.FindV2() ?? throw new InvalidOperationException("cgroup v2 is not mounted");
        var errors = new List<string>();
        using var tags = KernelJobTags.Start(mount, [53], errors.Add);
        var held = new List<string>();
        try
        {
            // Each slot holds a job directory until it is released and removed: take them all, and more.
            var taken = new List<string?>();
            for (var i = 0; i < KernelJobTags.SpareSlots + 3; i++)
            {
                var slot = tags.Take($"job-{i}");
                taken.Add(slot);
                if (slot is not null)
                {
                    Directory.CreateDirectory(Path.Combine(slot, $"job-{i}"));
                    held.Add(Path.Combine(slot, $"job-{i}"));
                }
            }

            Assert.True(taken.Take(KernelJobTags.SpareSlots).All(slot => slot is not null), "the spares made at start are handed out first");
            Assert.Equal(taken.Count(slot => slot is null), tags.JobsWithoutSlot);
            Assert.Equal(taken.Count(slot => slot is not null), taken.Where(slot => slot is not null).Distinct().Count());

            // The worker makes new spares: a later job gets a slot again, without any being released.
            var deadline = Stopwatch.StartNew();
            string? later = null;
            for (var i = 0; later is null && deadline.Elapsed < TimeSpan.FromSeconds(20); i++)
            {
                later = tags.Take($"later-{i}");
                if (later is null)
                {
                    Thread.Sleep(20);
                }
            }

            Assert.NotNull(later);
            Assert.DoesNotContain(later, taken);
        }
        finally
        {
            held.ForEach(Directory.Delete);
        }

        Assert.Empty(errors);
    }

    private static FlowKey Flow(TransportProtocol protocol, int sourcePort, int destinationPort) =>
        new(protocol, IPAddress.Loopback, sourcePort, IPAddress.Loopback, destinationPort);

    /// <summary>Runs the client inside <paramref name="cgroup"/> (moved there before it execs), or outside.</summary>
    private static void RunClient(string? cgroup, int udpPort, int tcpPort, int serverPort)
    {
        var enter = cgroup is null ? "" : $"echo $$ > {cgroup}/cgroup.procs && ";
        var info = new ProcessStartInfo("sh") { RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"{enter}exec python3 -c '{Client}' {udpPort} {tcpPort} {serverPort}");
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
    }

    private static int FreePort(SocketType type)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string[] IptablesRules()
    {
        using var process = Process.Start(new ProcessStartInfo("iptables", "-w -S") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split('\n');
    }
}
