using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Dns;

/// <summary>
/// One query to an upstream resolver over a socket of its own: a fresh source port per query, and no id to rewrite
/// because no other query shares the socket. The caller's token bounds the whole exchange.
/// </summary>
internal static class DnsUpstream
{
    /// <summary>
    /// Sends <paramref name="query"/> unchanged and returns the first answer (read into <paramref name="buffer"/>) that
    /// is a response carrying the query's id and parses; anything else is ignored. The round trip runs from the
    /// query's send to that answer's receipt, so the socket's setup counts as the forwarder's own time.
    /// </summary>
    public static Task<DnsUpstreamAnswer> ExchangeAsync(
        DnsTransport transport, IPEndPoint upstream, ReadOnlyMemory<byte> query, byte[] buffer, TimeProvider time,
        CancellationToken cancellationToken) =>
        transport == DnsTransport.Udp
            ? ExchangeUdpAsync(upstream, query, buffer, time, cancellationToken)
            : ExchangeTcpAsync(upstream, query, buffer, time, cancellationToken);

    private static async Task<DnsUpstreamAnswer> ExchangeUdpAsync(
        IPEndPoint upstream, ReadOnlyMemory<byte> query, byte[] buffer, TimeProvider time, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Connected: the kernel drops datagrams from any other address or port before they reach us.
        socket.Connect(upstream);
        var sentAt = time.GetTimestamp();
        await socket.SendAsync(query, SocketFlags.None, cancellationToken);
        while (true)
        {
            var length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (TryMatch(query.Span, buffer.AsSpan(0, length), out var answer))
            {
                return new DnsUpstreamAnswer(length, answer, time.GetElapsedTime(sentAt));
            }
        }
    }

    private static async Task<DnsUpstreamAnswer> ExchangeTcpAsync(
        IPEndPoint upstream, ReadOnlyMemory<byte> query, byte[] buffer, TimeProvider time, CancellationToken cancellationToken)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(upstream, cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var sentAt = time.GetTimestamp();
        await DnsTcpFraming.WriteAsync(stream, query, cancellationToken);
        while (true)
        {
            var length = await DnsTcpFraming.ReadAsync(stream, buffer, cancellationToken);
            if (length < 0)
            {
                throw new EndOfStreamException("The upstream closed the connection before it answered.");
            }

            if (TryMatch(query.Span, buffer.AsSpan(0, length), out var answer))
            {
                return new DnsUpstreamAnswer(length, answer, time.GetElapsedTime(sentAt));
            }
        }
    }

    private static bool TryMatch(ReadOnlySpan<byte> query, ReadOnlySpan<byte> data, [NotNullWhen(true)] out DnsMessage? answer)
    {
        answer = null;
        return data.Length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(data) == BinaryPrimitives.ReadUInt16BigEndian(query)
            && DnsMessageParser.TryParse(data, out answer) && answer.IsResponse;
    }
}
