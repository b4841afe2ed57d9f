using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BuildSentry.Testing.Syslog;

/// <summary>
/// A real rsyslogd of the test's own: private configuration, pid file, work directory and output
/// file, listening on loopback TCP and UDP ports that survive <see cref="RestartAsync"/>. It runs in
/// the foreground as a child process, so the system's rsyslog service is never involved.
/// </summary>
public sealed class RsyslogServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _configPath;
    private Process? _process;

    private RsyslogServer(string directory, int tcpPort, int udpPort, int relpPort)
    {
        _directory = directory;
        TcpPort = tcpPort;
        UdpPort = udpPort;
        RelpPort = relpPort;
        OutputPath = Path.Combine(directory, "messages.log");
        _configPath = Path.Combine(directory, "rsyslog.conf");
        File.WriteAllText(_configPath, RsyslogConfig.Render(Path.Combine(directory, "work"), tcpPort, udpPort, relpPort, OutputPath));
        Directory.CreateDirectory(Path.Combine(directory, "work"));
    }

    /// <summary>Where Debian's rsyslog-relp puts the RELP input module.</summary>
    private static string ImrelpModule => $"/usr/lib/{(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "aarch64" : "x86_64")}-linux-gnu/rsyslog/imrelp.so";

    public int TcpPort { get; }

    public int UdpPort { get; }

    /// <summary>imrelp's port (RELP, each record answered once rsyslog has written it).</summary>
    public int RelpPort { get; }

    /// <summary>Every record received, one per line, exactly as it arrived (%rawmsg%).</summary>
    public string OutputPath { get; }

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RsyslogServer> StartAsync()
    {
        Requirements.Tool("rsyslogd", "rsyslog");
        Requirements.PackageFile(ImrelpModule, "rsyslog-relp");
        var directory = Directory.CreateTempSubdirectory("buildsentry-rsyslog-").FullName;
        var server = new RsyslogServer(directory, FreePort(SocketType.Stream, ProtocolType.Tcp), FreePort(SocketType.Dgram, ProtocolType.Udp),
            FreePort(SocketType.Stream, ProtocolType.Tcp));
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts rsyslogd again on the same ports and file (or for the first time).</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("rsyslogd is already running");
        }

        _process?.Dispose();
        var rsyslogd = Requirements.FindOnPath("rsyslogd") ?? "/usr/sbin/rsyslogd";
        _process = Command.Start(rsyslogd, ["-n", "-f", _configPath, "-i", Path.Combine(_directory, "rsyslogd.pid")]);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await AcceptsTcpAsync(TcpPort) || !await AcceptsTcpAsync(RelpPort))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"rsyslogd did not start listening on 127.0.0.1:{TcpPort} and {RelpPort} (exit {(_process.HasExited ? _process.ExitCode : -1)})");
            }

            await Task.Delay(50);
        }

        // imudp binds alongside imtcp during startup; a short grace lets it finish.
        await Task.Delay(200);
    }

    /// <summary>SIGTERM, as systemd stops it, and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }

        await Command.RunAsync("kill", ["-TERM", _process!.Id.ToString(CultureInfo.InvariantCulture)]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>The records written so far, as raw bytes split at newlines (the last, unterminated line is left out).</summary>
    public IReadOnlyList<byte[]> RawLines()
    {
        if (!File.Exists(OutputPath))
        {
            return [];
        }

        var bytes = File.ReadAllBytes(OutputPath);
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        return lines;
    }

    /// <summary>The records as strict UTF-8 text: a record with an invalid byte throws.</summary>
    public IReadOnlyList<string> Lines()
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        return RawLines().Select(line => strict.GetString(line)).ToList();
    }

    public async Task<IReadOnlyList<string>> WaitForLinesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (RawLines().Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return Lines();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
            _process!.Kill();
        }

        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<bool> AcceptsTcpAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, type, protocol);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
