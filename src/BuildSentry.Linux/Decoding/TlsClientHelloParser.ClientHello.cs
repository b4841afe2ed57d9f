namespace BuildSentry.Linux.Decoding;

internal static partial class TlsClientHelloParser
{
    private const int RandomLength = 32;
    private const int MaxSessionIdLength = 32;
    private const ushort ServerNameExtension = 0;
    private const byte HostNameType = 0;

    /// <summary>Reads a ClientHello body (RFC 8446 section 4.1.2), checking every length on the way to the SNI.</summary>
    private static SniffResult ReadClientHello(ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        if (!reader.TryReadByte(out var major) || major != 3 || !reader.TrySkip(1 + RandomLength)
            || !reader.TryReadByte(out var sessionIdLength) || sessionIdLength > MaxSessionIdLength
            || !reader.TrySkip(sessionIdLength)
            || !reader.TryReadUInt16(out var suitesLength) || suitesLength < 2 || suitesLength % 2 != 0
            || !reader.TrySkip(suitesLength)
            || !reader.TryReadByte(out var compressionLength) || compressionLength < 1
            || !reader.TrySkip(compressionLength))
        {
            return SniffResult.Malformed;
        }

        if (reader.Remaining == 0)
        {
            return SniffResult.NotFound;
        }

        if (!reader.TryReadUInt16(out var extensionsLength) || extensionsLength != reader.Remaining)
        {
            return SniffResult.Malformed;
        }

        string? host = null;
        var sawServerName = false;
        while (reader.Remaining > 0)
        {
            if (!reader.TryReadUInt16(out var type) || !reader.TryReadUInt16(out var length)
                || !reader.TryReadBytes(length, out var data))
            {
                return SniffResult.Malformed;
            }

            if (type != ServerNameExtension)
            {
                continue;
            }

            // RFC 8446 4.2: no extension type may appear twice.
            if (sawServerName || !TryReadServerName(data, out host))
            {
                return SniffResult.Malformed;
            }

            sawServerName = true;
        }

        return host is null ? SniffResult.NotFound : SniffResult.Found(host);
    }

    /// <summary>
    /// Reads a ServerNameList. Names of unknown types are skipped, as RFC 6066 asks; the first
    /// host_name wins. An empty extension (a server's acknowledgement) yields no name.
    /// </summary>
    private static bool TryReadServerName(ReadOnlySpan<byte> extension, out string? host)
    {
        host = null;
        var reader = new WireReader(extension);
        if (extension.IsEmpty)
        {
            return true;
        }

        if (!reader.TryReadUInt16(out var listLength) || listLength != reader.Remaining || listLength == 0)
        {
            return false;
        }

        while (reader.Remaining > 0)
        {
            if (!reader.TryReadByte(out var nameType) || !reader.TryReadUInt16(out var nameLength)
                || !reader.TryReadBytes(nameLength, out var name))
            {
                return false;
            }

            if (nameType != HostNameType || host is not null)
            {
                continue;
            }

            if (name.IsEmpty || name.Length > HostNameText.MaxNameBytes)
            {
                return false;
            }

            host = HostNameText.NormalizeHost(name);
        }

        return true;
    }
}
