using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Processes;

public sealed partial class ProcFs
{
    // The kernel cuts a task's comm to 15 bytes.
    private const int CommLength = 15;

    // Where a bare argv[0] is looked for: the process's own PATH is in its environment, which is never read beyond the
    // job markers. A directory that does not hold the very file the process runs proves nothing and is passed over.
    private static readonly string[] SystemPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>
    /// The path the exec named, where the proc connector has only the file it resolved to (/proc/PID/exe): argv[0],
    /// taken only when it agrees with what the kernel recorded and cannot be chosen to lie. Its file name must be the
    /// process's comm (which the kernel sets from the executed path) and the path must lead to the very file the process
    /// runs (same device and inode). A caller can set argv[0] to anything, so it is otherwise ignored; what it can
    /// name this way is only another link, of the same name, to the same program. Null when nothing is proven or the
    /// path is the exe itself. Costs nothing when the exe's own name is the comm (no link renamed the program).
    /// </summary>
    internal static string? ExecutedPath(in ProcDirectory dir, string exe, IReadOnlyList<string> argv, string cwd, string comm)
    {
        if (exe.Length == 0 || argv.Count == 0 || argv[0].Length == 0 || comm.Length == 0 || IsCommOf(Path.GetFileName(exe), comm))
        {
            return null;
        }

        var argv0 = argv[0];
        if (!IsCommOf(Path.GetFileName(argv0), comm) || !dir.TryGetFileId("exe", out var running))
        {
            return null;
        }

        if (argv0.Contains('/', StringComparison.Ordinal))
        {
            var path = argv0.StartsWith('/') ? argv0 : cwd.StartsWith('/') ? Path.GetFullPath(argv0, cwd) : null;
            return path is not null && path != exe && IsFile(path, running) ? path : null;
        }

        foreach (var directory in SystemPath)
        {
            var path = directory + "/" + argv0;
            if (path != exe && IsFile(path, running))
            {
                return path;
            }
        }

        return null;
    }

    private static bool IsCommOf(string name, string comm) =>
        string.Equals(name.Length > CommLength ? name[..CommLength] : name, comm, StringComparison.Ordinal);

    private static bool IsFile(string path, (ulong Device, ulong Inode) running) =>
        ProcFile.TryGetFileId(path, out var id) && id == running;
}
