using System.Text;

namespace BuildSentry.Linux.Syslog;

/// <summary>One RELP frame: <c>TXNR SP COMMAND SP DATALEN [SP DATA] LF</c>.</summary>
internal readonly record struct RelpFrame(int Txnr, string Command, string Data)
{
    /// <summary>A response's status code ("200 OK" → 200); 0 when the data does not start with three digits.</summary>
    public int Status => Data.Length >= 3 && char.IsAsciiDigit(Data[0]) && char.IsAsciiDigit(Data[1]) && char.IsAsciiDigit(Data[2])
        ? (Data[0] - '0') * 100 + (Data[1] - '0') * 10 + (Data[2] - '0')
        : 0;
}

/// <summary>
/// Splits what a RELP server sends into frames. The server is a peer on the network: every field is
/// bounds-checked, and a malformed frame ends the session (<see cref="InvalidDataException"/>) rather
/// than being guessed at.
/// </summary>
internal sealed class RelpFrameReader
{
    /// <summary>A response carries a status line and, for "open", the offers: far below this.</summary>
    public const int MaxDataLength = 64 * 1024;

    private const int MaxTxnr = 999_999_999;
    private const int MaxCommandLength = 32;

    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    /// <summary>Adds bytes received from the server.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_end + bytes.Length > _buffer.Length)
        {
            var pending = _end - _start;
            if (pending + bytes.Length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, pending + bytes.Length));
            }

            Array.Copy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }

        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }

    /// <summary>The next complete frame, or false when more bytes are needed.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a RELP frame.</exception>
    public bool TryRead(out RelpFrame frame)
    {
        frame = default;
        var span = _buffer.AsSpan(_start, _end - _start);
        var position = 0;
        if (!TryNumber(span, ref position, 9, "transaction number", out var txnr) || !TrySpace(span, ref position))
        {
            return false;
        }

        if (txnr > MaxTxnr)
        {
            throw new InvalidDataException($"RELP transaction number {txnr} is out of range");
        }

        var commandStart = position;
        while (position < span.Length && span[position] != (byte)' ')
        {
            if (!char.IsAsciiLetterLower((char)span[position]) || position - commandStart >= MaxCommandLength)
            {
                throw new InvalidDataException("RELP command is not a short lower-case word");
            }

            position++;
        }

        if (position == span.Length)
        {
            return false;
        }

        var command = Encoding.ASCII.GetString(span[commandStart..position]);
        if (command.Length == 0)
        {
            throw new InvalidDataException("RELP command is empty");
        }

        position++;
        if (!TryNumber(span, ref position, 9, "data length", out var length))
        {
            return false;
        }

        if (length > MaxDataLength)
        {
            throw new InvalidDataException($"RELP data length {length} exceeds {MaxDataLength}");
        }

        var data = "";
        if (length > 0)
        {
            if (!TrySpace(span, ref position))
            {
                return false;
            }

            if (span.Length - position < length)
            {
                return false;
            }

            data = Encoding.UTF8.GetString(span.Slice(position, (int)length));
            position += (int)length;
        }

        if (position == span.Length)
        {
            return false;
        }

        if (span[position] != (byte)'\n')
        {
            throw new InvalidDataException("RELP frame does not end with LF");
        }

        _start += position + 1;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        frame = new RelpFrame((int)txnr, command, data);
        return true;
    }

    /// <summary>Decimal digits up to the next space or LF; false when the buffer ends first.</summary>
    private static bool TryNumber(ReadOnlySpan<byte> span, ref int position, int maxDigits, string what, out long value)
    {
        value = 0;
        var start = position;
        while (position < span.Length && char.IsAsciiDigit((char)span[position]))
        {
            if (position - start >= maxDigits)
            {
                throw new InvalidDataException($"RELP {what} has more than {maxDigits} digits");
            }

            value = value * 10 + (span[position] - '0');
            position++;
        }

        if (position == span.Length)
        {
            return false;
        }

        if (position == start || span[position] is not ((byte)' ' or (byte)'\n'))
        {
            throw new InvalidDataException($"RELP {what} is not a number");
        }

        return true;
    }

    private static bool TrySpace(ReadOnlySpan<byte> span, ref int position)
    {
        if (position == span.Length)
        {
            return false;
        }

        if (span[position] != (byte)' ')
        {
            throw new InvalidDataException("RELP frame field is not followed by a space");
        }

        position++;
        return true;
    }
}
