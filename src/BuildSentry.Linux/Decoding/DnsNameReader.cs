using System.Runtime.CompilerServices;

namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Reads (possibly compressed) domain names. Loop protection is strict: every compression pointer
/// must point before the start of the run of labels it ends, so the positions visited strictly
/// decrease and no pointer cycle can exist; hops, label length (63) and wire length (255) are
/// bounded as well.
/// </summary>
internal static class DnsNameReader
{
    public const int MaxPointerHops = 32;
    private const int MaxLabelLength = 63;
    private const int MaxWireLength = 255;

    /// <summary>Reads the name at <paramref name="offset"/>; <paramref name="end"/> is the offset just after it in place.</summary>
    [SkipLocalsInit]
    public static bool TryRead(ReadOnlySpan<byte> message, int offset, out string name, out int end)
    {
        name = string.Empty;
        end = -1;
        Span<char> text = stackalloc char[HostNameText.MaxEscapedChars];
        var written = 0;
        var wireLength = 1;
        var hops = 0;
        var position = offset;
        var runStart = offset;
        while (true)
        {
            if ((uint)position >= (uint)message.Length)
            {
                return false;
            }

            var length = message[position];
            switch (length & 0xC0)
            {
                case 0x00 when length == 0:
                    if (end < 0)
                    {
                        end = position + 1;
                    }

                    name = written == 0 ? "." : new string(text[..written]);
                    return true;
                case 0x00:
                    wireLength += length + 1;
                    if (wireLength > MaxWireLength || position + 1 + length > message.Length)
                    {
                        return false;
                    }

                    if (written > 0)
                    {
                        text[written++] = '.';
                    }

                    foreach (var b in message.Slice(position + 1, length))
                    {
                        written += b == (byte)'.' ? WriteEscapedDot(text[written..]) : HostNameText.Append(b, text[written..]);
                    }

                    position += 1 + length;
                    break;
                case 0xC0:
                    if (position + 1 >= message.Length || ++hops > MaxPointerHops)
                    {
                        return false;
                    }

                    var target = ((length & 0x3F) << 8) | message[position + 1];
                    if (target >= runStart)
                    {
                        return false;
                    }

                    if (end < 0)
                    {
                        end = position + 2;
                    }

                    position = runStart = target;
                    break;
                default:
                    // 0x40 and 0x80 are extended and reserved label types (RFC 6891): nothing valid uses them.
                    return false;
            }
        }
    }

    /// <summary>Finds where the name at <paramref name="offset"/> ends without following pointers or building text.</summary>
    public static bool TrySkip(ReadOnlySpan<byte> message, int offset, out int end)
    {
        end = -1;
        var position = offset;
        var wireLength = 1;
        while ((uint)position < (uint)message.Length)
        {
            var length = message[position];
            if (length == 0)
            {
                end = position + 1;
                return true;
            }

            if ((length & 0xC0) == 0xC0)
            {
                end = position + 2;
                return end <= message.Length;
            }

            wireLength += length + 1;
            if (length > MaxLabelLength || wireLength > MaxWireLength)
            {
                return false;
            }

            position += 1 + length;
        }

        return false;
    }

    private static int WriteEscapedDot(Span<char> destination)
    {
        destination[0] = '\\';
        destination[1] = '.';
        return 2;
    }
}
