using System.Globalization;

namespace BuildSentry.Linux.Tests.Support;

/// <summary>How the kernel schedules a thread: its nice value (stat field 19) and its slice (se.slice in its sched file).</summary>
internal static class Scheduling
{
    /// <summary>Field 19 of a stat line: the nice value.</summary>
    private const int NiceField = 19;

    public static int NiceOfThread(int tid) => int.Parse(StatFields.OfThread(tid)[NiceField - 3], CultureInfo.InvariantCulture);

    public static int NiceOfProcess(int pid) => int.Parse(StatFields.OfProcess(pid)[NiceField - 3], CultureInfo.InvariantCulture);

    public static ulong SliceOfThread(int tid) => SliceIn($"/proc/self/task/{tid}/sched");

    public static ulong SliceOfProcess(int pid) => SliceIn($"/proc/{pid}/sched");

    /// <summary>The threads of this test process whose name (comm, the kernel's first 15 characters) starts the given one.</summary>
    public static IReadOnlyList<int> ThreadsNamed(string name) =>
        Directory.EnumerateDirectories("/proc/self/task")
            .Select(d => (Tid: int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture), Comm: TryRead(Path.Combine(d, "comm"))))
            .Where(t => t.Comm is { } comm && comm.Length > 0 && name.StartsWith(comm.TrimEnd('\n'), StringComparison.Ordinal))
            .Select(t => t.Tid).ToList();

    private static ulong SliceIn(string path)
    {
        var line = File.ReadLines(path).Single(l => l.StartsWith("se.slice", StringComparison.Ordinal));
        return ulong.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null; // the thread ended meanwhile
        }
    }
}
