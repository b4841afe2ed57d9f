using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Dns;

/// <summary>
/// A DNS forwarder for prevent mode: the kernel sends a job's port-53 traffic here, the policy decides each query,
/// and an allowed query's answer reaches the client only after the policy has seen its addresses. A query goes upstream
/// as its header and question alone, an answer passes through unchanged; the forwarder itself only ever answers with
/// an error RCODE.
/// </summary>
public sealed class DnsForwarder : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    private DnsForwarder(DnsForwarderOptions options, IDnsForwarderPolicy policy, ILogger logger, TimeProvider time)
    {
        (_udp, _tcp) = DnsListenerSockets.Bind(options.ListenAddress, options.Port, options.FreeBind);
        UdpEndPoint = (IPEndPoint)_udp.LocalEndPoint!;
        TcpEndPoint = (IPEndPoint)_tcp.LocalEndPoint!;
        var handler = new DnsQueryHandler(policy, options, Counters, logger, time);
        _udpLoop = Task.Run(() => new DnsUdpServer(_udp, handler, logger, time).RunAsync(_stop.Token));
        _tcpLoop = Task.Run(() => new DnsTcpServer(_tcp, handler, options, Counters, logger, time).RunAsync(_stop.Token));
        DnsForwarderLog.Listening(logger, options.ListenAddress, UdpEndPoint.Port, TcpEndPoint.Port);
    }

    public IPEndPoint UdpEndPoint { get; }

    public IPEndPoint TcpEndPoint { get; }

    public DnsForwarderCounters Counters { get; } = new();

    /// <summary>Binds both listeners and starts serving; a port that cannot be bound throws <see cref="SocketException"/>.</summary>
    public static DnsForwarder Start(
        DnsForwarderOptions options, IDnsForwarderPolicy policy, ILogger<DnsForwarder> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        return new DnsForwarder(options, policy, logger, time ?? TimeProvider.System);
    }

    /// <summary>Stops listening, cancels the queries in flight (their clients get no reply) and waits for every task to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_udpLoop, _tcpLoop);
        _udp.Dispose();
        _tcp.Dispose();
        _stop.Dispose();
    }
}
