namespace BuildSentry.Linux.Processes;

/// <summary>The fields of /proc/PID/stat the sensor needs: identity (start time), lineage and name.</summary>
public readonly record struct ProcStat(int Ppid, ulong StartTime, string Comm)
{
    private const int PpidField = 1;
    private const int StartTimeField = 19;

    /// <summary>
    /// Parses a stat line. The comm field is the process's own choice of bytes and may hold spaces and
    /// ')', so the fields are counted from the LAST ')'; after it, field 3 (state) is index 0.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out ProcStat stat)
    {
        stat = default;
        var open = line.IndexOf((byte)'(');
        var close = line.LastIndexOf((byte)')');
        if (open < 0 || close < open || close + 2 > line.Length)
        {
            return false;
        }

        var comm = ProcText.Visible(line[(open + 1)..close]);
        var rest = line[(close + 2)..];
        int ppid = 0;
        for (var field = 0; field <= StartTimeField; field++)
        {
            var end = rest.IndexOf((byte)' ');
            var token = end < 0 ? rest : rest[..end];
            if (field == PpidField && !int.TryParse(token, out ppid))
            {
                return false;
            }

            if (field == StartTimeField)
            {
                token = token.TrimEnd((byte)'\n');
                if (!ulong.TryParse(token, out var start))
                {
                    return false;
                }

                stat = new ProcStat(ppid, start, comm);
                return true;
            }

            if (end < 0)
            {
                return false;
            }

            rest = rest[(end + 1)..];
        }

        return false;
    }
}
