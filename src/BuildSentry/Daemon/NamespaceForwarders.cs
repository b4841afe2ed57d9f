using System.Threading.Channels;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Kernel;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// Prevent mode's forwarders in the network namespaces of held jobs (a container, <c>unshare --net</c>): the kernel
/// asks for one when a held job's process execs or queries DNS in a namespace that has none. Each is opened on a
/// thread that enters the namespace, off the sensor's reader, and closed when the last job that asked for it ends
/// (its sockets keep the namespace, and with it its inode, alive until then). The kernel stops a held job's process
/// that execs in a namespace without one until then (<see cref="NamespaceStops"/>): it is continued once the forwarder
/// listens, when it cannot, when its job ends, when the daemon stops, and after <see cref="StopBound"/> at the latest.
/// </summary>
internal sealed partial class NamespaceForwarders : IAsyncDisposable
{
    /// <summary>Namespaces with a forwarder at once; a job's queries in one beyond it fail (they never leave).</summary>
    public const int MaxNamespaces = 256;

    /// <summary>The longest a process waits stopped for its namespace's forwarder: a build never hangs on the daemon.</summary>
    public static readonly TimeSpan StopBound = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan StopSweep = TimeSpan.FromMilliseconds(250);

    private readonly PreventModeDns _policy;
    private readonly KernelPolicy _kernel;
    private readonly NamespaceStops _stops;
    private readonly Action<uint> _allowAnswers;
    private readonly ITimer _sweep;
    private readonly int _port;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<uint, (NamespaceDns Dns, HashSet<uint> Slots)> _open = [];
    private readonly Lock _gate = new();
    private readonly Task _worker;
    private volatile NamespaceDns[] _snapshot = [];
    private long _failures;

    private readonly Func<uint, IReadOnlyList<int>> _membersOf;

    /// <param name="membersOf">The processes the kernel holds in a job slot: another way into a namespace when the
    /// process that asked has already gone (a container runtime's short-lived helper).</param>
    /// <param name="allowAnswers">Puts on a job slot's allowlist what the capture saw it resolve, before the forwarder
    /// the kernel asked for listens and the job is held in that namespace (a job placed with members in a namespace of
    /// their own gets them at its hold).</param>
    public NamespaceForwarders(PreventModeDns policy, KernelPolicy kernel, NamespaceStops stops, int port,
        Func<uint, IReadOnlyList<int>> membersOf, Action<uint> allowAnswers, ILoggerFactory loggers, TimeProvider time)
    {
        (_policy, _kernel, _stops, _port, _membersOf, _allowAnswers, _loggers, _time) =
            (policy, kernel, stops, port, membersOf, allowAnswers, loggers, time);
        _logger = loggers.CreateLogger<NamespaceForwarders>();
        stops.Enable(true);
        _worker = Task.Run(RunAsync);
        _sweep = time.CreateTimer(_ => ContinueOverdue(), null, StopSweep, StopSweep);
    }

    /// <summary>The namespaces where a forwarder listens now.</summary>
    public IReadOnlyList<NamespaceDns> Open => _snapshot;

    /// <summary>Requests that could not be served: the process had gone or moved, the namespace refused the bind, or
    /// <see cref="MaxNamespaces"/> were open.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>From the sensor's reader: quick, the work happens on the worker.</summary>
    public void Want(uint slot, int tgid, uint inode) => _requests.Writer.TryWrite(new Request(slot, tgid, inode));

    /// <summary>
    /// Opens the forwarders a job about to be held needs, before the kernel redirects its first query: one in the
    /// namespace of each member not in the daemon's own (<paramref name="hostInode"/>). Called where the job is placed.
    /// </summary>
    public void OpenNow(uint slot, IEnumerable<int> pids, uint hostInode)
    {
        foreach (var pid in pids)
        {
            if (NetworkNamespace.InodeOf(pid) is { } inode && inode != hostInode)
            {
                OpenIn(new Request(slot, pid, inode));
            }
        }

        _snapshot = Snapshot();
    }

    /// <summary>A held job ended: the namespaces only it asked for close.</summary>
    public void Released(uint slot) => _requests.Writer.TryWrite(new Request(slot, 0, 0));

