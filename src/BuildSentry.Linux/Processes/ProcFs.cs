using System.Buffers;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Processes;

/// <summary>
/// Reads processes from /proc. Any process may exit between two reads (the exec race): every method
/// returns what it could read, or <see cref="ProcessDetails.Unknown"/>, and never throws for a vanished pid.
/// Safe to use from several threads.
/// </summary>
public sealed partial class ProcFs(string root = "/proc")
{
    /// <summary>Bound on /proc/PID/environ: job markers sit among the first variables a runner sets,
    /// and a hostile process could make its environment as large as ARG_MAX.</summary>
    public const int MaxEnvironBytes = 1 << 20;

    private const int StatBytes = 1024;

    public string Root { get; } = root;

    public bool TryReadStat(int pid, out ProcStat stat)
    {
        Span<byte> buffer = stackalloc byte[StatBytes];
        var length = ProcFile.Read(Root, pid, "stat", buffer);
        stat = default;
        return length > 0 && ProcStat.TryParse(buffer[..length], out stat);
    }

    private static bool TryReadStat(in ProcDirectory dir, out ProcStat stat)
    {
        Span<byte> buffer = stackalloc byte[StatBytes];
        var length = dir.Read("stat", buffer);
        stat = default;
        return length > 0 && ProcStat.TryParse(buffer[..length], out stat);
    }

    /// <summary>The state letter of /proc/PID/stat (R, S, D, Z...), read after the last ')' like every field.</summary>
    public bool TryReadState(int pid, out char state)
    {
        Span<byte> buffer = stackalloc byte[StatBytes];
        var length = ProcFile.Read(Root, pid, "stat", buffer);
        var close = length > 0 ? buffer[..length].LastIndexOf((byte)')') : -1;
        state = close >= 0 && close + 2 < length ? (char)buffer[close + 2] : '\0';
        return state != '\0';
    }

    /// <summary>The process's identity, or null when it is gone.</summary>
    public ProcessKey? TryGetKey(int pid) =>
        TryReadStat(pid, out var stat) ? new ProcessKey(pid, stat.StartTime) : null;

    /// <summary>
    /// Reads what a process is. With <paramref name="expectedStartTime"/> non-zero, a pid that now
    /// belongs to another process (reused) reads as <see cref="ProcessDetails.Unknown"/>.
    /// </summary>
    /// <param name="skipMarkers">Given the parent pid, true when the process's markers are not needed.</param>
    public ProcessDetails ReadDetails(int pid, ulong expectedStartTime = 0, Func<int, bool>? skipMarkers = null)
    {
        // Every file is read through one directory fd, which stays bound to the process whose stat is
        // checked here: the start time check then covers all the reads, not only the first. The owner is
        // read first, so that the stat read proves it was the live process's (ProcDirectory.TryGetOwner).
        using var dir = ProcDirectory.Open(Root, pid);
        dir.TryGetOwner(out var uid, out var gid);
        if (!TryReadStat(dir, out var stat) || (expectedStartTime != 0 && stat.StartTime != expectedStartTime))
        {
            return ProcessDetails.Unknown;
        }

        return ReadDetails(dir, stat, (uid, gid), skipMarkers?.Invoke(stat.Ppid) != true);
    }

    internal ProcessDetails ReadDetails(int pid, in ProcStat stat, bool markers = true)
    {
        using var dir = ProcDirectory.Open(Root, pid);
        // The caller's stat was read by path, before the directory was open: only a stat read through it
        // shows that the owner is not the root of a process already reaped.
        var ids = dir.TryGetOwner(out var uid, out var gid) && TryReadStat(dir, out _) ? (uid, gid) : (-1, -1);
        return ReadDetails(dir, stat, ids, markers);
    }

    private static ProcessDetails ReadDetails(in ProcDirectory dir, in ProcStat stat, (int Uid, int Gid) ids, bool markers)
    {
        var exe = dir.ReadLink("exe") ?? "";
        var cwd = dir.ReadLink("cwd") ?? "";
        var argv = ReadArgv(dir);
        return new ProcessDetails(exe, argv, cwd, ids.Uid, ids.Gid, stat.Comm, markers ? ReadJobMarkers(dir) : NoMarkers)
        {
            OtherPath = ExecutedPath(dir, exe, argv, cwd, stat.Comm),
        };
    }

    private static readonly IReadOnlyDictionary<string, string> NoMarkers = new Dictionary<string, string>();

    /// <summary>The program <paramref name="pid"/> runs now, read as <see cref="ReadDetails(int, ulong, Func{int, bool}?)"/>
    /// reads it (so the two compare); null when the process is gone.</summary>
    public string? ReadExe(int pid)
    {
        using var dir = ProcDirectory.Open(Root, pid);
        return dir.ReadLink("exe");
    }

    public IReadOnlyList<string> ReadArgv(int pid)
    {
        using var dir = ProcDirectory.Open(Root, pid);
        return ReadArgv(dir);
    }

    /// <summary>Job markers only (<see cref="Core.Jobs.JobMarkers.Keys"/>). The environment holds the job's
    /// secrets: it is read into a pooled buffer that is wiped before it goes back to the pool.</summary>
    public IReadOnlyDictionary<string, string> ReadJobMarkers(int pid)
    {
        using var dir = ProcDirectory.Open(Root, pid);
        return ReadJobMarkers(dir);
    }

    private static IReadOnlyList<string> ReadArgv(in ProcDirectory dir)
    {
        Span<byte> buffer = stackalloc byte[CmdlineParser.MaxBytes + 1];
        var length = dir.Read("cmdline", buffer);
        return length <= 0 ? [] : CmdlineParser.Parse(buffer[..length]);
    }

    private static IReadOnlyDictionary<string, string> ReadJobMarkers(in ProcDirectory dir)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxEnvironBytes);
        var length = 0;
        try
        {
            length = dir.Read("environ", buffer.AsSpan(0, MaxEnvironBytes));
            return EnvironMarkers.Parse(length <= 0 ? default : buffer.AsSpan(0, length));
        }
        finally
        {
            buffer.AsSpan(0, Math.Max(length, 0)).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
