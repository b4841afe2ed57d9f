using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Control;

/// <summary>
/// The daemon's control socket: one JSON request line and one JSON response line per connection, from
/// root or the configured group only (as the kernel vouches, not the client). Connections are served
/// concurrently up to a limit; the rest wait in the listen backlog, so a slow or silent client costs
/// one slot for at most the request timeout and never the whole server.
/// </summary>
internal sealed partial class ControlServer : IAsyncDisposable
{
    private const int Backlog = 64;

    private readonly ControlServerOptions _options;
    private readonly IDaemonControl _daemon;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private PeerAuthorizer? _authorizer;
    private Socket? _listener;
    private Task? _acceptLoop;

    public ControlServer(ControlServerOptions options, IDaemonControl daemon, ILogger<ControlServer> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRequestBytes, 1);
        _options = options;
        _daemon = daemon;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConcurrentConnections, options.MaxConcurrentConnections);
    }

    /// <summary>Creates the socket and starts accepting; throws when the group is unknown or the path is taken.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (_listener is not null)
        {
            throw new InvalidOperationException("the control server is already started");
        }

        uint? groupId = null;
        if (_options.Group is { } group)
        {
            groupId = UnixGroups.ResolveGid(group, _options.GroupFile)
                ?? throw new InvalidOperationException($"control group '{group}' is not in {_options.GroupFile}");
        }

        _authorizer = new PeerAuthorizer(_options.Group, groupId);
        _listener = ControlSocketFile.Listen(_options.SocketPath, _options.SocketMode, groupId, Backlog);
        _acceptLoop = AcceptLoopAsync(_listener, _stopping.Token);
        LogListening(_options.SocketPath, _options.Group ?? "none: root only");
    }

    /// <summary>Stops accepting, lets connections in progress finish (or cancels them), removes the socket file.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_listener is null)
        {
            return;
        }

        _listener.Dispose();
        await _acceptLoop!;
        for (var i = 0; i < _options.MaxConcurrentConnections; i++)
        {
            await _slots.WaitAsync(cancellationToken);
        }

        ControlSocketFile.Remove(_options.SocketPath);
        LogStopped(_options.SocketPath);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                _slots.Release();
                return;
            }
            catch (SocketException e)
            {
                _slots.Release();
                LogAcceptFailed(e.Message);

                // EMFILE and friends do not clear at once; do not spin on them.
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                continue;
            }

            _ = ServeAsync(client);
        }
    }
}
