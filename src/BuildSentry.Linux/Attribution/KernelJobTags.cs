using System.Collections.Concurrent;
using System.ComponentModel;
using System.Threading.Channels;
using BuildSentry.Core.Network;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// Which job's cgroup a flow's socket belongs to, as the kernel saw it when the packet left: each job with a
/// cgroup gets an NFLOG rule (<see cref="NetfilterJobRules"/>) whose prefix names it. The record is queued on
/// the netlink socket in the sender's context, before the packet reaches the capture tap, so by the time the
/// capture thread sees a packet its record is waiting: <see cref="JobOf"/> drains the socket, then looks.
/// This closes the race that user-space lookup loses when a process closes its socket within a millisecond.
/// Rules are added and removed off the monitor loop (iptables takes milliseconds), in order, by one worker.
/// </summary>
public sealed class KernelJobTags : IDisposable
{
    private const int FlowCapacity = 16384;

    private readonly NflogSocket _socket;
    private readonly NetfilterJobRules _rules;
    private readonly ConcurrentDictionary<int, string> _jobsByTag = new();
    private readonly ConcurrentDictionary<string, (int Tag, string Path, string? Directory)> _tagsByJob = new(StringComparer.Ordinal);
    private readonly Dictionary<FlowKey, string> _flows = [];
    private readonly Queue<FlowKey> _order = new();
    private readonly Channel<(Func<string?> Change, TaskCompletionSource<string?> Done)> _work =
        Channel.CreateUnbounded<(Func<string?>, TaskCompletionSource<string?>)>(new() { SingleReader = true });
    private readonly Task _worker;
    private readonly byte[] _buffer = new byte[65536];
    private readonly Action<string, FlowKey> _onRecord;
    private int _nextTag;
    private long _records, _overruns;

    private KernelJobTags(NflogSocket socket, NetfilterJobRules rules, Action<string> onError)
    {
        _socket = socket;
        _rules = rules;
        _onRecord = OnRecord;
        _worker = Task.Run(async () =>
        {
            await foreach (var (change, done) in _work.Reader.ReadAllAsync())
            {
                var error = change();
                if (error is not null)
                {
                    onError(error);
                }

                done.TrySetResult(error);
            }
        });
    }

    public long Records => Interlocked.Read(ref _records);

    /// <summary>Times the kernel dropped records because the socket was full (the flows fall back to user-space lookup).</summary>
    public long Overruns => Interlocked.Read(ref _overruns);

    /// <summary>Opens an NFLOG group of its own and installs the chain; throws with the reason when it cannot.</summary>
    public static KernelJobTags Start(IReadOnlyCollection<int> dnsPorts, Action<string> onError)
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

        return new KernelJobTags(socket, rules, onError);
    }

    /// <summary>Tags a job's cgroup (<paramref name="cgroupPath"/> under the cgroup v2 mount, e.g. buildsentry/JOB;
    /// <paramref name="directory"/> its directory, where <see cref="Members"/> reads). The task completes when the
    /// rule is in place, with the error when it could not be added.</summary>
    public Task<string?> Add(string jobId, string cgroupPath, string? directory = null)
    {
        var tag = Interlocked.Increment(ref _nextTag);
        _jobsByTag[tag] = jobId;
        _tagsByJob[jobId] = (tag, cgroupPath, directory);
        return Queue(() => _rules.Add(tag, cgroupPath));
    }

    public Task<string?> Remove(string jobId) =>
        // The tag stays known: records of the job's last packets may still be queued.
        _tagsByJob.TryRemove(jobId, out var entry) ? Queue(() => _rules.Delete(entry.Tag, entry.Path)) : Task.FromResult<string?>(null);

    /// <summary>The job whose cgroup sent <paramref name="flow"/>'s first packet, or null. Capture thread only.</summary>
    public string? JobOf(FlowKey flow)
    {
        Drain();
        return _flows.GetValueOrDefault(flow);
    }

    /// <summary>The processes in a tagged job's cgroup, newest pid first: where the owner of a job's flow is.</summary>
    public IReadOnlyCollection<int> Members(string jobId)
    {
        if (!_tagsByJob.TryGetValue(jobId, out var entry) || entry.Directory is null)
        {
            return [];
        }

        var pids = Cgroups.JobCgroups.Processes(entry.Directory).ToArray();
        Array.Sort(pids, (a, b) => b.CompareTo(a));
        return pids;
    }

    public void Dispose()
    {
        _work.Writer.TryComplete();
        _worker.Wait(TimeSpan.FromSeconds(10));
        _rules.Uninstall();
        _socket.Dispose();
    }

    private Task<string?> Queue(Func<string?> change)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite((change, done)))
        {
            done.TrySetResult("the daemon is stopping");
        }

        return done.Task;
    }

    private void Drain()
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
}
