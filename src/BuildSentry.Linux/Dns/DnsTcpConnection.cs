using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Linux.Dns;

/// <summary>
/// One client TCP connection (RFC 7766): any number of queries, handled concurrently and answered in the order their
/// answers come, each reply written whole under a lock. It closes when the client does, when a whole query does not
/// arrive (or a reply cannot be written) within the idle timeout, or on stop; replies still owed are sent first.
/// </summary>
internal sealed class DnsTcpConnection(Socket socket, DnsForwarderOptions options, TimeProvider time) : IDnsClient, IDisposable
{
    /// <summary>
    /// Queries read but not yet answered. Past it the connection stops reading, so a client that sends without reading
    /// its replies holds this many, not as many as it can send before the write timeout closes it.
    /// </summary>
    internal const int MaxUnanswered = 32;

    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _unanswered = new(MaxUnanswered, MaxUnanswered);
    private readonly TaskGroup _pending = new();

    public DnsTransport Transport => DnsTransport.Tcp;

    public IPEndPoint EndPoint { get; } = (IPEndPoint)socket.RemoteEndPoint!;

    public async Task RunAsync(DnsQueryHandler handler, CancellationToken stopping)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(DnsTcpFraming.MaxMessageLength);
        try
        {
            while (true)
            {
                using var idle = new Deadline(options.TcpIdleTimeout, time, stopping);
                var length = await DnsTcpFraming.ReadAsync(_stream, buffer, idle.Token);
                if (length < 0)
                {
                    break;
                }

                var receivedAt = time.GetTimestamp();
                var query = buffer[..length];
                await _unanswered.WaitAsync(stopping);
                _pending.Add(AnswerAsync(handler, query, receivedAt, stopping));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await _pending.WhenAll();
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> reply, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var idle = new Deadline(options.TcpIdleTimeout, time, cancellationToken);
            await DnsTcpFraming.WriteAsync(_stream, reply, idle.Token);
        }
        catch
        {
            // A write cut short leaves half a frame on the wire: nothing after it could be read, so end the connection.
            socket.Close();
            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _writeLock.Dispose();
        _unanswered.Dispose();
    }

    private async Task AnswerAsync(DnsQueryHandler handler, byte[] query, long receivedAt, CancellationToken stopping)
    {
        try
        {
            await handler.HandleAsync(this, query, receivedAt, stopping);
        }
        finally
        {
            _unanswered.Release();
        }
    }
}
