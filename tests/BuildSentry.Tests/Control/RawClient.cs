using System.Net.Sockets;
using System.Text;

namespace BuildSentry.Tests.Control;

/// <summary>Speaks bytes to a unix socket, to send what no well-behaved client would.</summary>
internal static class RawClient
{
    public static async Task<string> ExchangeAsync(string socketPath, byte[] request, TimeSpan? timeout = null)
    {
        using var socket = await ConnectAsync(socketPath);
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        await socket.SendAsync(request, SocketFlags.None, deadline.Token);
        return await ReadToEndAsync(socket, deadline.Token);
    }

    public static async Task<Socket> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return socket;
    }

    public static async Task<string> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int count;
        while ((count = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            received.Write(buffer, 0, count);
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
