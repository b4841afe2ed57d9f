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
    private const string Connected = "03";

    /// <summary>(server-end inode, pid of the port's owner) for every connected session, from the text of /proc/net/unix.</summary>
    public static List<(uint Inode, int OwnerPid)> Parse(string table)
    {
        var sessions = new List<(uint, int)>();
        Span<Range> fields = stackalloc Range[8];
        foreach (var line in table.AsSpan().EnumerateLines())
        {
            if (line.IndexOf(Prefix, StringComparison.Ordinal) < 0)
            {
                continue;
            }

            // Num RefCount Protocol Flags Type St Inode Path
            var count = line.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
            if (count < 8 || !line[fields[5]].SequenceEqual(Connected)
                || !uint.TryParse(line[fields[6]], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                || OwnerPid(line[fields[7]]) is not { } pid)
            {
                continue;
            }

            sessions.Add((inode, pid));
        }

        return sessions;
    }

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
