using System.Net.Sockets;
using System.Text;

namespace BuildSentry.Linux.Tests.Containers;

/// <summary>
/// A unix socket that answers like dockerd's API: the event stream gets the lines <see cref="Send"/> is given, a
/// container's inspection names <see cref="InitPid"/>, and any other connection (a client standing for the docker
/// CLI) is accepted and held.
/// </summary>
internal sealed class FakeDockerApi : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly List<Socket> _connections = [];
    private readonly TaskCompletionSource<Socket> _events = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeDockerApi()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("bs-fake-docker-").FullName;
        SocketPath = Path.Combine(Directory, "docker.sock");
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(16);
        // Threads of its own: a thread pool starved by the tests running beside this one must not hold its answers.
        new Thread(Accept) { IsBackground = true, Name = "fake-docker-accept" }.Start();
    }

    public string Directory { get; }

    public string SocketPath { get; }

    public int InitPid { get; set; }

    /// <summary>Event lines sent in the same write as the event stream's header, as a busy dockerd's may arrive.</summary>
    public string WithHeader { get; set; } = "";

    /// <summary>Writes one event line to the stream once the watcher has opened it.</summary>
    public async Task Send(string json)
    {
        var stream = await _events.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await stream.SendAsync(Encoding.UTF8.GetBytes(json + "\n"));
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_connections)
        {
            _connections.ForEach(c => c.Dispose());
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private void Accept()
    {
        try
        {
            while (true)
            {
                var connection = _listener.Accept();
                lock (_connections)
                {
                    _connections.Add(connection);
                }

                new Thread(() => Serve(connection)) { IsBackground = true, Name = "fake-docker-serve" }.Start();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private void Serve(Socket connection)
    {
        var request = new StringBuilder();
        var buffer = new byte[1024];
        try
        {
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = connection.Receive(buffer);
                if (read == 0)
                {
                    return;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            var path = request.ToString().Split(' ')[1];
            if (path.StartsWith("/events", StringComparison.Ordinal))
            {
                connection.Send(Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + WithHeader));
                _events.TrySetResult(connection);
                return;
            }

            var body = path.StartsWith("/containers/", StringComparison.Ordinal) ? $"{{\"Id\":\"x\",\"State\":{{\"Running\":true,\"Pid\":{InitPid}}}}}" : "{}";
            connection.Send(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
            connection.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
