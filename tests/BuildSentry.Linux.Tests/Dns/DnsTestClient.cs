using System.Net;
using System.Net.Sockets;
using BuildSentry.Linux.Dns;

namespace BuildSentry.Linux.Tests.Dns;

/// <summary>A stub resolver's side of the wire: one UDP exchange, or a TCP connection for several.</summary>
internal sealed class DnsTestClient : IAsyncDisposable
{
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly NetworkStream? _stream;

    private DnsTestClient(Socket socket, NetworkStream? stream)
    {
        _socket = socket;
        _stream = stream;
    }

    public static DnsTestClient Udp(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        return new DnsTestClient(socket, null);
    }

    public static async Task<DnsTestClient> TcpAsync(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server);
        return new DnsTestClient(socket, new NetworkStream(socket, ownsSocket: false));
    }

    public static async Task<byte[]> ExchangeAsync(DnsTransport transport, IPEndPoint server, byte[] query)
    {
        await using var client = transport == DnsTransport.Udp ? Udp(server) : await TcpAsync(server);
        await client.SendAsync(query);
        return await client.ReceiveAsync();
    }

    public async Task SendAsync(byte[] message)
    {
        if (_stream is null)
        {
            await _socket.SendAsync(message);
        }
        else
        {
            await DnsTcpFraming.WriteAsync(_stream, message, CancellationToken.None);
        }
    }

    /// <summary>Sends bytes as they are, unframed even on TCP.</summary>
    public async Task SendRawAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    /// <summary>The next reply; throws <see cref="OperationCanceledException"/> if none comes within <paramref name="timeout"/>.</summary>
    public async Task<byte[]> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? ReplyTimeout);
        var buffer = new byte[65535];
        var length = _stream is null
            ? await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)
            : await DnsTcpFraming.ReadAsync(_stream, buffer, deadline.Token);
        return buffer[..Math.Max(0, length)];
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _socket.Dispose();
    }
}
