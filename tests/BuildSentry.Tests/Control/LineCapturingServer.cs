using System.Net.Sockets;
using System.Text;

namespace BuildSentry.Tests.Control;

/// <summary>
/// Accepts one connection, keeps the exact bytes of the request line and answers ok: it shows what a
/// client puts on the wire, before any server-side filtering could hide it.
/// </summary>
internal sealed class LineCapturingServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly string _directory = TestControlServer.NewDirectory();

    public LineCapturingServer()
    {
        SocketPath = Path.Combine(_directory, "control.sock");
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(1);
        Line = CaptureAsync();
    }

    public string SocketPath { get; }

    public Task<string> Line { get; }

    public void Dispose()
    {
        _listener.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> CaptureAsync()
    {
        using var client = await _listener.AcceptAsync();
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (!received.Contains((byte)'\n'))
        {
            var count = await client.ReceiveAsync(buffer, SocketFlags.None);
            if (count == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, count));
        }

        await client.SendAsync("{\"ok\":true,\"message\":\"job registered\"}\n"u8.ToArray(), SocketFlags.None);
        return Encoding.UTF8.GetString(received.ToArray());
    }
}
