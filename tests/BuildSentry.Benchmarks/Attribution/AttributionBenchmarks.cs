using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Linux.Attribution;

namespace BuildSentry.Benchmarks.Attribution;

/// <summary>
/// "Which process owns this flow" for a live TCP connection held by a child process, as the network
/// sensor asks it for every SYN: cached (the socket was seen before), uncached with the job's pids
/// searched first, and uncached with no hint (every /proc/PID/fd on the host). Needs root.
/// </summary>
[MemoryDiagnoser]
public class AttributionBenchmarks
{
    private TcpListener _listener = null!;
    private Process _child = null!;
    private Socket _accepted = null!;
    private FlowKey _flow;
    private int[] _jobPids = [];
    private IFlowOwnerResolver _cached = null!;
    private IFlowOwnerResolver _uncached = null!;

    [GlobalSetup]
    public void StartChild()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        // The child opens the connection and then becomes a long sleep that still holds it.
        _child = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", $"exec 3<>/dev/tcp/127.0.0.1/{port}; exec sleep 3600"]))!;
        _accepted = _listener.AcceptSocket();
        var client = (IPEndPoint)_accepted.RemoteEndPoint!;
        _flow = new FlowKey(TransportProtocol.Tcp, client.Address, client.Port, IPAddress.Loopback, port);
        _jobPids = [_child.Id];
        _cached = FlowOwnerResolvers.Create();
        _uncached = new FlowOwnerResolver(cacheCapacity: 0);
        if (_cached.Resolve(_flow, _jobPids).Owner?.Pid != _child.Id)
        {
            throw new InvalidOperationException($"the flow {_flow} was not attributed to the child {_child.Id} (run as root)");
        }
    }

    [GlobalCleanup]
    public void StopChild()
    {
        _child.Kill();
        _child.WaitForExit();
        _accepted.Dispose();
        _listener.Stop();
        ((IDisposable)_cached).Dispose();
        ((IDisposable)_uncached).Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Cached() => _cached.Resolve(_flow, _jobPids).Owner?.Pid ?? -1;

    [Benchmark]
    public int UncachedJobPidsFirst() => _uncached.Resolve(_flow, _jobPids).Owner?.Pid ?? -1;

    [Benchmark]
    public int UncachedWholeHostScan() => _uncached.Resolve(_flow, []).Owner?.Pid ?? -1;
}
