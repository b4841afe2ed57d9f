using System.Text.Unicode;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// An open /proc/PID directory, so that reading several of its files walks "/proc/PID" once (its pid
/// lookup and revalidation) and then looks each file up relative to it. The fd is bound
/// to the process it was opened for, not to the pid number: once that process is reaped, lookups and reads
/// under it fail with ESRCH, even after the pid is reused. So every read through one instance is of the
/// same process, or fails; never of another process. A process that is gone before <see cref="Open"/>
/// gives a closed instance, whose reads fail without a syscall. Dispose exactly once (not a copy as well).
/// </summary>
internal readonly unsafe struct ProcDirectory : IDisposable
{
    private const int MaxLeaf = 64;

    private readonly int _fd;
    private readonly bool _open;

    private ProcDirectory(int fd)
    {
        _fd = fd;
        _open = fd >= 0;
    }

    public bool IsOpen => _open;

    public static ProcDirectory Open(string root, int pid) => new(ProcFile.OpenDirectory(root, pid));

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes of a file; -1 when it cannot be opened or read.</summary>
    public int Read(string leaf, Span<byte> buffer)
    {
        Span<byte> path = stackalloc byte[MaxLeaf];
        return _open && TryFormat(path, leaf) ? ProcFile.ReadAt(_fd, path, buffer) : -1;
    }

    /// <summary>The target of a link (exe, cwd), or null when it cannot be read.</summary>
    public string? ReadLink(string leaf)
    {
        Span<byte> path = stackalloc byte[MaxLeaf];
        return _open && TryFormat(path, leaf) ? ProcFile.ReadLinkAt(_fd, path) : null;
    }

    /// <summary>
    /// The process's effective uid and gid, the Uid and Gid lines of its status at a fraction of the cost:
    /// the kernel owns the directory itself by them even when the process is not dumpable (unlike the files
    /// in it, then owned by root). A reaped process's directory is owned by root, so this is the process's
    /// only when a read through this directory afterwards shows that it was still there. An id above
    /// int.MaxValue reads as -1 (unknown), as it did from status.
    /// </summary>
    public bool TryGetOwner(out int uid, out int gid)
    {
        stat st;
        if (!_open || fstat(_fd, &st) != 0)
        {
            (uid, gid) = (-1, -1);
            return false;
        }

        (uid, gid) = (Id(st.st_uid), Id(st.st_gid));
        return true;
    }

    /// <summary>Which file a link in the directory leads to (exe: the file the process runs), by device and inode.</summary>
    public bool TryGetFileId(string leaf, out (ulong Device, ulong Inode) id)
    {
        Span<byte> path = stackalloc byte[MaxLeaf];
        stat st = default;
        int result = -1;
        if (_open && TryFormat(path, leaf))
        {
            fixed (byte* p = path)
            {
                result = fstatat(_fd, p, &st, 0);
            }
        }

        id = result == 0 ? ((ulong)st.st_dev, (ulong)st.st_ino) : default;
        return result == 0;
    }

    public void Dispose()
    {
        if (_open)
        {
            close(_fd);
        }
    }

    private static int Id(uint id) => id <= int.MaxValue ? (int)id : -1;

    private static bool TryFormat(Span<byte> path, string leaf) => Utf8.TryWrite(path, $"{leaf}\0", out _);
}
