using BuildSentry.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace BuildSentry.Tests.Control;

/// <summary>A real control server on a socket in a fresh directory under /tmp that other users can traverse.</summary>
internal sealed class TestControlServer : IAsyncDisposable
{
    private TestControlServer(string directory, ControlServer server, ControlServerOptions options, FakeDaemon daemon)
    {
        Directory = directory;
        Server = server;
        Options = options;
        Daemon = daemon;
    }

    public string Directory { get; }

    public ControlServer Server { get; }

    public ControlServerOptions Options { get; }

    public FakeDaemon Daemon { get; }

    public string SocketPath => Options.SocketPath;

    public static string NewDirectory()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException();
        }

        var directory = Path.Combine("/tmp", "buildsentry-control-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory, (UnixFileMode)0b111_101_101);
        return directory;
    }

    public static TestControlServer Start(Func<ControlServerOptions, ControlServerOptions>? configure = null, FakeDaemon? daemon = null)
    {
        var directory = NewDirectory();
        var options = new ControlServerOptions { SocketPath = Path.Combine(directory, "control.sock") };
        options = configure?.Invoke(options) ?? options;
        daemon ??= new FakeDaemon();
        var server = new ControlServer(options, daemon, NullLogger<ControlServer>.Instance);
        server.Start();
        return new TestControlServer(directory, server, options, daemon);
    }

    public Task<ControlResponse> SendAsync(ControlRequest request) =>
        new ControlClient(SocketPath, TimeSpan.FromSeconds(10)).SendAsync(request, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
