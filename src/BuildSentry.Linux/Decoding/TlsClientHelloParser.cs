using System.Buffers;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Finds the server_name (RFC 6066 section 3) in the ClientHello at the start of a TLS stream.
/// The handshake message may be spread over several records (RFC 8446 section 5.1); when it is, its
/// fragments are gathered into a pooled buffer, otherwise it is read in place.
/// </summary>
internal static partial class TlsClientHelloParser
{
    /// <summary>Largest ClientHello body accepted; real ones are a few hundred bytes to ~2 KiB.</summary>
    public const int MaxClientHelloLength = 16 * 1024;

    /// <summary>Bound for the reassembled stream: the ClientHello plus room for many record headers.</summary>
    public const int MaxStreamBytes = MaxClientHelloLength + 1024;

    private const byte HandshakeContentType = 22;
    private const byte ClientHelloType = 1;
    private const int RecordHeaderLength = 5;
    private const int HandshakeHeaderLength = 4;
    private const int MaxRecordLength = (1 << 14) + 2048;

    /// <summary>Parses the client's first bytes of a TCP stream (all of them so far).</summary>
    public static SniffResult Parse(ReadOnlySpan<byte> stream)
    {
        var status = CheckFirstRecordHeader(stream);
        if (status != SniffStatus.Found)
        {
            return new SniffResult(status, null);
        }

        var firstFragment = stream.Slice(RecordHeaderLength, Math.Min(RecordLength(stream), stream.Length - RecordHeaderLength));
        if (firstFragment.Length >= HandshakeHeaderLength)
        {
            if (firstFragment[0] != ClientHelloType)
            {
                return SniffResult.NotThisProtocol;
            }

            var helloLength = (firstFragment[1] << 16) | (firstFragment[2] << 8) | firstFragment[3];
            if (helloLength > MaxClientHelloLength)
            {
                return SniffResult.Malformed;
            }

            if (firstFragment.Length >= HandshakeHeaderLength + helloLength)
            {
                return ReadClientHello(firstFragment.Slice(HandshakeHeaderLength, helloLength));
            }
        }
        else if (firstFragment.Length > 0 && firstFragment[0] != ClientHelloType)
        {
            return SniffResult.NotThisProtocol;
        }

        return ParseFragmented(stream);
    }

    /// <summary>Returns Found when a whole, plausible handshake record header is present.</summary>
    private static SniffStatus CheckFirstRecordHeader(ReadOnlySpan<byte> stream)
    {
        if (stream.Length >= 1 && stream[0] != HandshakeContentType)
        {
            return SniffStatus.NotThisProtocol;
        }

        if ((stream.Length >= 2 && stream[1] != 3) || (stream.Length >= 3 && stream[2] > 4))
        {
            return SniffStatus.NotThisProtocol;
        }

        if (stream.Length < RecordHeaderLength)
        {
            return SniffStatus.NeedMore;
        }

        var length = RecordLength(stream);
        return length is 0 or > MaxRecordLength ? SniffStatus.Malformed : SniffStatus.Found;
    }

    private static int RecordLength(ReadOnlySpan<byte> record) => (record[3] << 8) | record[4];

    /// <summary>Gathers the handshake fragments of consecutive handshake records.</summary>
    private static SniffResult ParseFragmented(ReadOnlySpan<byte> stream)
    {
        var gathered = ArrayPool<byte>.Shared.Rent(MaxClientHelloLength + HandshakeHeaderLength);
        try
        {
            var count = 0;
            var needed = -1;
            var position = 0;
            while (needed < 0 || count < needed)
            {
                var remaining = stream[position..];
                if (remaining.Length < RecordHeaderLength)
                {
                    return remaining.Length > 0 && remaining[0] != HandshakeContentType ? SniffResult.Malformed : SniffResult.NeedMore;
                }

                var length = RecordLength(remaining);
                if (remaining[0] != HandshakeContentType || remaining[1] != 3 || length is 0 or > MaxRecordLength)
                {
                    return SniffResult.Malformed;
                }

                var fragment = remaining.Slice(RecordHeaderLength, Math.Min(length, remaining.Length - RecordHeaderLength));
                var take = Math.Min(fragment.Length, gathered.Length - count);
                fragment[..take].CopyTo(gathered.AsSpan(count));
                count += take;
                if (needed < 0 && count >= HandshakeHeaderLength)
                {
                    if (gathered[0] != ClientHelloType)
                    {
                        return SniffResult.NotThisProtocol;
                    }

                    needed = HandshakeHeaderLength + ((gathered[1] << 16) | (gathered[2] << 8) | gathered[3]);
                    if (needed - HandshakeHeaderLength > MaxClientHelloLength)
                    {
                        return SniffResult.Malformed;
                    }
                }

                if (fragment.Length < length)
                {
                    return needed >= 0 && count >= needed ? ReadGathered(gathered, needed) : SniffResult.NeedMore;
                }

                position += RecordHeaderLength + length;
            }

            return ReadGathered(gathered, needed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(gathered);
        }
    }

    private static SniffResult ReadGathered(byte[] gathered, int needed) =>
        ReadClientHello(gathered.AsSpan(HandshakeHeaderLength, needed - HandshakeHeaderLength));
}
