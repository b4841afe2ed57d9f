using System.Text;
using BuildSentry.Core.Text;

namespace BuildSentry.Linux.Processes;

internal static class ProcText
{
    /// <summary>For values compared with known strings (markers, cgroup paths): invalid UTF-8 becomes U+FFFD.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);

    /// <summary>
    /// For what a process chose to call itself (argv, comm), which ends up in alerts and reports:
    /// each invalid UTF-8 byte and control character becomes a visible <c>\xNN</c> escape rather than
    /// U+FFFD, so the SOC sees exactly which bytes were there. Formats escape their own specials on top,
    /// so a backslash from the process appears doubled in a record.
    /// </summary>
    public static string Visible(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : SafeText.FromUtf8(bytes);
}
