using System.Diagnostics;
using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Capture;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Network;

/// <summary>
/// Captured frames to network events: connection attempts, DNS queries and answers, TLS server
/// names, HTTP hosts and new UDP flows, each with the process that owns the flow. Runs on its own
/// thread; the kernel filter (<see cref="CaptureFilter"/>) keeps bulk traffic out of managed code.
/// </summary>
public sealed partial class NetworkSensor : IDisposable
{
    private const int FlowCapacity = 8192;

    private readonly ChannelWriter<SensorEvent> _writer;
    private readonly IPacketSource _source;
    private readonly IFlowOwnerResolver _resolver;
    private readonly JobPids _jobPids;
    private readonly KernelJobTags? _kernelTags;
    private readonly HashSet<int> _dnsPorts;
    private readonly PacketDecoder _decoder = new();
    private readonly PcapLossTracker _loss = new();
    private readonly FlowTable<FlowState> _tcp = new(FlowCapacity);
    private readonly FlowTable<FlowState> _udp = new(FlowCapacity);
    private readonly FlowTable<FlowState> _dnsQueries = new(FlowCapacity);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private byte[] _frame = new byte[65536];
    private Thread? _thread;
    private ITimer? _statsTimer;

    public NetworkSensor(ChannelWriter<SensorEvent> writer, IPacketSource source, IFlowOwnerResolver resolver, JobPids jobPids,
        IEnumerable<int> dnsPorts, TimeProvider? time = null, KernelJobTags? kernelTags = null)
    {
        _kernelTags = kernelTags;
        _writer = writer;
        _source = source;
        _resolver = resolver;
        _jobPids = jobPids;
        _dnsPorts = [.. dnsPorts];
        _time = time ?? TimeProvider.System;
    }

    public NetworkSensorCounters Counters { get; } = new();

    /// <summary>The job the kernel's membership map has a process in, where the eBPF sensor runs; set before <see cref="Start"/>.</summary>
    public Func<int, string?>? JobOfProcess { get; init; }

    /// <summary>Flow owners the kernel's socket-owner map answered (the eBPF sensor), without a search of /proc.</summary>
    public long KernelOwnedFlows => _resolver.KernelAnswers;

    /// <summary>How the kernel schedules the capture thread, and the per-device readers it starts (they inherit its
    /// nice value): <see cref="Interop.ThreadScheduling.Nice"/> (-10) unless it was refused (no CAP_SYS_NICE), and
    /// then a busy build delays kills. It keeps the default slice on purpose (<see cref="Interop.ThreadNice"/>).</summary>
    public Interop.ThreadScheduling CaptureScheduling { get; private set; }

    /// <summary>Packets the kernel passed to the capture (libpcap's received counters, summed over devices), as of the
    /// last statistics poll (every second): beside <see cref="NetworkSensorCounters.Frames"/>, it shows a stalled reader.</summary>
    public long KernelReceived => Interlocked.Read(ref _kernelReceived);

    private long _kernelReceived;

    /// <summary>Set when the capture thread died; the daemon reports it rather than watching blind.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Completes when a file source has been read to its end (live sources run until disposed).</summary>
    public Task Completion => _completion.Task;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Start()
    {
        WarmUp();
        _thread = new Thread(Run) { IsBackground = true, Name = LivePacketSource.CaptureThreadName };
        _thread.Start();
        _statsTimer = _time.CreateTimer(_ => PollStatistics(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _statsTimer?.Dispose();
        _thread?.Join(TimeSpan.FromSeconds(5));
        _source.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        CaptureScheduling = Interop.ThreadNice.Set(Interop.ThreadNice.CaptureThread) ? Interop.ThreadScheduling.Nice : Interop.ThreadScheduling.Default;
        try
        {
            _source.Run(OnFrame, _stop.Token, OnIdle);
            _completion.TrySetResult();
        }
        catch (OperationCanceledException)
        {
            _completion.TrySetResult();
        }
        catch (Exception ex)
        {
            Fault = ex;
            _completion.TrySetException(ex);
        }
    }

    /// <summary>
    /// Runs the decode and attribution paths once before the first real packet, so the first
    /// connection of the first job does not wait for the JIT while its socket closes.
    /// </summary>
    private void WarmUp()
    {
        _decoder.Decode(new byte[64], PacketDotNet.LinkLayers.LinuxSll);
        var loopback = System.Net.IPAddress.Loopback;
        _resolver.Resolve(new FlowKey(Core.Profiles.TransportProtocol.Tcp, loopback, 1, loopback, 1), []);
        _resolver.Resolve(new FlowKey(Core.Profiles.TransportProtocol.Udp, loopback, 1, loopback, 1), []);
        DnsMessageParser.TryParse(new byte[12], out _);
        StreamHostSniffer.ForTls().Feed(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x00 });
        StreamHostSniffer.ForHttp().Feed("GET / HTTP/1.1\r\n"u8);
    }

    private void PollStatistics()
    {
        try
        {
            var counters = _source.ReadCounters();
            Interlocked.Exchange(ref _kernelReceived, counters.Sum(c => (long)c.Received));
            if (_loss.Observe(counters, _time.GetUtcNow()) is { } loss)
            {
                _writer.TryWrite(loss);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // The device is closing: statistics end with it.
        }
    }

    private FlowAttribution Attribute(FlowKey flow)
    {
        var started = Stopwatch.GetTimestamp();
        var kernelJob = _kernelTags?.JobOf(flow);
        // A flow the kernel tagged is owned by a process in that job's cgroup: search there, not the whole host.
        var attribution = kernelJob is null
            ? _resolver.Resolve(flow, _jobPids)
            : _resolver.Resolve(flow, new LazyPids(() => _kernelTags!.Members(kernelJob)), searchHost: false);
        // The kernel's membership map (the eBPF sensor) knows the owner's job before the owner's exec reaches the
        // monitor: a denial is then killed at once instead of waiting for it (JobMonitor.KillAhead). An owner found in
        // its socket-owner map came with its job already.
        kernelJob ??= attribution.KernelJob ?? (attribution.Owner is { } owner ? JobOfProcess?.Invoke(owner.Pid) : null)
            ?? (attribution.NamespaceMember is { } member && attribution.Owner is null ? JobOfProcess?.Invoke(member.Pid) : null);
        if (kernelJob is not null)
        {
            attribution = attribution with { KernelJob = kernelJob };
        }

        Interlocked.Add(ref Counters.AttributionTicksValue, Stopwatch.GetTimestamp() - started);
        if (attribution.Owner is null && kernelJob is null)
        {
            Interlocked.Increment(ref Counters.UnattributedValue);
        }

        return attribution;
    }

    private void Emit(SensorEvent e) => _writer.TryWrite(e);
}
