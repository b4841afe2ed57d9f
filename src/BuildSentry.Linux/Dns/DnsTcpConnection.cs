using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Linux.Dns;

/// <summary>
/// One client TCP connection (RFC 7766): any number of queries, handled concurrently and answered in the order their
/// answers come, each reply written whole under a lock. It closes when the client does, when a whole query does not
/// arrive within the idle timeout, or on stop; replies still owed are sent first.
/// </summary>
internal sealed class DnsTcpConnection(Socket socket, DnsForwarderOptions options, TimeProvider time) : IDnsClient, IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
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

                _pending.Add(handler.HandleAsync(this, buffer[..length], time.GetTimestamp(), stopping));
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
    }
}
