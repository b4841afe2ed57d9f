using BuildSentry.Core.Jobs;

namespace BuildSentry.Linux.Cgroups;

/// <summary>
/// One cgroup v2 directory per job under &lt;mount&gt;/buildsentry. A process moved in takes every later
/// fork with it, so the job can be killed or frozen whole, race-free, without walking a process tree.
/// </summary>
public sealed partial class JobCgroups(string? mount)
{
    public const string Parent = "buildsentry";

    public static JobCgroups Detect() => new(CgroupMount.FindV2());

    public bool IsAvailable => mount is not null && Directory.Exists(mount);

    /// <summary>The cgroup v2 mount point, or null.</summary>
    public string? Mount => mount;

    /// <summary>Creates the job's cgroup under &lt;mount&gt;/buildsentry, or under <paramref name="slot"/> (a directory
    /// below it that already carries the job's kernel attribution rule, see <c>KernelJobTags</c>).</summary>
    public CgroupResult Create(string jobId, string? slot = null)
    {
        if (!IsAvailable)
        {
            return Unavailable();
        }

        if (jobId.Length is 0 or > JobIds.MaxLength || jobId is "." or ".."
            || jobId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            return new CgroupResult(CgroupStatus.Failed, Error: $"'{jobId}' is not a job id (see JobIds.Create).");
        }

        var path = Path.Combine(slot ?? Path.Combine(mount!, Parent), jobId);
        return Try(path, () => Directory.CreateDirectory(path));
    }

    public static CgroupResult CreateDirectory(string path) => Try(path, () => Directory.CreateDirectory(path));

    /// <summary>Moves one process (all its threads) into the job's cgroup; its later children are born there.</summary>
    public static CgroupResult MoveProcess(string path, int pid) =>
        Try(path, () => File.WriteAllText(Path.Combine(path, "cgroup.procs"), pid.ToString()));

    /// <summary>The pids in the cgroup's <c>cgroup.procs</c> (empty when it cannot be read). The capture thread
    /// asks for every flow a job's cgroup sent: read into a pooled buffer, not through a StreamReader.</summary>
    public static IReadOnlyList<int> Processes(string path) =>
        Interop.ProcFile.ReadAll(Path.Combine(path, "cgroup.procs"), ParsePids, []);

    /// <summary>One decimal pid per line; anything else on a line (never written by the kernel) is skipped.</summary>
    internal static List<int> ParsePids(ReadOnlySpan<byte> text)
    {
        var pids = new List<int>();
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..end];
            if (System.Buffers.Text.Utf8Parser.TryParse(line, out int pid, out var used) && used == line.Length && pid > 0)
            {
                pids.Add(pid);
            }

            text = end < 0 ? default : text[(end + 1)..];
        }

        return pids;
    }

    public static CgroupResult Freeze(string path, bool frozen = true) =>
        File.Exists(Path.Combine(path, "cgroup.freeze"))
            ? Try(path, () => File.WriteAllText(Path.Combine(path, "cgroup.freeze"), frozen ? "1" : "0"))
            : new CgroupResult(CgroupStatus.Unavailable, path, "cgroup.freeze needs Linux 5.2 or later.");

    /// <summary>Removes the job's cgroup once it is empty (rmdir fails while a process is inside).</summary>
    public static CgroupResult Remove(string path) => Try(path, () => Directory.Delete(path));

    private CgroupResult Unavailable() =>
        new(CgroupStatus.Unavailable, Error: mount is null ? "no cgroup v2 mount in /proc/mounts" : $"{mount} is missing");

    private static CgroupResult Try(string path, Action action)
    {
        try
        {
            action();
            return new CgroupResult(CgroupStatus.Ok, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CgroupResult(CgroupStatus.Failed, path, e.Message);
        }
    }
}
