using System.Numerics;
using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// Process events from BPF programs on the scheduler's fork, exec and exit tracepoints, drained from a ring buffer
/// on a dedicated thread into the same <see cref="SensorEvent"/>s the proc connector sensor writes; a /proc scan at
/// start and after loss. The kernel keeps the job membership map (<see cref="SeedJob"/>), and reports its members'
/// connects and UDP flows at the syscall (ConnectionAttempted, UdpFlowStarted). Needs CAP_BPF, CAP_PERFMON and
/// CAP_NET_ADMIN, a kernel of 5.8 or later with BTF, cgroup v2 mounted, and libbpf1; <see cref="TryCreate"/> says
/// when one is missing.
/// </summary>
public sealed partial class KernelProcessSensor : IProcessSensor
{
    public const string SensorName = "ebpf";

    private readonly ChannelWriter<SensorEvent> _writer;
    private readonly TimeProvider _time;
    private readonly KernelProcessSensorOptions _options;
    private readonly ProcFs _procFs;
    private readonly KernelPrograms _programs;
    private readonly JobMembership _jobs;
    private readonly RingPositions _positions;
    private readonly ReaderThread _reader;
    private long _received;
    private long _lost;
    private long _overruns;
    private long _rescans;
    private long _execsUnread;

    // Odd while the reader waits between drains: see IsCaughtUp. The wall clock until when it last drained everything.
    private long _waitEpoch;
    private long _drainedTicks;

    private KernelProcessSensor(ChannelWriter<SensorEvent> writer, TimeProvider time, KernelProcessSensorOptions options,
        ProcFs procFs, KernelPrograms programs)
    {
        _writer = writer;
        _reader = new ReaderThread(SensorName, Run);
        _time = time;
        _options = options;
        _procFs = procFs;
        _programs = programs;
        _jobs = new JobMembership(programs.JobsFd);
        _positions = RingPositions.Map(programs.EventsFd);
        Policy = new KernelPolicy(programs.JobPoliciesFd, programs.AllowedFd, programs.DnsOriginsFd, programs.DnsNamespacesFd, programs.DnsClientsFd);
        SocketOwners = new KernelSocketOwners(programs.SocketOwnersFd, options.JobIdOfSlot ?? (_ => null));
        Stops = new NamespaceStops(programs.NamespaceStopsFd, programs.StopExecsFd, procFs);
    }

    /// <summary>The job members behind sockets, as the kernel recorded them at connect and sendmsg: the capture's
    /// owner lookups ask it before they search /proc.</summary>
    public KernelSocketOwners SocketOwners { get; }

    /// <summary>Prevent mode: which jobs are held to an allowlist, the allowlists, and where their DNS goes.</summary>
    public KernelPolicy Policy { get; }

    /// <summary>A held job's processes stopped at exec until their network namespace's forwarder listens: off until
    /// the daemon switches them on, and every one left is continued when the sensor is disposed.</summary>
    public NamespaceStops Stops { get; }

    /// <summary>
    /// Loads and attaches the programs; from then on the kernel keeps every process event until <see cref="Start"/>
    /// reads them. Null, with the reason, where BPF is unavailable: the caller falls back to the proc connector.
    /// </summary>
    public static KernelProcessSensor? TryCreate(ChannelWriter<SensorEvent> writer, out string? unavailableReason,
        TimeProvider? time = null, KernelProcessSensorOptions? options = null, ProcFs? procFs = null)
    {
        options ??= new KernelProcessSensorOptions();
        if (!BitOperations.IsPow2(options.RingBytes) || options.RingBytes < Environment.SystemPageSize)
        {
            throw new ArgumentException($"RingBytes must be a power of two of at least a page, not {options.RingBytes}.", nameof(options));
        }

        if (TryLoad(options, attach: true, out unavailableReason) is not { } programs)
        {
            return null;
        }

        try
        {
            return new KernelProcessSensor(writer, time ?? TimeProvider.System, options, procFs ?? new ProcFs(), programs);
        }
        catch
        {
            programs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether the programs load here, as the daemon would load them but attached nowhere (for <c>buildsentry doctor</c>,
    /// beside a running daemon): null when they do, else why not.
    /// </summary>
    public static string? CheckLoad()
    {
        using var programs = TryLoad(new KernelProcessSensorOptions(), attach: false, out var reason);
        return reason;
    }

    private static KernelPrograms? TryLoad(KernelProcessSensorOptions options, bool attach, out string? unavailableReason)
    {
        unavailableReason = Prerequisites.Missing();
        if (unavailableReason is not null)
        {
            return null;
        }

        var cgroupRoot = Cgroups.CgroupMount.FindV2();
        if (cgroupRoot is null)
        {
            unavailableReason = "cgroup v2 is not mounted: the connection programs attach at its root";
            return null;
        }

        try
        {
            return KernelPrograms.Load(options.RingBytes, Math.Min(options.WakeBytes, options.RingBytes / 2), options.JobEntries, cgroupRoot, attach);
        }
        catch (KernelUnavailableException e)
        {
            unavailableReason = e.Message;
            return null;
        }
    }

    public string Name => SensorName;

    public ProcessSensorCounters Counters => new(
        Interlocked.Read(ref _received), Interlocked.Read(ref _lost),
        Interlocked.Read(ref _overruns), Interlocked.Read(ref _rescans), Interlocked.Read(ref _execsUnread));

    public Exception? Fault { get; private set; }

    public bool KernelHasPending => _positions.Pending != 0;

    public ThreadScheduling ReaderScheduling { get; private set; }

    /// <summary>The reader's kernel thread id, for measuring its CPU time in /proc/self/task.</summary>
    public int ReaderThreadId { get; private set; }

    public long Heartbeat => Interlocked.Read(ref _heartbeat);

    private long _heartbeat;

    /// <summary>Puts a process in a job: its descendants from now on join it as they are forked.</summary>
    public void SeedJob(int tgid, uint slot) => _jobs.Seed(tgid, slot);

    /// <summary>Takes a process out of its job; descendants already forked keep theirs.</summary>
    public void ClearJob(int tgid) => _jobs.Clear(tgid);

    /// <summary>Every live process the kernel holds in a job slot.</summary>
    public IReadOnlyList<int> MembersOf(uint slot) => _jobs.MembersOf(slot);

    /// <summary>The job the kernel holds a live process in.</summary>
    public bool TryGetJob(int tgid, out uint slot) => _jobs.TryGet(tgid, out slot);

    public void Start() => _reader.Start(this);

    public void Dispose()
    {
        if (_reader.Stop())
        {
            // Nothing stops a process any more before the last ones are continued: the maps go with the programs.
            Stops.Enable(false);
            Stops.ContinueAll();
            _positions.Dispose();
            _programs.Dispose();
        }
    }

    private void Write(SensorEvent evt)
    {
        if (!_writer.TryWrite(evt))
        {
            // A full channel holds the reader back; the ring then fills, and what does not fit is counted as loss.
            _writer.WriteAsync(evt, _reader.Token).AsTask().GetAwaiter().GetResult();
        }
    }
}
