using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace BuildSentry.Linux.Containers;

/// <summary>
/// The few calls of Docker's Engine API that membership needs, over its unix socket. HTTP/1.0, one connection per
/// call: the answer ends where the connection does, so no chunked framing is parsed, and the event stream is the
/// body of a response that never ends.
/// </summary>
internal sealed class DockerApi(string socketPath)
{
    private const int MaxHeader = 16 << 10;
    private const int MaxBody = 4 << 20;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);
    private const string ContainerEvents = "/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D";

    public string SocketPath { get; } = socketPath;

    /// <summary>The container event stream, positioned at its first event.</summary>
    public Stream OpenEvents() => Request(ContainerEvents, timeout: null);

    /// <summary>The pid (in the daemon's namespace) of a running container's init; null when not running or unknown.</summary>
    public int? InitPid(string containerId) => Pid($"/containers/{containerId}/json", "State");

    /// <summary>The pid of the process an exec started; null when it has not started or is unknown.</summary>
    public int? ExecPid(string execId) => Pid($"/exec/{execId}/json", null);

    private int? Pid(string path, string? container)
    {
        using var body = Request(path, CallTimeout);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = body.Read(chunk)) > 0 && buffer.Length < MaxBody)
        {
            buffer.Write(chunk, 0, read);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            var element = document.RootElement;
            if (container is not null && !(element.ValueKind == JsonValueKind.Object && element.TryGetProperty(container, out element)))
            {
                return null;
            }

            return element.ValueKind == JsonValueKind.Object && element.TryGetProperty("Pid", out var pid)
                   && pid.TryGetInt32(out var value) && value > 0 ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Stream Request(string path, TimeSpan? timeout)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (timeout is { } t)
            {
                socket.ReceiveTimeout = socket.SendTimeout = (int)t.TotalMilliseconds;
            }

            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            // Unbuffered: the header is read a byte at a time up to its blank line (a few hundred reads, once per call),
            // so that nothing after it is taken off the socket. A buffer that had read the first events with the header
            // would hand them over and then block for more before returning: the event stream stalled with its events
            // read.
            var stream = new NetworkStream(socket, ownsSocket: true);
            stream.Write(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n"));
            ReadHeader(stream, path);
            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads up to the blank line that ends the header; anything but 200 is an error naming the call.</summary>
    private static void ReadHeader(Stream stream, string path)
    {
        var header = new List<byte>(512);
        while (header.Count < MaxHeader)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new IOException($"Docker closed the connection before answering {path}");
            }

            header.Add((byte)b);
            if (header.Count >= 4 && header[^1] == '\n' && header[^2] == '\r' && header[^3] == '\n' && header[^4] == '\r')
            {
                var status = Encoding.ASCII.GetString([.. header.Take(Math.Min(header.Count, 64))]);
                if (!status.StartsWith("HTTP/1.", StringComparison.Ordinal) || status.Length < 12 || status[9..12] != "200")
                {
                    throw new IOException($"Docker answered {path} with '{Core.Alerts.AlertText.Clean(status.Split('\r')[0], 64)}'");
                }

                return;
            }
        }

        throw new IOException($"Docker's answer to {path} has a header over {MaxHeader} bytes");
    }
}
