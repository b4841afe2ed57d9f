using System.Buffers;
using System.Buffers.Binary;

namespace BuildSentry.Linux.Dns;

/// <summary>RFC 7766 framing: each message behind a two-byte big-endian length, so no frame exceeds 65,535 bytes.</summary>
internal static class DnsTcpFraming
{
    public const int MaxMessageLength = ushort.MaxValue;
    private const int PrefixLength = 2;

    /// <summary>
    /// Reads one message into the start of <paramref name="buffer"/> (at least <see cref="MaxMessageLength"/> bytes);
    /// returns its length, or -1 when the peer closed between messages. A close inside one throws.
    /// </summary>
    public static async ValueTask<int> ReadAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var prefix = buffer[..PrefixLength];
        var read = await stream.ReadAtLeastAsync(prefix, PrefixLength, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return -1;
        }

        if (read < PrefixLength)
        {
            throw new EndOfStreamException("The peer closed the connection inside a length prefix.");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(prefix.Span);
        await stream.ReadExactlyAsync(buffer[..length], cancellationToken);
        return length;
    }

    /// <summary>Writes one message with its prefix in a single write, so a reply leaves in one segment where it fits.</summary>
    public static async ValueTask WriteAsync(Stream stream, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(message.Length, MaxMessageLength);
        var frame = ArrayPool<byte>.Shared.Rent(PrefixLength + message.Length);
        try
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
            message.CopyTo(frame.AsMemory(PrefixLength));
            await stream.WriteAsync(frame.AsMemory(0, PrefixLength + message.Length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }
}
