namespace BuildSentry.Linux.Processes;

/// <summary>Splits /proc/PID/cmdline (NUL-separated) into at most <see cref="MaxArgs"/> arguments.</summary>
internal static class CmdlineParser
{
    public const int MaxArgs = 64;
    public const int MaxBytes = 4096;

    /// <summary>The last argument when argv was cut by either bound; an argument cannot hold a NUL, so no
    /// real argv ends with this exact element after a cut.</summary>
    public const string TruncationMarker = "\u2026[argv truncated]";

    /// <param name="data">Up to <see cref="MaxBytes"/> + 1 bytes: one more than the bound shows a cut.</param>
    public static IReadOnlyList<string> Parse(ReadOnlySpan<byte> data)
    {
        var truncated = data.Length > MaxBytes;
        if (truncated)
        {
            data = data[..MaxBytes];
        }
        else if (!data.IsEmpty && data[^1] == 0)
        {
            data = data[..^1];
        }

        if (data.IsEmpty)
        {
            return truncated ? [TruncationMarker] : [];
        }

        var args = new List<string>();
        while (true)
        {
            if (args.Count == MaxArgs)
            {
                truncated = true;
                break;
            }

            var end = data.IndexOf((byte)0);
            args.Add(ProcText.Visible(end < 0 ? data : data[..end]));
            if (end < 0)
            {
                break;
            }

            data = data[(end + 1)..];
        }

        if (truncated)
        {
            args.Add(TruncationMarker);
        }

        return args;
    }
}
