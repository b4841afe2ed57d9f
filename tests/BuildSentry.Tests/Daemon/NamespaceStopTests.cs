using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Daemon;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Kernel;
using Microsoft.Extensions.Logging.Abstractions;

namespace BuildSentry.Tests.Daemon;

/// <summary>
/// A held job's program that starts in a network namespace with no DNS forwarder yet is stopped by the kernel before
/// its first instruction, and the daemon's forwarders continue it whatever happens: when the forwarder cannot listen
/// there, when the daemon stops, and when it has waited its bound. Real BPF programs, real processes and namespaces.
/// </summary>
public sealed class NamespaceStopTests
{
    private const uint Slot = 7;

    // Leaves the daemon's namespace without an exec (unshare(2)), holds the forwarder's port on the new namespace's
    // loopback (through the exec, so the forwarder cannot bind it there), prints its pid and then execs: the exec
    // the kernel stops.
    private const string Script = """
        import ctypes, os, socket, sys
        assert ctypes.CDLL(None, use_errno=True).unshare(0x40000000) == 0
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_IP, 15, 1)
        s.bind(("127.0.0.1", int(sys.argv[1])))
        s.set_inheritable(True)
        print(os.getpid(), flush=True)
        os.execv("/bin/sh", ["sh", "-c", "echo continued"])
        """;

    [Fact]
    public async Task A_process_stopped_for_a_forwarder_that_cannot_listen_is_continued_at_once()
    {
        using var kernel = Sensor(out var wanted);
        var port = FreePort();
        await using var forwarders = Forwarders(kernel, port);
        wanted.Target = forwarders.Want;

        using var member = Member(kernel, port, out var pid);
        Assert.Equal("continued", await ReadLineAsync(member, TimeSpan.FromSeconds(10)));

        Assert.Equal(1, forwarders.Failures);
        Assert.Equal((1, 0), (kernel.Stops.Continued, kernel.Stops.TimedOut));
        Assert.True(kernel.Stops.LongestWait < NamespaceForwarders.StopBound, $"waited {kernel.Stops.LongestWait}");
    }

    [Fact]
    public async Task Processes_still_waiting_for_a_forwarder_are_continued_when_the_daemon_stops()
    {
        using var kernel = Sensor(out _);
        var port = FreePort();
        var forwarders = Forwarders(kernel, port);

        using var member = Member(kernel, port, out var pid);
        WaitForState(pid, 'T');
        await forwarders.DisposeAsync();

        Assert.Equal("continued", await ReadLineAsync(member, TimeSpan.FromSeconds(10)));
        Assert.Equal((1, 0), (kernel.Stops.Continued, kernel.Stops.TimedOut));
    }

    [Fact]
    public async Task Processes_still_waiting_for_a_forwarder_are_continued_when_their_job_ends()
    {
        using var kernel = Sensor(out _);
        var port = FreePort();
        await using var forwarders = Forwarders(kernel, port);

        using var member = Member(kernel, port, out var pid);
        WaitForState(pid, 'T');
        forwarders.Released(Slot);

        Assert.Equal("continued", await ReadLineAsync(member, TimeSpan.FromSeconds(10)));
        Assert.Equal((1, 0), (kernel.Stops.Continued, kernel.Stops.TimedOut));
    }

    [Fact]
    public async Task A_process_whose_forwarder_never_comes_is_continued_after_the_bound()
    {
        using var kernel = Sensor(out _);
        var port = FreePort();
        await using var forwarders = Forwarders(kernel, port);

        var started = Stopwatch.StartNew();
        using var member = Member(kernel, port, out var pid);
        WaitForState(pid, 'T');
        Assert.Equal("continued", await ReadLineAsync(member, TimeSpan.FromSeconds(20)));

        Assert.InRange(started.Elapsed, NamespaceForwarders.StopBound, NamespaceForwarders.StopBound + TimeSpan.FromSeconds(10));
        Assert.Equal((1, 1), (kernel.Stops.Continued, kernel.Stops.TimedOut));
    }

    [Fact]
    public void The_sensor_continues_what_it_stopped_when_it_is_disposed()
    {
        var kernel = Sensor(out _);
        kernel.Stops.Enable(true);
        using var member = Member(kernel, FreePort(), out var pid);
        WaitForState(pid, 'T');
        kernel.Dispose();

        Assert.Equal("continued", member.StandardOutput.ReadLine());
        Assert.True(member.WaitForExit(10_000));
    }

    private sealed class Forward
    {
        public Action<uint, int, uint>? Target { get; set; }
    }

    private static KernelProcessSensor Sensor(out Forward wanted)
    {
        if (Tmds.Linux.LibC.geteuid() != 0)
        {
            throw new InvalidOperationException("These tests load BPF programs and make network namespaces: they need root.");
        }

        var forward = wanted = new Forward();
        var events = Channel.CreateUnbounded<SensorEvent>();
        var kernel = KernelProcessSensor.TryCreate(events.Writer, out var reason,
                         options: new KernelProcessSensorOptions { ForwarderWanted = (slot, tgid, inode) => forward.Target?.Invoke(slot, tgid, inode) })
                     ?? throw new InvalidOperationException($"The kernel sensor is unavailable here: {reason}");
        kernel.Start();
        // The daemon's own namespace has its forwarder: only the exec in the new one is stopped.
        kernel.Policy.ForwarderListens(NetworkNamespace.InodeOf(Environment.ProcessId)!.Value);
        return kernel;
    }

    private static NamespaceForwarders Forwarders(KernelProcessSensor kernel, int port) =>
        new(new PreventModeDns(kernel, new MonitorPipeline(new LoopQueue(), TimeProvider.System), TimeProvider.System), kernel.Policy,
            kernel.Stops, port, slot => kernel.MembersOf(slot), _ => { }, NullLoggerFactory.Instance, TimeProvider.System);

    /// <summary>Starts the script as a member of the held job: the kernel knows it before it runs its first line.</summary>
    private static Process Member(KernelProcessSensor kernel, int port, out int pid)
    {
        kernel.Policy.Prevent(Slot, port, IPAddress.Loopback, IPAddress.IPv6Loopback);
        var go = Path.Combine(Path.GetTempPath(), $"bs-stop-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"while [ ! -e {go} ]; do sleep 0.01; done; exec python3 -c \"$CODE\" {port}");
        start.Environment["CODE"] = Script;
        var process = Process.Start(start)!;
        kernel.SeedJob(process.Id, Slot);
        File.WriteAllText(go, "");
        try
        {
            pid = int.Parse(process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the member printed nothing"),
                System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(go);
        }

        return process;
    }

    private static void WaitForState(int pid, char state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string stat;
        while ((stat = File.ReadAllText($"/proc/{pid}/stat"))[(stat.LastIndexOf(')') + 2)..][0] != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"process {pid} never reached state {state}: {stat}");
            Thread.Sleep(10);
        }
    }

    private static async Task<string?> ReadLineAsync(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await process.StandardOutput.ReadLineAsync(cancel.Token);
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
