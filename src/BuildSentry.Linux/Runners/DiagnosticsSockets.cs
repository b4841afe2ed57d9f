using System.Globalization;

namespace BuildSentry.Linux.Runners;

/// <summary>
/// Finds the server ends of connections to .NET diagnostics ports in /proc/net/unix. An accepted
/// socket carries the listener's path (<c>$TMPDIR/dotnet-diagnostic-PID-KEY-socket</c>), so a
/// connected socket with that path is one client session with process PID.
/// </summary>
internal static class DiagnosticsSockets
{
    private const string Prefix = "dotnet-diagnostic-";

    /// <summary>(server-end inode, pid of the port's owner) for every connected session, from the text of /proc/net/unix.</summary>
    public static List<(uint Inode, int OwnerPid)> Parse(string table) =>
        [.. Attribution.UnixSocketTable.ConnectedSockets(table, path => path.Contains(Prefix, StringComparison.Ordinal))
            .Select(s => (s.Inode, Pid: OwnerPid(s.Path)))
            .Where(s => s.Pid is not null)
            .Select(s => (s.Inode, s.Pid!.Value))];

    /// <summary>PID from <c>.../dotnet-diagnostic-PID-KEY-socket</c>; null for any other name.</summary>
    internal static int? OwnerPid(ReadOnlySpan<char> path)
    {
        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith("-socket", StringComparison.Ordinal))
        {
            return null;
        }

        var middle = name[Prefix.Length..^"-socket".Length];
        var dash = middle.IndexOf('-');
        return dash > 0
            && int.TryParse(middle[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
            && ulong.TryParse(middle[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? pid
            : null;
    }
}
