using System.Buffers.Binary;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Splits one direction of a DNS-over-TCP flow into messages (RFC 1035 4.2.2: each message has a
/// two-byte length prefix). Feed segment payloads in sequence order; a segment may hold several
/// messages or part of one. Only an unfinished message is buffered, so the buffer never exceeds
/// one maximum-size message (65,537 bytes).
/// </summary>
internal sealed class DnsTcpReassembler
{
    private const int PrefixLength = 2;
    private const int MaxFrameLength = PrefixLength + ushort.MaxValue;
    private byte[] _buffer = [];
    private int _count;

    /// <summary>Framed messages that did not parse.</summary>
    public long MalformedMessages { get; private set; }

    /// <summary>Bytes held back waiting for the rest of a message.</summary>
    public int BufferedBytes => _count;

    /// <summary>Adds every message the segment completes to <paramref name="messages"/>; returns how many.</summary>
    public int Feed(ReadOnlySpan<byte> segment, ICollection<DnsMessage> messages)
    {
        var added = 0;
        while (!segment.IsEmpty)
        {
            if (_count == 0)
            {
                // Common case: whole messages straight from the segment, no copy.
                while (segment.Length >= PrefixLength)
                {
                    var length = PrefixLength + BinaryPrimitives.ReadUInt16BigEndian(segment);
                    if (segment.Length < length)
                    {
                        break;
                    }

                    added += Emit(segment[PrefixLength..length], messages);
                    segment = segment[length..];
                }

                if (segment.IsEmpty)
                {
                    break;
                }
            }

            var needed = _count < PrefixLength
                ? PrefixLength - _count
                : PrefixLength + BinaryPrimitives.ReadUInt16BigEndian(_buffer) - _count;
            var take = Math.Min(needed, segment.Length);
            EnsureCapacity(_count + take);
            segment[..take].CopyTo(_buffer.AsSpan(_count));
            _count += take;
            segment = segment[take..];
            if (_count >= PrefixLength && _count == PrefixLength + BinaryPrimitives.ReadUInt16BigEndian(_buffer))
            {
                added += Emit(_buffer.AsSpan(PrefixLength, _count - PrefixLength), messages);
                _count = 0;
            }
        }

        return added;
    }

    /// <summary>Forgets a partial message, e.g. after a gap in the sequence numbers.</summary>
    public void Reset() => _count = 0;

    private int Emit(ReadOnlySpan<byte> message, ICollection<DnsMessage> messages)
    {
        if (DnsMessageParser.TryParse(message, out var parsed))
        {
            messages.Add(parsed);
            return 1;
        }

        MalformedMessages++;
        return 0;
    }

    private void EnsureCapacity(int size)
    {
        if (_buffer.Length < size)
        {
            Array.Resize(ref _buffer, Math.Min(MaxFrameLength, Math.Max(size, Math.Max(256, _buffer.Length * 2))));
        }
    }
}
