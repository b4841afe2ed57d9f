using System.Net.Sockets;

namespace BuildSentry.Control;

/// <summary>Reads one request line of at most a given size; the newline, or the client closing its side, ends it.</summary>
internal static class RequestLine
{
    /// <summary>
    /// The line without its newline, or null when the peer sent more than <paramref name="maxBytes"/> without
    /// one. A peer that closes without sending a byte asked nothing: <see cref="EndOfStreamException"/>.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(Socket socket, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes + 1];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (received == 0)
            {
                return filled > 0 ? buffer[..filled] : throw new EndOfStreamException("the peer closed without sending anything");
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', filled, received);
            if (newline >= 0)
            {
                return buffer[..newline];
            }

            filled += received;
        }

        return null;
    }

    /// <summary>
    /// Reads and drops what the client is still sending, for a short while: closing a unix socket with
    /// unread data resets the peer, which could then lose the refusal that explains why.
    /// </summary>
    public static async Task DrainAsync(Socket socket, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        var buffer = new byte[16 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // The client keeps sending or has gone: either way it has had its answer.
        }
    }
}
