using System.Collections.Concurrent;
using System.ComponentModel;
using System.Threading.Channels;
using BuildSentry.Core.Network;
using BuildSentry.Linux.Enforcement;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// Which job's cgroup a flow's socket belongs to, as the kernel saw it when the packet left. The daemon keeps a few
/// slots, directories under &lt;mount&gt;/buildsentry each matched by an NFLOG rule (<see cref="NetfilterJobRules"/>)
/// whose prefix names the slot; a new job's cgroup is created inside a free slot, so the rule covers the job's very
/// first packet (adding a rule takes milliseconds: the slots are made ahead, off the monitor loop). The record is
/// queued on the netlink socket in the sender's context, before the packet reaches the capture tap, so by the time
/// the capture thread sees a packet its record is waiting: <see cref="JobOf"/> drains the socket, then looks. This
/// closes the race that user-space lookup loses when a process closes its socket within a millisecond.
/// </summary>
public sealed class KernelJobTags : IDisposable, ICgroupSlots
{
    private const int FlowCapacity = 16384;
    // Free slots kept ready: a slot is free again only once its last job's cgroup is removed, which waits for the
    // job's processes to exit and for the placement thread, so back-to-back jobs hold several at once.
    internal const int SpareSlots = 4;

    private readonly NflogSocket _socket;
    private readonly NetfilterJobRules _rules;
    private readonly string _parent;
    private readonly Action<string> _onError;
    private readonly List<Slot> _slots = [];
    private readonly ConcurrentDictionary<int, string> _jobsByTag = new();
    private readonly ConcurrentDictionary<string, string> _directoryByJob = new(StringComparer.Ordinal);
    private readonly Dictionary<FlowKey, string> _flows = [];
    private readonly Queue<FlowKey> _order = new();
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new() { SingleReader = true });
    private readonly Task _worker;
    private readonly byte[] _buffer = new byte[65536];
    private readonly Action<string, FlowKey> _onRecord;
    private int _nextTag;
    private long _records, _overruns, _released, _jobsWithoutSlot;
    private int _slotsBeingMade;

    private KernelJobTags(NflogSocket socket, NetfilterJobRules rules, string parent, Action<string> onError)
    {
        _socket = socket;
        _rules = rules;
        _parent = parent;
        _onError = onError;
        _onRecord = OnRecord;
        _worker = Task.Run(async () =>
        {
            await foreach (var work in _work.Reader.ReadAllAsync())
            {
                work();
            }
        });
    }

    public long Records => Interlocked.Read(ref _records);

    /// <summary>Times the kernel dropped records because the socket was full (the flows fall back to user-space lookup).</summary>
    public long Overruns => Interlocked.Read(ref _overruns);

    /// <summary>Jobs that started while no slot was free: their cgroup is untagged (flows attributed from user space).</summary>
    public long JobsWithoutSlot => Interlocked.Read(ref _jobsWithoutSlot);

    /// <summary>Opens an NFLOG group of its own, installs the chain and the first slots; throws with the reason when it cannot.</summary>
    public static KernelJobTags Start(string cgroupMount, IReadOnlyCollection<int> dnsPorts, Action<string> onError)
    {
        // One group per daemon: a group has one listener, and tests run several daemons on one machine.
        var first = 1000 + (Environment.ProcessId % 30000);
        NflogSocket? socket = null;
        for (var group = first; socket is null; group++)
        {
            try
            {
                socket = NflogSocket.Open((ushort)group, copyBytes: 128, receiveBufferBytes: 4 << 20);
            }
            catch (Win32Exception ex) when (ex.NativeErrorCode == 16 && group < first + 64) // EBUSY
            {
            }
        }

        var rules = new NetfilterJobRules(socket.Group, dnsPorts);
        if (rules.Install() is { } error)
        {
            socket.Dispose();
            throw new InvalidOperationException(error);
        }

        var tags = new KernelJobTags(socket, rules, Path.Combine(cgroupMount, Cgroups.JobCgroups.Parent), onError);
        for (var i = 0; i < SpareSlots; i++)
        {
            if (tags.CreateSlot() is null)
            {
                tags.Dispose();
                throw new InvalidOperationException("could not prepare a tagged cgroup slot");
            }
        }

        return tags;
    }

    /// <summary>
    /// The slot directory for a new job, free the longest; null when none is free. Called on the process sensor's
    /// thread as a job starts: a slot is never made here, because its rule takes milliseconds (an iptables run) and
    /// every process event would wait behind it, long enough for a job's first connection to escape its kill. A job
    /// without a slot gets a cgroup of its own (killed the same way), with its flows attributed
    /// from user space; <see cref="JobsWithoutSlot"/> counts them, and spares are made on the worker to catch up.
    /// </summary>
    public string? Take(string jobId)
    {
        Slot? slot;
        int free;
        lock (_slots)
        {
            slot = _slots.Where(s => s.Job is null && !HasJobDirectories(s.Directory)).MinBy(s => s.Released);
            slot?.Job = jobId;
            free = _slots.Count(s => s.Job is null);
        }

        for (var wanted = SpareSlots - free - Volatile.Read(ref _slotsBeingMade); wanted > 0; wanted--)
        {
            Interlocked.Increment(ref _slotsBeingMade);
            _work.Writer.TryWrite(() =>
            {
                try
                {
                    CreateSlot();
                }
                finally
                {
                    Interlocked.Decrement(ref _slotsBeingMade);
                }
            });
        }

        if (slot is null)
        {
            Interlocked.Increment(ref _jobsWithoutSlot);
            return null;
        }

        _jobsByTag[slot.Tag] = jobId; // records of the slot's previous job map to this one from now on
        _directoryByJob[jobId] = Path.Combine(slot.Directory, jobId);
        return slot.Directory;
    }

    public void Release(string jobId)
    {
        _directoryByJob.TryRemove(jobId, out _);
        lock (_slots)
        {
            foreach (var slot in _slots.Where(s => s.Job == jobId))
            {
                slot.Job = null;
                slot.Released = ++_released;
            }
        }
    }

    /// <summary>The job whose cgroup sent <paramref name="flow"/>'s first packet, or null. Capture thread only.</summary>
    public string? JobOf(FlowKey flow)
    {
        Drain();
        return _flows.GetValueOrDefault(flow);
    }

    /// <summary>The processes in a job's cgroup, newest pid first: where the owner of a job's flow is.</summary>
    public IReadOnlyCollection<int> Members(string jobId)
    {
        if (!_directoryByJob.TryGetValue(jobId, out var directory))
        {
            return [];
        }

        var pids = Cgroups.JobCgroups.Processes(directory).ToArray();
        Array.Sort(pids);
        Array.Reverse(pids);
        return pids;
    }

    public void Dispose()
    {
        _work.Writer.TryComplete();
        _worker.Wait(TimeSpan.FromSeconds(10));
        _rules.Uninstall();
        lock (_slots)
        {
            // A slot still holding a job's cgroup (a leftover process) is removed by the next daemon's start-up.
            _slots.ForEach(slot => Cgroups.JobCgroups.Remove(slot.Directory));
        }

        _socket.Dispose();
    }

    private static bool HasJobDirectories(string slot)
    {
        try
        {
            return Directory.EnumerateDirectories(slot).Any();
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>A new slot directory and its rule; null (and said) when either fails.</summary>
    private Slot? CreateSlot(string? job = null)
    {
        var tag = Interlocked.Increment(ref _nextTag);
        var name = $"slot-{Environment.ProcessId}-{tag}";
        var directory = Path.Combine(_parent, name);
        var created = Cgroups.JobCgroups.CreateDirectory(directory);
        var error = created.Succeeded ? _rules.Add(tag, $"{Cgroups.JobCgroups.Parent}/{name}") : created.Error;
        if (error is not null)
        {
            Cgroups.JobCgroups.Remove(directory);
            _onError(error);
            return null;
        }

        var slot = new Slot(tag, directory) { Job = job };
        lock (_slots)
        {
            _slots.Add(slot);
        }

        return slot;
    }

    /// <summary>
    /// Reads every record the kernel queued. Each logged packet must be read, also one the caller needs no record
    /// for (a DNS query on a flow already attributed): unread records fill the socket, and then the kernel drops the
    /// record of another job's first packet. Capture thread only.
    /// </summary>
    public void Drain()
    {
        while (true)
        {
            var status = _socket.TryReceive(_buffer, out var length);
            if (status == ReceiveStatus.Overrun)
            {
                Interlocked.Increment(ref _overruns);
                continue;
            }

            if (status != ReceiveStatus.Received)
            {
                return;
            }

            NflogRecordParser.Parse(_buffer.AsSpan(0, length), _onRecord);
        }
    }

    private void OnRecord(string prefix, FlowKey flow)
    {
        Interlocked.Increment(ref _records);
        if (!prefix.StartsWith("bsjob:", StringComparison.Ordinal) || !int.TryParse(prefix.AsSpan(6), out var tag)
            || !_jobsByTag.TryGetValue(tag, out var job))
        {
            return;
        }

        if (_flows.TryAdd(flow, job))
        {
            _order.Enqueue(flow);
            if (_order.Count > FlowCapacity)
            {
                _flows.Remove(_order.Dequeue());
            }
        }
        else
        {
            _flows[flow] = job;
        }
    }

    private sealed class Slot(int tag, string directory)
    {
        public int Tag { get; } = tag;

        public string Directory { get; } = directory;

        public string? Job { get; set; }

        public long Released { get; set; }
    }
}
