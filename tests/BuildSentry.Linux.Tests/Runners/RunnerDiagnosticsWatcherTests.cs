using BuildSentry.Testing.Runners;
using System.Net.Sockets;
using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Runners;

namespace BuildSentry.Linux.Tests.Runners;

public sealed class RunnerDiagnosticsWatcherTests(FakeRunnerWorkerBuild worker) : IClassFixture<FakeRunnerWorkerBuild>
{
    private const string ClientScript = """
        import socket, sys, time
        # The runtime creates the socket file (bind) just before it listens: refused until then.
        for attempt in range(100):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(sys.argv[1])
                break
            except ConnectionRefusedError:
                s.close()
                time.sleep(0.05)
        else:
            sys.exit("the diagnostics port never accepted")
        print("connected", flush=True)
        time.sleep(60)
        """;

    [Fact]
    public async Task A_process_holding_a_session_on_a_workers_diagnostics_port_is_reported_once_with_the_worker()
    {
        BuildSentry.Testing.Requirements.Tool("python3", "python3");
        using var fakeWorker = Support.Processes.Start(worker.AppHost, ["github_tamper"]);
        System.Diagnostics.Process? python = null;
        try
        {
            Assert.Equal("ready", fakeWorker.StandardOutput.ReadLine());
            var port = await DiagnosticsPortAsync(fakeWorker.Id);
            python = Support.Processes.Start("python3", ["-c", ClientScript, port]);
            Assert.Equal("connected", python.StandardOutput.ReadLine());
            using var watcher = new RunnerDiagnosticsWatcher(Channel.CreateUnbounded<SensorEvent>().Writer, TimeProvider.System);

            // The session shows once the runtime has accepted it (until then its server end has no inode).
            var found = watcher.Scan();
            for (var poll = 0; found.Count == 0 && poll < 50; poll++)
            {
                await Task.Delay(100);
                found = watcher.Scan();
            }

            var contact = Assert.Single(found);

            var procFs = new ProcFs();
            Assert.Equal(procFs.TryGetKey(python.Id), contact.Client);
            Assert.Equal(procFs.TryGetKey(fakeWorker.Id), contact.Worker);
            Assert.Empty(watcher.Scan());
        }
        finally
        {
            python?.Kill();
            python?.Dispose();
            fakeWorker.Kill();
        }
    }

    [Fact]
    public async Task Sessions_of_the_watching_process_itself_and_ports_of_other_dotnet_processes_are_not_reported()
    {
        using var fakeWorker = Support.Processes.Start(worker.AppHost, ["github_self"]);
        try
        {
            Assert.Equal("ready", fakeWorker.StandardOutput.ReadLine());
            using var own = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            own.Connect(new UnixDomainSocketEndPoint(await DiagnosticsPortAsync(fakeWorker.Id)));
            using var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            other.Connect(new UnixDomainSocketEndPoint(await DiagnosticsPortAsync(Environment.ProcessId)));
            for (var poll = 0; poll < 50 && Accepted().Count(pid => pid == fakeWorker.Id || pid == Environment.ProcessId) < 2; poll++)
            {
                await Task.Delay(100);
            }

            Assert.Contains(fakeWorker.Id, Accepted());
            Assert.Contains(Environment.ProcessId, Accepted());
            using var watcher = new RunnerDiagnosticsWatcher(Channel.CreateUnbounded<SensorEvent>().Writer, TimeProvider.System);

            Assert.Empty(watcher.Scan());
        }
        finally
        {
            fakeWorker.Kill();
        }
    }

    [Fact]
    public void The_proc_net_unix_table_yields_connected_sessions_on_diagnostics_ports_only()
    {
        const string table = """
            Num       RefCount Protocol Flags    Type St Inode Path
            0000000000000000: 00000002 00000000 00010000 0001 01 1001 /tmp/dotnet-diagnostic-4242-99-socket
            0000000000000000: 00000003 00000000 00000000 0001 03 1002 /tmp/dotnet-diagnostic-4242-99-socket
            0000000000000000: 00000003 00000000 00000000 0001 03 1003
            0000000000000000: 00000003 00000000 00000000 0001 03 1004 /run/user/dotnet-diagnostic-77-5-socket
            0000000000000000: 00000003 00000000 00000000 0001 03 1005 /tmp/dotnet-diagnostic-x-5-socket
            0000000000000000: 00000003 00000000 00000000 0001 03 1006 /tmp/dotnet-diagnostic-5-socket
            0000000000000000: 00000003 00000000 00000000 0001 03 1007 /tmp/my dotnet-diagnostic-8-1-socket
            0000000000000000: 00000003 dotnet-diagnostic-
            0000000000000000: 00000003 00000000 00000000 0001 03 99999999999 /tmp/dotnet-diagnostic-1-1-socket
            """;

        Assert.Equal([(1002u, 4242), (1004u, 77)], DiagnosticsSockets.Parse(table));
    }

    [Fact]
    public void A_unix_diag_reply_is_read_within_its_bounds()
    {
        var reply = new byte[44];
        BitConverter.TryWriteBytes(reply, 44u);
        BitConverter.TryWriteBytes(reply.AsSpan(32), (ushort)8);
        BitConverter.TryWriteBytes(reply.AsSpan(34), (ushort)2);
        BitConverter.TryWriteBytes(reply.AsSpan(36), 555u);
        Assert.Equal(555u, UnixDiag.Peer(reply));

        BitConverter.TryWriteBytes(reply.AsSpan(32), (ushort)200);
        Assert.Null(UnixDiag.Peer(reply));
        BitConverter.TryWriteBytes(reply, 9999u);
        Assert.Null(UnixDiag.Peer(reply.AsSpan(0, 30)));
        BitConverter.TryWriteBytes(reply.AsSpan(32), (ushort)0);
        Assert.Null(UnixDiag.Peer(reply));
    }

    private static IEnumerable<int> Accepted() => DiagnosticsSockets.Parse(File.ReadAllText("/proc/net/unix")).Select(s => s.OwnerPid);

    private static async Task<string> DiagnosticsPortAsync(int pid)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*-socket").FirstOrDefault() is { } path)
            {
                return path;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"process {pid} has no diagnostics port in {Path.GetTempPath()}");
    }
}
