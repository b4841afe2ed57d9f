using System.Buffers.Binary;

namespace BuildSentry.Linux.Decoding;

/// <summary>A forward-only, bounds-checked big-endian reader: every read says whether the bytes were there.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public bool TryReadByte(out byte value)
    {
        value = 0;
        if (Remaining < 1)
        {
            return false;
        }

        value = _data[Position++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        value = 0;
        if (Remaining < 2)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_data[Position..]);
        Position += 2;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        value = 0;
        if (Remaining < 4)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_data[Position..]);
        Position += 4;
        return true;
    }

    public bool TryReadBytes(int length, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (length < 0 || Remaining < length)
        {
            return false;
        }

        value = _data.Slice(Position, length);
        Position += length;
        return true;
    }

    public bool TrySkip(int length) => TryReadBytes(length, out _);

    /// <summary>Moves to an absolute offset at or before the end.</summary>
    public bool TrySeek(int position)
    {
        if (position < 0 || position > _data.Length)
        {
            return false;
        }

        Position = position;
        return true;
    }
}
