using System.Net;
using System.Net.Sockets;
using System.Text;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Text;

namespace BuildSentry.Linux.Syslog;

/// <summary>
/// A connected socket to one syslog receiver, framing records for its transport. Over TCP it keeps
/// every record whose bytes the receiver's kernel has not yet acknowledged; over RELP, every record the
/// receiver has not answered "200 OK" (see <see cref="Unacknowledged"/>).
/// </summary>
internal sealed class SyslogConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly SyslogTransport _transport;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private const int MaxInFlight = 4096;

    /// <summary>RELP records sent and not yet answered, at most: a receiver that stops answering stops the sender.</summary>
    internal const int RelpWindow = 128;

    /// <summary>How long a RELP receiver may take to answer the open, or any record while the window is full.</summary>
    internal static readonly TimeSpan RelpAnswerTimeout = TimeSpan.FromSeconds(5);

    private const int MaxRelpTxnr = 999_999_999;

    /// <summary>Records in flight: over TCP with the stream offset of their last byte, over RELP with their transaction number.</summary>
    private readonly Queue<(Alert Alert, long End)> _inFlight = new();
    private readonly RelpFrameReader _relpReader = new();
    private readonly byte[] _receive = new byte[4096];
    private long _written;
    private int _relpTxnr = 1;
    private readonly List<(Alert Alert, string Answer)> _refused = [];

    /// <summary>The RELP session is over (closed, said goodbye, or broke the protocol): it stays over.</summary>
    private bool _relpEnded;

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
            SyslogTransport.Tcp or SyslogTransport.Relp => new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true },
            SyslogTransport.Udp => new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp),
            _ => new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified),
        };
        try
        {
            // A send that cannot complete in time counts as a failed delivery rather than wedging the sink.
            socket.SendTimeout = 5_000;
            await socket.ConnectAsync(endPoint, cancellationToken);
            var connection = new SyslogConnection(socket, target.Transport);
            if (target.Transport == SyslogTransport.Relp)
            {
                await connection.OpenRelpAsync(target, cancellationToken);
            }

            return connection;
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
        if (_transport is not (SyslogTransport.Tcp or SyslogTransport.Relp))
        {
            return false;
        }

        try
        {
            if (_transport == SyslogTransport.Relp)
            {
                TakeInAcknowledgements();
                if (_relpEnded)
                {
                    return true;
                }
            }

            return _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            _relpEnded = true;
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
        TakeInAcknowledgements();
        return _inFlight.Select(r => r.Alert).ToList();
    }

    /// <summary>How many records are still unacknowledged.</summary>
    public int InFlight()
    {
        TakeInAcknowledgements();
        return _inFlight.Count;
    }

    /// <summary>
    /// Removes what the receiver has acknowledged: over TCP by its kernel's acknowledgements, over RELP by the answers
    /// already received, which still count from a receiver that has gone since (its close ends the session).
    /// </summary>
    private void TakeInAcknowledgements()
    {
        if (_transport != SyslogTransport.Relp)
        {
            Prune();
            return;
        }

        try
        {
            if (!ReadRelpAnswers())
            {
                _relpEnded = true;
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            _relpEnded = true;
        }
    }

    public async ValueTask SendAsync(Alert alert, string record, CancellationToken cancellationToken)
    {
        if (_transport == SyslogTransport.Relp)
        {
            await SendRelpAsync(alert, record, cancellationToken);
            return;
        }

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

    /// <summary>RELP session open (RELP 0, the "syslog" command): the receiver must answer "200 OK" in time.</summary>
    private async Task OpenRelpAsync(SyslogTarget target, CancellationToken cancellationToken)
    {
        await SendFrameAsync("open", "relp_version=0\nrelp_software=BuildSentry\ncommands=syslog", cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RelpAnswerTimeout);
        while (true)
        {
            var received = await ReceiveWithinAsync(timeout.Token, cancellationToken, $"RELP receiver {target} did not answer the session open");
            _relpReader.Append(_receive.AsSpan(0, received));
            if (!NextRelpFrame(out var frame))
            {
                continue;
            }

            if (frame is not { Txnr: 1, Command: "rsp" } || frame.Status != 200)
            {
                throw new IOException($"RELP receiver {target} refused the session: {SafeText.Truncate(SafeText.Escape(frame.Command + " " + frame.Data), 200)}");
            }

            return;
        }
    }

    private async ValueTask SendRelpAsync(Alert alert, string record, CancellationToken cancellationToken)
    {
        if (_inFlight.Count >= RelpWindow)
        {
            ReadRelpAnswers();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RelpAnswerTimeout);
            while (_inFlight.Count >= RelpWindow)
            {
                var received = await ReceiveWithinAsync(timeout.Token, cancellationToken, $"RELP receiver answered none of {RelpWindow} records");
                _relpReader.Append(_receive.AsSpan(0, received));
                ApplyRelpAnswers();
            }
        }

        var txnr = await SendFrameAsync("syslog", record, cancellationToken);
        _inFlight.Enqueue((alert, txnr));
    }

    /// <summary>Writes one frame with the next transaction number, which it returns.</summary>
    private async ValueTask<int> SendFrameAsync(string command, string data, CancellationToken cancellationToken)
    {
        var txnr = _relpTxnr;
        _relpTxnr = txnr == MaxRelpTxnr ? 1 : txnr + 1;
        var body = Encoding.UTF8.GetByteCount(data);
        var header = $"{txnr} {command} {body} ";
        var length = header.Length + body + 1;
        var buffer = length <= _buffer.Length ? _buffer : new byte[length];
        var written = Encoding.ASCII.GetBytes(header, buffer);
        written += Encoding.UTF8.GetBytes(data, buffer.AsSpan(written));
        buffer[written++] = (byte)'\n';
        var sent = 0;
        while (sent < written)
        {
            sent += await _socket.SendAsync(buffer.AsMemory(sent, written - sent), SocketFlags.None, cancellationToken);
        }

        return txnr;
    }

    /// <summary>Receives some bytes before <paramref name="deadline"/> is cancelled; a close or the deadline ends the session.</summary>
    private async ValueTask<int> ReceiveWithinAsync(CancellationToken deadline, CancellationToken stop, string timeoutMessage)
    {
        int received;
        try
        {
            received = await _socket.ReceiveAsync(_receive, SocketFlags.None, deadline);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new TimeoutException($"{timeoutMessage} within {RelpAnswerTimeout.TotalSeconds:0} s");
        }

        return received > 0 ? received : throw new IOException("the RELP receiver closed the connection");
    }

    /// <summary>The next complete frame from the receiver; a malformed one ends the session as an I/O failure.</summary>
    private bool NextRelpFrame(out RelpFrame frame)
    {
        try
        {
            return _relpReader.TryRead(out frame);
        }
        catch (InvalidDataException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    /// <summary>Takes in the answers that have arrived, without waiting; false when the receiver has closed its end.</summary>
    private bool ReadRelpAnswers()
    {
        while (_socket.Available > 0)
        {
            var received = _socket.Receive(_receive, SocketFlags.None);
            if (received == 0)
            {
                return false;
            }

            _relpReader.Append(_receive.AsSpan(0, received));
        }

        ApplyRelpAnswers();
        return true;
    }

    /// <summary>
    /// An answer for the oldest record in flight removes it: "200 OK" delivered it, any other status refused it (see
    /// <see cref="TakeRefused"/>). An answer for any other record ends the session, so its records are sent again
    /// after the reconnect rather than dropped.
    /// </summary>
    private void ApplyRelpAnswers()
    {
        while (NextRelpFrame(out var frame))
        {
            if (frame.Command == "serverclose")
            {
                _relpEnded = true;
                continue;
            }

            if (frame.Command != "rsp")
            {
                throw new IOException($"RELP receiver sent an unexpected '{SafeText.Escape(frame.Command)}' command");
            }

            if (!_inFlight.TryPeek(out var head) || head.End != frame.Txnr)
            {
                // librelp answers in order; anything else is a receiver this sender does not understand.
                throw new IOException($"RELP receiver answered record {frame.Txnr}, expected {(_inFlight.Count > 0 ? head.End : 0)}");
            }

            _inFlight.Dequeue();
            if (frame.Status != 200)
            {
                // Refused for what it is (too long for the receiver, say): sending it again would be refused again and
                // hold up every alert behind it. The sink reports it.
                _refused.Add((head.Alert, SafeText.Truncate(SafeText.Escape(frame.Data), 200)));
            }
        }
    }

    /// <summary>RELP records the receiver answered with an error since the last call, with its answer.</summary>
    public IReadOnlyList<(Alert Alert, string Answer)> TakeRefused()
    {
        if (_refused.Count == 0)
        {
            return [];
        }

        var refused = _refused.ToList();
        _refused.Clear();
        return refused;
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

        var addresses = await System.Net.Dns.GetHostAddressesAsync(host, cancellationToken);
        return addresses.Length > 0 ? addresses[0] : throw new SocketException((int)SocketError.HostNotFound);
    }
}
