using System.Text;

namespace BuildSentry.Linux.Processes;

internal static class ProcText
{
    /// <summary>Bytes from /proc are whatever the process wrote; invalid UTF-8 becomes U+FFFD.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);
}
