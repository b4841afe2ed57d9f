using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using BuildSentry.Linux.Decoding;
using BuildSentry.Linux.Dns;
using BuildSentry.Linux.Tests.Decoding;

namespace BuildSentry.Linux.Tests.Support;

/// <summary>
/// An upstream resolver on loopback, UDP and TCP on one port: A and AAAA answers from a table (NXDOMAIN for other
/// names), or silence, or a truncated UDP answer. It counts what it receives and keeps what it sends.
/// </summary>
internal sealed class FakeDnsUpstream : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly ConcurrentDictionary<(string, DnsWireType), (IPAddress Address, uint Ttl)[]> _records = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _udpQueries;
    private int _tcpQueries;

    public FakeDnsUpstream(IPAddress address)
    {
        (_udp, _tcp) = DnsListenerSockets.Bind(address, 0);
        EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
        if (((IPEndPoint)_tcp.LocalEndPoint!).Port != EndPoint.Port)
        {
            throw new InvalidOperationException("The fake upstream's UDP and TCP ports differ; the forwarder names one endpoint for both.");
        }

        _udpLoop = Task.Run(ServeUdpAsync);
        _tcpLoop = Task.Run(ServeTcpAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Receives and counts queries but never answers.</summary>
    public bool Silent { get; set; }

    /// <summary>Answers over UDP with the TC bit set and no records.</summary>
    public bool Truncate { get; set; }

    /// <summary>Sends each UDP answer first with another id, which the forwarder must ignore.</summary>
    public bool WrongIdFirst { get; set; }

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    /// <summary>Every answer sent, unless <see cref="KeepSent"/> is off (a benchmark's millions would pile up).</summary>
    public ConcurrentQueue<byte[]> Sent { get; } = new();

    public bool KeepSent { get; init; } = true;

    /// <summary>Every query received, as it arrived (unless <see cref="KeepSent"/> is off).</summary>
    public ConcurrentQueue<byte[]> Received { get; } = new();

    public FakeDnsUpstream Add(string name, IPAddress address, uint ttl)
    {
        var type = address.AddressFamily == AddressFamily.InterNetwork ? DnsWireType.A : DnsWireType.Aaaa;
        _records.AddOrUpdate((name, type), [(address, ttl)], (_, old) => [.. old, (address, ttl)]);
        return this;
    }

    /// <summary>The answer to <paramref name="query"/>, or null for a message that is not a query with a question.</summary>
    public byte[]? Answer(byte[] query, bool truncate)
    {
        if (KeepSent)
        {
            Received.Enqueue(query);
        }

        if (!DnsMessageParser.TryParse(query, out var message) || message.IsResponse || message.Questions.Count == 0
            || !DnsNameReader.TrySkip(query, 12, out var nameEnd))
        {
            return null;
        }

        var question = message.Questions[0];
        var records = truncate ? [] : _records.GetValueOrDefault((question.Name, question.Type), []);
        var known = truncate || _records.Keys.Any(key => key.Item1 == question.Name);
        var flags = 0x8180 | (truncate ? 0x0200 : 0) | (known ? 0 : 3);
        var wire = DnsWire.Header(message.Id, (ushort)flags, 1, (ushort)records.Length).Bytes(query[12..(nameEnd + 4)]);
        foreach (var (address, ttl) in records)
        {
            var bytes = address.GetAddressBytes();
            wire.Pointer(12).RecordHeader((int)question.Type, ttl, bytes.Length).Bytes(bytes);
        }

        return wire.Build();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private void Keep(byte[] answer)
    {
        if (KeepSent)
        {
            Sent.Enqueue(answer);
        }
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            var received = await _udp.ReceiveFromAsync(buffer, new IPEndPoint(EndPoint.Address, 0), _stop.Token);
            Interlocked.Increment(ref _udpQueries);
            if (Silent || Answer(buffer[..received.ReceivedBytes], Truncate) is not { } answer)
            {
                continue;
            }

            if (WrongIdFirst)
            {
                var decoy = answer.ToArray();
                decoy[1] ^= 1;
                await _udp.SendToAsync(decoy, received.RemoteEndPoint, _stop.Token);
            }

            Keep(answer);
            await _udp.SendToAsync(answer, received.RemoteEndPoint, _stop.Token);
        }
    }

    private async Task ServeTcpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _tcp.AcceptAsync(_stop.Token);
            _ = ServeConnectionAsync(socket);
        }
    }

    private async Task ServeConnectionAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var buffer = new byte[65535];
        try
        {
            while (await DnsTcpFraming.ReadAsync(stream, buffer, _stop.Token) is var length and >= 0)
            {
                Interlocked.Increment(ref _tcpQueries);
                if (!Silent && Answer(buffer[..length], truncate: false) is { } answer)
                {
                    Keep(answer);
                    await DnsTcpFraming.WriteAsync(stream, answer, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
    }
}
