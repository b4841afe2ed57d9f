using System.Globalization;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// /proc/net/unix of the reader's network namespace. A socket a listener accepted carries the listener's path, so the
/// connected sockets with a server's path are the server ends of its sessions; unix_diag pairs each with its client.
/// </summary>
internal static class UnixSocketTable
{
    private const string Connected = "03";

    /// <summary>(inode, path) of every connected socket whose path <paramref name="accept"/> takes.</summary>
    public static List<(uint Inode, string Path)> ConnectedSockets(string table, Func<string, bool> accept)
    {
        var sessions = new List<(uint, string)>();
        Span<Range> fields = stackalloc Range[8];
        foreach (var line in table.AsSpan().EnumerateLines())
        {
            // Num RefCount Protocol Flags Type St Inode Path
            var count = line.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
            if (count < 8 || !line[fields[5]].SequenceEqual(Connected)
                || !uint.TryParse(line[fields[6]], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }

            var path = line[fields[7]].ToString();
            if (accept(path))
            {
                sessions.Add((inode, path));
            }
        }

        return sessions;
    }
}
