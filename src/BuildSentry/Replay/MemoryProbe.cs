namespace BuildSentry.Replay;

/// <summary>Samples the managed heap and the process's resident set, keeping the peaks.</summary>
internal sealed class MemoryProbe
{
    public long LastManaged { get; private set; }

    public long LastRss { get; private set; }

    public long PeakManaged { get; private set; }

    /// <summary>The kernel's high-water mark (VmHWM), so peaks between samples count too.</summary>
    public long PeakRss { get; private set; }

    public static long Megabytes(long bytes) => bytes / (1024 * 1024);

    public void Sample()
    {
        LastManaged = GC.GetTotalMemory(forceFullCollection: false);
        PeakManaged = Math.Max(PeakManaged, LastManaged);
        var (rss, hwm) = ReadStatus();
        LastRss = rss;
        PeakRss = Math.Max(PeakRss, hwm);
    }

    private static (long Rss, long Hwm) ReadStatus()
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line) * 1024;
            }
        }

        return (rss, hwm);
    }

    private static long Kilobytes(string line) =>
        long.TryParse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), out var kb) ? kb : 0;
}
