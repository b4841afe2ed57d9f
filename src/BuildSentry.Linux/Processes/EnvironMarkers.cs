using System.Collections.Frozen;
using BuildSentry.Core.Jobs;

namespace BuildSentry.Linux.Processes;

/// <summary>
/// Picks the CI job markers out of /proc/PID/environ bytes. Keys are compared without turning any
/// entry into a string; only the values of <see cref="JobMarkers.Keys"/> are ever decoded.
/// </summary>
internal static class EnvironMarkers
{
    private static readonly int MaxKeyLength = JobMarkers.Keys.Max(k => k.Length);
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        JobMarkers.Keys.GetAlternateLookup<ReadOnlySpan<char>>();

    public static IReadOnlyDictionary<string, string> Parse(ReadOnlySpan<byte> environ)
    {
        Dictionary<string, string>? markers = null;
        Span<char> key = stackalloc char[MaxKeyLength];
        while (!environ.IsEmpty)
        {
            var end = environ.IndexOf((byte)0);
            var entry = end < 0 ? environ : environ[..end];
            environ = end < 0 ? default : environ[(end + 1)..];

            var equals = entry.IndexOf((byte)'=');
            if (equals <= 0 || equals > MaxKeyLength || !TryAscii(entry[..equals], key, out var keyChars)
                || !Lookup.TryGetValue(keyChars, out var name))
            {
                continue;
            }

            markers ??= new Dictionary<string, string>(StringComparer.Ordinal);
            markers.TryAdd(name, Value(entry[(equals + 1)..]));
        }

        return markers ?? (IReadOnlyDictionary<string, string>)FrozenDictionary<string, string>.Empty;
    }

    private static bool TryAscii(ReadOnlySpan<byte> bytes, Span<char> chars, out ReadOnlySpan<char> result)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] >= 0x80)
            {
                result = default;
                return false;
            }

            chars[i] = (char)bytes[i];
        }

        result = chars[..bytes.Length];
        return true;
    }

    private static string Value(ReadOnlySpan<byte> bytes)
    {
        var value = ProcText.Decode(bytes.Length > JobMarkers.MaxValueLength ? bytes[..JobMarkers.MaxValueLength] : bytes);
        return value.Length > JobMarkers.MaxValueLength ? value[..JobMarkers.MaxValueLength] : value;
    }
}
