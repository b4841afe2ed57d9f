using System.Net.Sockets;
using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Containers;

/// <summary>
/// Follows Docker's container events on its API socket and reports each with the job processes that held a client end
/// of that socket as it happened: the server ends are the connected sockets with the API's path in /proc/net/unix,
/// unix_diag names each one's peer, and the peer is looked for among the job processes' descriptors. Where no socket
/// exists nothing runs but a check for one every few seconds; a lost stream is reopened.
/// </summary>
public sealed class DockerWatcher : IDisposable
{
    private static readonly TimeSpan AbsentRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ErrorRetry = TimeSpan.FromSeconds(1);
    private const int MaxLine = 64 << 10;

    private readonly DockerApi _api;
    private readonly string[] _paths;
    private readonly ChannelWriter<SensorEvent> _events;
    private readonly IReadOnlyCollection<int> _jobPids;
    private readonly TimeProvider _time;
    private readonly ProcFs _procFs = new();
    private readonly ManualResetEventSlim _stop = new();
    private Thread? _thread;
    private volatile Stream? _stream;
    private UnixDiag? _diag;
    private long _reported;
    private long _failures;

    public DockerWatcher(string socketPath, ChannelWriter<SensorEvent> events, IReadOnlyCollection<int> jobPids, TimeProvider time)
    {
        _api = new DockerApi(socketPath);
        _paths = [socketPath, .. ResolvedDirectory(socketPath) is { } resolved && resolved != socketPath ? [resolved] : Array.Empty<string>()];
        _events = events;
        _jobPids = jobPids;
        _time = time;
        State = $"waiting for {socketPath}";
    }

    /// <summary>What the watcher does now: watching, waiting for an absent socket, or reconnecting after an error.</summary>
    public string State { get; private set; }

    /// <summary>Container events reported to the monitor.</summary>
    public long Events => Interlocked.Read(ref _reported);

    public long Failures => Interlocked.Read(ref _failures);

    public string? LastFailure { get; private set; }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "docker-events" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Set();
        _stream?.Dispose();
        _thread?.Join(TimeSpan.FromSeconds(2));
        _diag?.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsSet)
        {
            if (!File.Exists(_api.SocketPath))
            {
                State = $"absent: no socket at {_api.SocketPath}";
                _stop.Wait(AbsentRetry);
                continue;
            }

            try
            {
                using var stream = _api.OpenEvents();
                _stream = stream;
                State = $"watching {_api.SocketPath}";
                Follow(stream);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException
                                           or UnauthorizedAccessException)
            {
                if (_stop.IsSet)
                {
                    return;
                }

                Interlocked.Increment(ref _failures);
                LastFailure = ex.Message;
                State = $"reconnecting to {_api.SocketPath}: {ex.Message}";
            }

            _stop.Wait(ErrorRetry);
        }
    }

    private void Follow(Stream stream)
    {
        var line = new List<byte>(1024);
        var buffer = new byte[8192];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b != '\n')
                {
                    // An event is a few hundred bytes: a line beyond the bound is junk, dropped at its end.
                    if (line.Count <= MaxLine)
                    {
                        line.Add(b);
                    }

                    continue;
                }

                if (line.Count <= MaxLine && DockerEventParser.Parse(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line)) is { } e)
                {
                    Report(e);
                }

                line.Clear();
            }
        }

        throw new IOException("Docker closed the event stream");
    }

    private void Report(DockerEvent e)
    {
        var time = _time.GetUtcNow();
        IReadOnlyList<ProcessKey> clients = [];
        int? pid = null;
        try
        {
            // The clients first: a client that asked and exits (docker run -d) is gone soon after its answer.
            clients = e.Action == ContainerAction.Exited ? [] : Clients();
            pid = e.Action switch
            {
                ContainerAction.Started => _api.InitPid(e.ContainerId),
                ContainerAction.ExecStarted => _api.ExecPid(e.ExecId!),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Reported with what is known: the stream goes on.
            Interlocked.Increment(ref _failures);
            LastFailure = ex.Message;
        }

        var process = pid is { } p ? _procFs.TryGetKey(p) : null;
        Interlocked.Increment(ref _reported);
        _events.TryWrite(new ContainerActivity(time, e.Action, e.ContainerId, e.Name, e.Image, clients) { Process = process });
    }

    /// <summary>The job processes holding a client end of the API socket now.</summary>
    private List<ProcessKey> Clients()
    {
        var clients = new List<ProcessKey>();
        var sessions = UnixSocketTable.ConnectedSockets(File.ReadAllText("/proc/net/unix"), path => _paths.Contains(path));
        if (sessions.Count == 0)
        {
            return clients;
        }

        var pids = _jobPids.ToArray();
        _diag ??= new UnixDiag();
        foreach (var (inode, _) in sessions)
        {
            if (_diag.PeerOf(inode) is not { } peer)
            {
                continue;
            }

            foreach (var pid in pids)
            {
                if (SocketOwnerProbe.FindSocket(pid, peer) is not null && _procFs.TryGetKey(pid) is { } key && !clients.Contains(key))
                {
                    clients.Add(key);
                }
            }
        }

        return clients;
    }

    /// <summary>The path with its directory's symbolic link resolved (/var/run/docker.sock is /run/docker.sock on
    /// Debian): /proc/net/unix shows the path the server bound, which may be either.</summary>
    private static string? ResolvedDirectory(string path)
    {
        var directory = Path.GetDirectoryName(path);
        try
        {
            return directory is not null && new DirectoryInfo(directory).ResolveLinkTarget(returnFinalTarget: true) is { } target
                ? Path.Combine(target.FullName, Path.GetFileName(path))
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
