using BuildSentry.Testing;

namespace BuildSentry.EndToEnd;

/// <summary>The daemon as a systemd notify service: READY, watchdog pings, STOPPING, one daemon per control socket.</summary>
public sealed class ServiceTests
{
    [Fact]
    public async Task Ready_is_sent_once_the_control_socket_is_listening()
    {
        Requirements.Root();
        await using var notify = new NotifyListener();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup { Environment = notify.Environment() });

        var ready = await notify.WaitForAsync("READY=1");

        Assert.Contains(daemon.SocketPath, ready.ListeningSockets);
        Assert.Single(notify.Messages, m => m.State == "READY=1");
    }

    [Fact]
    public async Task Without_a_watchdog_the_daemon_sends_no_pings()
    {
        Requirements.Root();
        await using var notify = new NotifyListener();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup { Environment = notify.Environment() });
        await notify.WaitForAsync("READY=1");

        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.DoesNotContain(notify.Messages, m => m.State == "WATCHDOG=1");
    }

    [Fact]
    public async Task Watchdog_pings_arrive_every_half_of_WATCHDOG_USEC()
    {
        Requirements.Root();
        await using var notify = new NotifyListener();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup { Environment = notify.Environment(TimeSpan.FromSeconds(2)) });
        var ready = await notify.WaitForAsync("READY=1");

        await Task.Delay(TimeSpan.FromSeconds(4));

        var pings = notify.Messages.Where(m => m.State == "WATCHDOG=1" && m.ReceivedAt > ready.ReceivedAt).Select(m => m.ReceivedAt).ToList();
        // One per second: 3 or 4 in the 4 s (5 at most, if the listener stamps one late and the next on time).
        Assert.True(pings.Count is >= 3 and <= 5, $"{pings.Count} pings in 4 s after READY=1 with WATCHDOG_USEC=2 s");
        // Never as late as WATCHDOG_USEC. A gap is measured where this test's thread pool stamps the datagram: one
        // stamped late (a test-host stall; the daemon run alone pings every 1.000 s +- 1 ms) shortens the next gap,
        // so the lower bound only says no two pings are sent back to back.
        var gaps = pings.Zip(pings.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap, 0.1, 1.9));
    }

    [Fact]
    public async Task A_wedged_monitor_loop_stops_the_watchdog_pings()
    {
        Requirements.Root();
        await using var notify = new NotifyListener();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup { Environment = notify.Environment(TimeSpan.FromSeconds(2)) });
        await notify.WaitForAsync("READY=1");
        await notify.WaitForAsync("WATCHDOG=1");

        int after;
        using (await StoppedThread.StopAsync(daemon.Pid, "monitor-loop"))
        {
            // A ping already decided on may still arrive; none after that.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var wedged = DateTime.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(3));
            after = notify.Messages.Count(m => m.State == "WATCHDOG=1" && m.ReceivedAt > wedged);
        }

        Assert.Equal(0, after);
        // Unwedged, the loop runs the probes again and the pings resume.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Contains(notify.Messages, m => m.State == "WATCHDOG=1" && m.ReceivedAt > DateTime.UtcNow.AddSeconds(-2.5));
    }

    [Fact]
    public async Task Sigterm_sends_STOPPING_and_the_daemon_exits_with_0()
    {
        Requirements.Root();
        await using var notify = new NotifyListener();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup { Environment = notify.Environment() });
        await notify.WaitForAsync("READY=1");

        var exitCode = await daemon.StopAsync();

        Assert.Equal(0, exitCode);
        await notify.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(1));
        Assert.False(Path.Exists(daemon.SocketPath), "the control socket file is removed on stop");
    }

    [Fact]
    public async Task As_root_the_daemon_runs_the_ebpf_process_sensor_and_says_so_in_its_start_alert_and_status()
    {
        Requirements.Root();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup());

        var sensors = await SensorsAsync(daemon);
        Assert.Equal("ebpf", sensors.GetProperty("processSensor").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, sensors.GetProperty("processSensorFallback").ValueKind);
        var started = await daemon.WaitForAlertAsync(a => a.GetProperty("kind").GetString() == "daemon.start");
        Assert.Contains("process sensor ebpf;", started.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_CAP_BPF_the_daemon_falls_back_to_the_proc_connector_and_says_why()
    {
        Requirements.Root();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup
        {
            Launcher = ["/usr/bin/setpriv", "--bounding-set=-bpf,-perfmon,-sys_admin", "--inh-caps=-bpf,-perfmon,-sys_admin", "--"],
        });

        var sensors = await SensorsAsync(daemon);
        Assert.Equal("proc-connector", sensors.GetProperty("processSensor").GetString());
        var reason = sensors.GetProperty("processSensorFallback").GetString();
        Assert.False(string.IsNullOrWhiteSpace(reason));
        var started = await daemon.WaitForAlertAsync(a => a.GetProperty("kind").GetString() == "daemon.start");
        Assert.Contains("process sensor proc-connector (eBPF unavailable: ", started.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("The eBPF process sensor cannot run", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_process_sensor_ebpf_a_daemon_that_cannot_load_it_refuses_to_start()
    {
        Requirements.Root();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => DaemonProcess.StartAsync(new DaemonSetup
        {
            Launcher = ["/usr/bin/setpriv", "--bounding-set=-bpf,-perfmon,-sys_admin", "--inh-caps=-bpf,-perfmon,-sys_admin", "--"],
            ExtraConfiguration = "process_sensor: ebpf",
        }));

        Assert.Contains("process_sensor is ebpf, and the eBPF sensor cannot run", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_daemon_where_neither_process_sensor_can_run_refuses_to_start_and_says_why()
    {
        Requirements.Root();
        // The proc connector answers only in the host's network namespace; without CAP_BPF the eBPF sensor cannot load.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => DaemonProcess.StartAsync(new DaemonSetup
        {
            Launcher = ["/usr/bin/unshare", "--net", "/usr/bin/setpriv", "--bounding-set=-bpf,-perfmon,-sys_admin",
                "--inh-caps=-bpf,-perfmon,-sys_admin", "--"],
        }));

        Assert.Contains("no process sensor can run: the proc-connector sensor cannot start", failure.Message, StringComparison.Ordinal);
        Assert.Contains("and the eBPF sensor cannot run", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", failure.Message, StringComparison.Ordinal);
    }

    private static async Task<System.Text.Json.JsonElement> SensorsAsync(DaemonProcess daemon)
    {
        var status = await daemon.CliAsync("status", "--json");
        return System.Text.Json.JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("sensors");
    }

    [Fact]
    public async Task Without_CAP_SYS_NICE_the_daemon_runs_and_says_its_reader_and_capture_threads_are_not_raised()
    {
        Requirements.Root();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup { Launcher = ["/usr/bin/setpriv", "--bounding-set=-sys_nice", "--"] });
        var status = await daemon.CliAsync("status", "--json");
        var sensors = System.Text.Json.JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("sensors");
        Assert.Equal("default", sensors.GetProperty("processReaderScheduling").GetString());
        Assert.Equal("default", sensors.GetProperty("captureScheduling").GetString());
        // The warning is logged once the reader's first event (the start rescan) reached the monitor.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!daemon.Output.Contains("not nice -10 with the shortest slice", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains("The process sensor's reader runs with scheduling 'default'", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_control_socket_refuses_to_start()
    {
        Requirements.Root();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup());

        var second = await Command.RunAsync(DaemonProcess.Binary, ["run", "--config", Path.Combine(daemon.Directory, "buildsentry.yaml")],
            TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("another process is listening on " + daemon.SocketPath, second.StandardError + second.StandardOutput, StringComparison.Ordinal);
        Assert.True((await daemon.CliAsync("status", "--json")).Succeeded, "the first daemon still answers");
    }
}
