using System.Runtime.CompilerServices;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Turns host name bytes read off the wire into the text the rest of BuildSentry compares and
/// logs: ASCII lowercased, and every byte that is not printable ASCII written as <c>\ddd</c>
/// (decimal, as in DNS presentation format), so a hostile name can never put a control character,
/// a space or a non-ASCII byte into a log line or a profile match.
/// </summary>
internal static class HostNameText
{
    /// <summary>Longest host name accepted from SNI or a Host header; DNS names are shorter still.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Worst case: every byte escaped as four characters.</summary>
    public const int MaxEscapedChars = MaxNameBytes * 4;

    /// <summary>Normalises a name of at most <see cref="MaxNameBytes"/> bytes.</summary>
    [SkipLocalsInit]
    public static string Normalize(ReadOnlySpan<byte> name)
    {
        if (name.Length > MaxNameBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(name), name.Length, "Host names are at most 255 bytes.");
        }

        Span<char> text = stackalloc char[name.Length * 4];
        var written = 0;
        foreach (var b in name)
        {
            written += Append(b, text[written..]);
        }

        return new string(text[..written]);
    }

    /// <summary>
    /// Normalises a host name from SNI or a Host header, dropping one trailing dot so that
    /// <c>example.com.</c> and <c>example.com</c> compare equal, as they do in DNS.
    /// </summary>
    public static string NormalizeHost(ReadOnlySpan<byte> name) =>
        Normalize(name.Length > 1 && name[^1] == (byte)'.' ? name[..^1] : name);

    /// <summary>Writes one byte in normalised form; <paramref name="destination"/> needs room for 4 chars.</summary>
    public static int Append(byte b, Span<char> destination)
    {
        if (b is >= (byte)'A' and <= (byte)'Z')
        {
            destination[0] = (char)(b | 0x20);
            return 1;
        }

        if (b == (byte)'\\')
        {
            destination[0] = '\\';
            destination[1] = '\\';
            return 2;
        }

        if (b is > 0x20 and < 0x7F)
        {
            destination[0] = (char)b;
            return 1;
        }

        destination[0] = '\\';
        destination[1] = (char)('0' + (b / 100));
        destination[2] = (char)('0' + (b / 10 % 10));
        destination[3] = (char)('0' + (b % 10));
        return 4;
    }
}