    public async ValueTask DisposeAsync()
    {
        _stops.Enable(false);
        _requests.Writer.TryComplete();
        await _worker;
        await _sweep.DisposeAsync();
        _stops.ContinueAll();
        foreach (var (dns, _) in _open.Values)
        {
            await dns.DisposeAsync();
        }
    }

    private async Task RunAsync()
    {
        await foreach (var request in _requests.Reader.ReadAllAsync())
        {
            if (request.Inode == 0)
            {
                await ReleaseAsync(request.Slot);
            }
            else
            {
                // Before the lock below: this takes the monitor's, and the monitor's thread takes that one at a placement.
                _allowAnswers(request.Slot);
                OpenIn(request);
            }

            _snapshot = Snapshot();
        }
    }

    private NamespaceDns[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _open.Values.Select(v => v.Dns)];
        }
    }

    private void OpenIn(Request request)
    {
        lock (_gate)
        {
            OpenLocked(request);
        }
    }

    private void OpenLocked(Request request)
    {
        if (_open.TryGetValue(request.Inode, out var open))
        {
            open.Slots.Add(request.Slot);
            _kernel.ForwarderListens(request.Inode);
            _stops.ContinueIn(request.Inode);
            return;
        }

        try
        {
            if (_open.Count >= MaxNamespaces)
            {
                throw new InvalidOperationException($"{MaxNamespaces} namespaces have a forwarder already");
            }

            var dns = Enter(request);
            _open[request.Inode] = (dns, [request.Slot]);
            _kernel.ForwarderListens(request.Inode);
            _stops.ContinueIn(request.Inode);
            LogOpened(request.Inode, request.Tgid);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            // Asked again by the namespace's next exec or query; until then its queries fail.
            Interlocked.Increment(ref _failures);
            _kernel.ForgetNamespace(request.Inode);
            _stops.ContinueIn(request.Inode);
            LogFailed(request.Inode, request.Tgid, ex.Message);
        }
    }

    /// <summary>Opens the namespace's forwarder through the process that asked or, when that one has gone, through
    /// another member of the job that is in the same namespace.</summary>
    private NamespaceDns Enter(Request request)
    {
        var tried = new HashSet<int>();
        for (var pid = request.Tgid; ;)
        {
            tried.Add(pid);
            try
            {
                return NetworkNamespace.RunIn(pid, request.Inode,
                    () => NamespaceDns.Open(_policy, request.Inode, _port, freeBind: true, _loggers, _time));
            }
            catch (System.ComponentModel.Win32Exception) when (_membersOf(request.Slot)
                                                                   .FirstOrDefault(p => !tried.Contains(p) && NetworkNamespace.InodeOf(p) == request.Inode)
                                                               is var other && other != 0)
            {
                pid = other;
            }
        }
    }

    private async Task ReleaseAsync(uint slot)
    {
        _stops.ContinueJob(slot);
        var closing = new List<NamespaceDns>();
        lock (_gate)
        {
            foreach (var (inode, (dns, slots)) in _open.ToList())
            {
                if (slots.Remove(slot) && slots.Count == 0)
                {
                    _open.Remove(inode);
                    _kernel.ForgetNamespace(inode);
                    closing.Add(dns);
                }
            }
        }

        foreach (var dns in closing)
        {
            await dns.DisposeAsync();
        }
    }

    private void ContinueOverdue()
    {
        if (_stops.ContinueWaitingLongerThan(StopBound) is var overdue and > 0)
        {
            LogStopsOverdue(overdue, StopBound.TotalSeconds);
        }
    }

    private readonly record struct Request(uint Slot, int Tgid, uint Inode);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "Prevent mode's DNS forwarder listens in network namespace {Inode} (of process {Pid})")]
    private partial void LogOpened(uint inode, int pid);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Prevent mode's DNS forwarder cannot listen in network namespace {Inode} (of process {Pid}): {Error}; the job's DNS there fails until it can")]
    private partial void LogFailed(uint inode, int pid, string error);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "{Count} processes waited {Seconds} s for prevent mode's DNS forwarder in their network namespace and were continued without it")]
    private partial void LogStopsOverdue(int count, double seconds);
}
