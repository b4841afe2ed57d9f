using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Processes;

public sealed partial class ProcFs
{
    /// <summary>
    /// What only /proc tells about a process whose program and arguments are already known (the kernel sensor has
    /// them from the exec itself): its working directory, the file its program resolved to (exe) and its job markers.
    /// Empty when the process is gone or its pid now names another process (<paramref name="expectedStartTime"/>
    /// differs). A process that exec'd again before this read shows the later program's file.
    /// </summary>
    public (string Cwd, string Exe, IReadOnlyDictionary<string, string> JobMarkers) ReadContext(int pid, ulong expectedStartTime, bool markers)
    {
        using var dir = ProcDirectory.Open(Root, pid);
        var cwd = dir.ReadLink("cwd");
        var exe = dir.ReadLink("exe");
        var found = markers ? ReadJobMarkers(dir) : NoMarkers;
        // Read through the same directory after the others: a stat that still matches proves they were this process's.
        if (!TryReadStat(dir, out var stat) || stat.StartTime != expectedStartTime)
        {
            return ("", "", NoMarkers);
        }

        return (cwd ?? "", exe ?? "", found);
    }
}
