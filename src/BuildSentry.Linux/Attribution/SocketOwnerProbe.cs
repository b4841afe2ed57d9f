using System.Globalization;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// The /proc reads that find and confirm a socket's owner (its fd links, start time, exe, network namespace).
/// They race process exit: each returns null or false when the process is gone.
/// </summary>
internal static class SocketOwnerProbe
{
    // Read into a stack buffer and parsed in place: this runs for every captured SYN, where File.ReadAllText
    // would allocate kilobytes per call (AttributionBenchmarks).
    private static readonly Processes.ProcFs Proc = new();

    /// <summary>Field 22 of /proc/PID/stat.</summary>
    public static ulong? StartTime(int pid) => Proc.TryReadStat(pid, out var stat) ? stat.StartTime : null;

    /// <summary>The program <paramref name="pid"/> runs now (the target of /proc/PID/exe), or null.</summary>
    public static string? Exe(int pid) => Proc.ReadExe(pid);

    public static ulong? NetworkNamespace(int pid) => NetworkNamespaceOf($"/proc/{pid}/ns/net");

    /// <summary>The network namespace a namespace link or a descriptor of one (/proc/self/fd/N) names.</summary>
    public static ulong? NetworkNamespaceOf(string link) => LinkNumber(link, "net:[");

    public static bool HoldsSocket(int pid, int fd, uint inode) =>
        LinkNumber($"/proc/{pid}/fd/{fd}", "socket:[") == inode;

    /// <summary>The descriptor of <paramref name="pid"/> that refers to socket <paramref name="inode"/>.</summary>
    public static int? FindSocket(int pid, uint inode) =>
        Interop.ProcSocketScan.FindSocket("/proc", pid, inode) is >= 0 and var fd ? fd : null;

    /// <summary>
    /// Every pid, newest first: the owner of a socket that was just opened is most likely a process
    /// that was just started, and finding it before it exits is the whole race. Deferred: /proc is
    /// listed only when the job's own pids did not hold the socket, not on every lookup.
    /// </summary>
    public static IEnumerable<int> AllPids()
    {
        var pids = Proc.EnumeratePids().ToList();
        pids.Sort((a, b) => b.CompareTo(a));
        foreach (var pid in pids)
        {
            yield return pid;
        }
    }

    private static ulong? LinkNumber(string path, string prefix)
    {
        var target = ReadLink(path);
        return target is not null && target.StartsWith(prefix, StringComparison.Ordinal) && target.EndsWith(']')
            && ulong.TryParse(target.AsSpan(prefix.Length, target.Length - prefix.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
    }

    private static string? ReadLink(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
