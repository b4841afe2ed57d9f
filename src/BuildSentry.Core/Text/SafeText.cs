using System.Buffers;
using System.Text;

namespace BuildSentry.Core.Text;

/// <summary>
/// Turns attacker-controlled bytes and strings (argv, process names, host names) into text that
/// holds no control character and no invalid UTF-8: those become <c>\xNN</c> (<c>\u{NNNN}</c> for C1
/// controls and lone surrogates), and a backslash becomes <c>\\</c> so an escape cannot be faked.
/// The result is safe in any log line before the line's own format escapes its own specials.
/// </summary>
public static class SafeText
{
    public static string FromUtf8(ReadOnlySpan<byte> bytes)
    {
        if (IsPlain(bytes))
        {
            return Encoding.ASCII.GetString(bytes);
        }

        var builder = new StringBuilder(bytes.Length + 16);
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status == OperationStatus.Done)
            {
                AppendRune(builder, rune);
            }
            else
            {
                for (var i = 0; i < consumed; i++)
                {
                    builder.Append($"\\x{bytes[i]:x2}");
                }
            }

            bytes = bytes[consumed..];
        }

        return builder.ToString();
    }

    public static string Escape(string text)
    {
        if (IsPlain(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var consumed) == OperationStatus.Done)
            {
                AppendRune(builder, rune);
            }
            else
            {
                builder.Append($"\\u{{{(int)span[0]:x4}}}");
                consumed = 1;
            }

            span = span[consumed..];
        }

        return builder.ToString();
    }

    /// <summary>Cuts to at most <paramref name="max"/> UTF-16 units without splitting a pair, marking the cut.</summary>
    public static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        const string marker = "...[truncated]";
        var keep = Math.Max(0, max - marker.Length);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), marker);
    }

    private static void AppendRune(StringBuilder builder, Rune rune)
    {
        var value = rune.Value;
        if (value == '\\')
        {
            builder.Append(@"\\");
        }
        else if (value < 0x20 || value == 0x7f)
        {
            builder.Append($"\\x{value:x2}");
        }
        else if (value is >= 0x80 and < 0xa0 || value is 0x2028 or 0x2029 || value is >= 0x202a and <= 0x202e || value is >= 0x2066 and <= 0x2069)
        {
            // C1 controls, Unicode line separators and bidi overrides: invisible but able to rewrite a line.
            builder.Append($"\\u{{{value:x4}}}");
        }
        else
        {
            builder.Append(rune.ToString());
        }
    }

    private static bool IsPlain(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b < 0x20 || b >= 0x7f || b == '\\')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 || c >= 0x7f || c == '\\')
            {
                return false;
            }
        }

        return true;
    }
}
