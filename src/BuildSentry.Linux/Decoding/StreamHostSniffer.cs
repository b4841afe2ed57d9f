namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Per-flow reassembly for a parser that reads the start of a TCP stream (a TLS ClientHello, an
/// HTTP request head). Feed the client's segment payloads in sequence order; the first segment is
/// parsed in place, later ones are buffered up to a fixed bound, past which the stream counts as
/// malformed. Once the answer is known it stays known and the buffer is released.
/// </summary>
internal sealed class StreamHostSniffer
{
    private readonly Func<ReadOnlySpan<byte>, SniffResult> _parse;
    private readonly int _maxBytes;
    private byte[] _buffer = [];
    private int _count;
    private SniffResult? _result;

    public StreamHostSniffer(Func<ReadOnlySpan<byte>, SniffResult> parse, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _parse = parse;
        _maxBytes = maxBytes;
    }

    /// <summary>SNI from a TLS ClientHello, however it is split over records and segments.</summary>
    public static StreamHostSniffer ForTls() => new(TlsClientHelloParser.Parse, TlsClientHelloParser.MaxStreamBytes);

    /// <summary>The Host header of an HTTP/1.x request.</summary>
    public static StreamHostSniffer ForHttp() => new(HttpHostParser.Parse, HttpHostParser.MaxHeadBytes);

    public int BufferedBytes => _count;

    public SniffResult Feed(ReadOnlySpan<byte> segment)
    {
        if (_result is { } known)
        {
            return known;
        }

        if (segment.IsEmpty)
        {
            return SniffResult.NeedMore;
        }

        if (_count == 0)
        {
            var direct = _parse(segment.Length > _maxBytes ? segment[.._maxBytes] : segment);
            if (direct.Status != SniffStatus.NeedMore)
            {
                return Finish(direct);
            }
        }

        var room = _maxBytes - _count;
        var take = Math.Min(room, segment.Length);
        if (_buffer.Length < _count + take)
        {
            Array.Resize(ref _buffer, Math.Min(_maxBytes, Math.Max(_count + take, _buffer.Length * 2)));
        }

        segment[..take].CopyTo(_buffer.AsSpan(_count));
        _count += take;
        var result = _count == take ? SniffResult.NeedMore : _parse(_buffer.AsSpan(0, _count));
        if (result.Status == SniffStatus.NeedMore && _count >= _maxBytes)
        {
            return Finish(SniffResult.Malformed);
        }

        return result.Status == SniffStatus.NeedMore ? result : Finish(result);
    }

    private SniffResult Finish(SniffResult result)
    {
        _result = result;
        _buffer = [];
        _count = 0;
        return result;
    }
}
