namespace BuildSentry.Linux.Decoding;

/// <summary>
/// Finds the Host header (RFC 9112 section 3.2) in the head of an HTTP/1.x request. Data that does
/// not start with a known method and a space is rejected on its first bytes, so TLS and other
/// binary streams cost almost nothing. The answer comes as soon as the Host line is complete: a
/// client that never finishes its header block has still sent its request line.
/// </summary>
internal static class HttpHostParser
{
    /// <summary>Bound for the reassembled request head.</summary>
    public const int MaxHeadBytes = 16 * 1024;

    private static readonly byte[][] Methods =
        [.. new[] { "GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE" }
            .Select(m => System.Text.Encoding.ASCII.GetBytes(m + " "))];

    public static SniffResult Parse(ReadOnlySpan<byte> data)
    {
        var method = MatchMethod(data);
        if (method != SniffStatus.Found)
        {
            return new SniffResult(method, null);
        }

        var lineEnd = data.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return SniffResult.NeedMore;
        }

        if (!IsHttp1RequestLine(TrimCr(data[..lineEnd])))
        {
            return SniffResult.NotThisProtocol;
        }

        var rest = data[(lineEnd + 1)..];
        while (true)
        {
            lineEnd = rest.IndexOf((byte)'\n');
            if (lineEnd < 0)
            {
                return SniffResult.NeedMore;
            }

            var line = TrimCr(rest[..lineEnd]);
            rest = rest[(lineEnd + 1)..];
            if (line.IsEmpty)
            {
                return SniffResult.NotFound;
            }

            var colon = line.IndexOf((byte)':');
            // No colon, or whitespace in the name or a folded line (RFC 9112 5.1, 5.2): not a header a server accepts.
            if (colon <= 0 || line[..colon].IndexOfAny((byte)' ', (byte)'\t') >= 0)
            {
                return SniffResult.Malformed;
            }

            if (colon == 4 && System.Text.Ascii.EqualsIgnoreCase(line[..4], "host"u8))
            {
                return ReadHost(line[(colon + 1)..].Trim(" \t"u8));
            }
        }
    }

    private static SniffStatus MatchMethod(ReadOnlySpan<byte> data)
    {
        foreach (var method in Methods)
        {
            if (data.StartsWith(method))
            {
                return SniffStatus.Found;
            }

            if (data.Length < method.Length && method.AsSpan().StartsWith(data))
            {
                return SniffStatus.NeedMore;
            }
        }

        return SniffStatus.NotThisProtocol;
    }

    private static bool IsHttp1RequestLine(ReadOnlySpan<byte> line) =>
        line.EndsWith(" HTTP/1.1"u8) || line.EndsWith(" HTTP/1.0"u8);

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private static SniffResult ReadHost(ReadOnlySpan<byte> value)
    {
        if (value.Length > 0 && value[0] == (byte)'[')
        {
            var close = value.IndexOf((byte)']');
            if (close < 0 || !IsPortSuffix(value[(close + 1)..]))
            {
                return SniffResult.Malformed;
            }

            value = value[1..close];
        }
        else
        {
            var colon = value.LastIndexOf((byte)':');
            if (colon >= 0 && value[..colon].IndexOf((byte)':') < 0)
            {
                if (!IsPortSuffix(value[colon..]))
                {
                    return SniffResult.Malformed;
                }

                value = value[..colon];
            }
        }

        if (value.IsEmpty)
        {
            return SniffResult.NotFound;
        }

        return value.Length > HostNameText.MaxNameBytes ? SniffResult.Malformed : SniffResult.Found(HostNameText.NormalizeHost(value));
    }

    /// <summary>Empty, or a colon and at most five digits.</summary>
    private static bool IsPortSuffix(ReadOnlySpan<byte> suffix) =>
        suffix.IsEmpty || (suffix[0] == (byte)':' && suffix.Length <= 6 && !suffix[1..].ContainsAnyExceptInRange((byte)'0', (byte)'9'));
}
