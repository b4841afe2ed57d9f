using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Dns;

/// <summary>Accepts client connections on the TCP listener, up to <see cref="DnsForwarderOptions.MaxTcpConnections"/> at once.</summary>
internal sealed class DnsTcpServer(
    Socket listener, DnsQueryHandler handler, DnsForwarderOptions options, DnsForwarderCounters counters, ILogger logger, TimeProvider time)
{
    private readonly TaskGroup _connections = new();

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                DnsForwarderLog.ReceiveFailed(logger, DnsTransport.Tcp, e.Message);
                continue;
            }

            if (_connections.Count >= options.MaxTcpConnections)
            {
                Interlocked.Increment(ref counters.RejectedConnectionsValue);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            _connections.Add(ServeAsync(socket, stopping));
        }

        await _connections.WhenAll();
    }

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        using var connection = new DnsTcpConnection(socket, options, time);
        await connection.RunAsync(handler, stopping);
    }
}
