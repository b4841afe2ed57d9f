using System.Net;
using System.Net.Sockets;
using System.Text;
using BuildSentry.Core.Alerts;

namespace BuildSentry.Linux.Syslog;

/// <summary>
/// A connected socket to one syslog receiver, framing records for its transport. Over TCP it keeps
/// every record whose bytes the receiver's kernel has not yet acknowledged (see <see cref="Unacknowledged"/>).
/// </summary>
internal sealed class SyslogConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly SyslogTransport _transport;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private const int MaxInFlight = 4096;

    private readonly Queue<(Alert Alert, long End)> _inFlight = new();
    private long _written;

    private SyslogConnection(Socket socket, SyslogTransport transport)
    {
        _socket = socket;
        _transport = transport;
    }

    public static async Task<SyslogConnection> ConnectAsync(SyslogTarget target, CancellationToken cancellationToken)
    {
        EndPoint endPoint = target.Transport == SyslogTransport.Unix
            ? new UnixDomainSocketEndPoint(target.Address)
            : new IPEndPoint(await ResolveAsync(target.Address, cancellationToken), target.Port);
        var socket = target.Transport switch
        {
            SyslogTransport.Tcp => new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true },
            SyslogTransport.Udp => new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp),
            _ => new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified),
        };
        try
        {
            // A send that cannot complete in time counts as a failed delivery rather than wedging the sink.
            socket.SendTimeout = 5_000;
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new SyslogConnection(socket, target.Transport);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A TCP receiver that closed its end (a restart) has sent FIN: writing into that socket would
    /// "succeed" and the record would be lost, so it is checked before every write.
    /// </summary>
    public bool PeerClosed()
    {
        if (_transport != SyslogTransport.Tcp)
        {
            return false;
        }

        try
        {
            return _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>
    /// The records written on this connection that the receiver's kernel has not acknowledged, oldest
    /// first: when the connection ends, these are exactly the ones a receiver that closed cleanly never
    /// read (data arriving after its close is answered with RST, never acknowledged).
    /// </summary>
    public IReadOnlyList<Alert> Unacknowledged()
    {
        Prune();
        return _inFlight.Select(r => r.Alert).ToList();
    }

    public async ValueTask SendAsync(Alert alert, string record, CancellationToken cancellationToken)
    {
        await SendAsync(record, cancellationToken);
        if (_transport == SyslogTransport.Tcp)
        {
            Prune();
            _inFlight.Enqueue((alert, _written));
            if (_inFlight.Count > MaxInFlight)
            {
                // A kernel without tcpi_bytes_acked never confirms anything; the send buffer never holds this many.
                _inFlight.Dequeue();
            }
        }
    }

    private async ValueTask SendAsync(string record, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetByteCount(record);
        var prefix = _transport == SyslogTransport.Tcp ? $"{body} " : "";
        var buffer = prefix.Length + body <= _buffer.Length ? _buffer : new byte[prefix.Length + body];
        var length = Encoding.ASCII.GetBytes(prefix, buffer);
        length += Encoding.UTF8.GetBytes(record, buffer.AsSpan(length));
        var sent = 0;
        while (sent < length)
        {
            sent += await _socket.SendAsync(buffer.AsMemory(sent, length - sent), SocketFlags.None, cancellationToken);
        }

        _written += length;
    }

    private void Prune()
    {
        var acknowledged = TcpInfo.BytesAcked(_socket);
        while (_inFlight.TryPeek(out var head) && head.End <= acknowledged)
        {
            _inFlight.Dequeue();
        }
    }

    public void Dispose() => _socket.Dispose();

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        return addresses.Length > 0 ? addresses[0] : throw new SocketException((int)SocketError.HostNotFound);
    }
}
