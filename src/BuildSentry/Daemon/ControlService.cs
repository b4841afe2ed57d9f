using BuildSentry.Control;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// The control socket. It listens first of all the daemon's parts: a second daemon fails here, before it touches
/// cgroups or sensors; it closes last, answering "stopping" meanwhile.
/// </summary>
internal sealed class ControlService(DaemonOptions options, ControlHandler handler, ILoggerFactory loggers) : IHostedService
{
    private ControlServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var control = options.Configuration.Control;
        _server = new ControlServer(new ControlServerOptions { SocketPath = control.Socket, Group = control.Group }, handler,
            loggers.CreateLogger<ControlServer>());
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
