using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Runners;

/// <summary>
/// Polls for sessions on runner workers' .NET diagnostics ports and reports who holds the client
/// end, off the monitor loop. A session is found by its server end in /proc/net/unix, paired with
/// the client socket through unix_diag, and the client socket with its process through /proc/PID/fd.
/// Each session is reported once. A poll sees sessions that outlive the interval (a memory dump,
/// an EventPipe trace); a single short command (a startup hook, a few milliseconds) can fall
/// between two polls.
/// </summary>
public sealed class RunnerDiagnosticsWatcher : IDisposable
{
    private readonly ChannelWriter<SensorEvent> _events;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ProcFs _procFs = new();
    private readonly HashSet<uint> _reported = [];
    private readonly CancellationTokenSource _stop = new();
    private UnixDiag? _diag;
    private Task? _loop;

    public RunnerDiagnosticsWatcher(ChannelWriter<SensorEvent> events, TimeProvider time, TimeSpan? interval = null)
    {
        _events = events;
        _time = time;
        _interval = interval ?? TimeSpan.FromMilliseconds(250);
    }

    /// <summary>Scans that failed (no sock_diag, unreadable /proc); the last failure's message.</summary>
    public long Failures { get; private set; }

    public string? LastFailure { get; private set; }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>One poll: the sessions opened since the last one, by a process other than this one.</summary>
    public IReadOnlyList<RunnerDiagnosticsContacted> Scan()
    {
        var found = new List<RunnerDiagnosticsContacted>();
        var sessions = DiagnosticsSockets.Parse(File.ReadAllText("/proc/net/unix"));
        _reported.IntersectWith(sessions.Select(s => s.Inode));
        foreach (var (inode, ownerPid) in sessions)
        {
            if (_reported.Contains(inode)
                || _procFs.TryGetKey(ownerPid) is not { } worker
                || RunnerWorkerProbe.Recognize(_procFs.ReadDetails(ownerPid, worker.StartTime)) is null)
            {
                continue;
            }

            _diag ??= new UnixDiag();
            if (_diag.PeerOf(inode) is not { } peer || ClientOf(peer) is not { } client)
            {
                continue;
            }

            _reported.Add(inode);
            if (client.Pid != Environment.ProcessId)
            {
                found.Add(new RunnerDiagnosticsContacted(_time.GetUtcNow(), client, worker));
            }
        }

        return found;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }

        _diag?.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_interval, _time);
        while (await NextAsync(timer))
        {
            try
            {
                foreach (var contact in Scan())
                {
                    _events.TryWrite(contact);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                Failures++;
                LastFailure = ex.Message;
            }
        }
    }

    private async Task<bool> NextAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private ProcessKey? ClientOf(uint socketInode)
    {
        foreach (var pid in SocketOwnerProbe.AllPids())
        {
            if (SocketOwnerProbe.FindSocket(pid, socketInode) is not null)
            {
                return _procFs.TryGetKey(pid);
            }
        }

        return null;
    }
}
