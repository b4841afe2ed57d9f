namespace BuildSentry.Linux.Processes;

/// <summary>Reads the effective uid and gid from /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs").</summary>
internal static class StatusParser
{
    public static (int Uid, int Gid) Parse(ReadOnlySpan<byte> status)
    {
        int uid = -1, gid = -1;
        while (!status.IsEmpty)
        {
            var end = status.IndexOf((byte)'\n');
            var line = end < 0 ? status : status[..end];
            if (line.StartsWith("Uid:"u8))
            {
                uid = Effective(line[4..]);
            }
            else if (line.StartsWith("Gid:"u8))
            {
                gid = Effective(line[4..]);
                break;
            }

            status = end < 0 ? default : status[(end + 1)..];
        }

        return (uid, gid);
    }

    private static int Effective(ReadOnlySpan<byte> ids)
    {
        ids = ids.TrimStart((byte)'\t');
        var first = ids.IndexOf((byte)'\t');
        if (first < 0)
        {
            return -1;
        }

        ids = ids[(first + 1)..];
        var second = ids.IndexOf((byte)'\t');
        return int.TryParse(second < 0 ? ids : ids[..second], out var id) ? id : -1;
    }
}
