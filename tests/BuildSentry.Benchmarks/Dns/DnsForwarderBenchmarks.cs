using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BuildSentry.Linux.Dns;
using BuildSentry.Linux.Tests.Decoding;
using BuildSentry.Linux.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BuildSentry.Benchmarks.Dns;

/// <summary>
/// One UDP query and its answer from the loopback fake upstream, straight and through the forwarder: the difference of
/// the two means is the time the forwarder adds. Its own histogram of that time (receipt to reply, less the upstream
/// round trip) is printed at the end, for the percentiles a mean hides.
/// </summary>
[MemoryDiagnoser]
public class DnsForwarderBenchmarks
{
    private readonly byte[] _query = DnsSamples.Query("registry.npmjs.org", 1);
    private readonly byte[] _answer = new byte[512];
    private FakeDnsUpstream _upstream = null!;
    private DnsForwarder _forwarder = null!;
    private Socket _direct = null!;
    private Socket _forwarded = null!;

    [GlobalSetup]
    public void Start()
    {
        _upstream = new FakeDnsUpstream(IPAddress.Loopback) { KeepSent = false }.Add("registry.npmjs.org", IPAddress.Parse("104.16.1.34"), 300);
        _forwarder = DnsForwarder.Start(new DnsForwarderOptions(), new ForwardAll(_upstream.EndPoint), NullLogger<DnsForwarder>.Instance);
        _direct = Connect(_upstream.EndPoint);
        _forwarded = Connect(_forwarder.UdpEndPoint);
    }

    [GlobalCleanup]
    public async Task StopAsync()
    {
        var latency = _forwarder.Counters.AddedLatency;
        if (latency.Count > 0)
        {
            Console.WriteLine(
                $"// Forwarder's added latency over {latency.Count:N0} queries: p50 {latency.Percentile(50).TotalMicroseconds:F0} µs, " +
                $"p99 {latency.Percentile(99).TotalMicroseconds:F0} µs");
        }

        _direct.Dispose();
        _forwarded.Dispose();
        await _forwarder.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public int StraightToUpstream() => Exchange(_direct);

    [Benchmark]
    public int ThroughForwarder() => Exchange(_forwarded);

    private int Exchange(Socket socket)
    {
        socket.Send(_query);
        return socket.Receive(_answer);
    }

    private static Socket Connect(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        socket.Connect(server);
        return socket;
    }

    private sealed class ForwardAll(IPEndPoint upstream) : IDnsForwarderPolicy
    {
        private readonly DnsDecision _forward = DnsDecision.Forward(upstream);

        public DnsDecision Decide(DnsQueryContext query) => _forward;

        public ValueTask AnsweredAsync(DnsQueryContext query, IReadOnlyList<DnsAddressAnswer> answers, CancellationToken cancellationToken) =>
            ValueTask.CompletedTask;
    }
}
