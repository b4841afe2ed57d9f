using System.Text;
using System.Text.Unicode;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// open/read/readlink of /proc/PID/* with the path built on the stack: the sensor reads several
/// files per exec, and a vanished process is the common case, so failures are return values, not exceptions.
/// </summary>
internal static unsafe class ProcFile
{
    private const int MaxPath = 512;
    private const int LinkTargetMax = 4096;

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; -1 when the file cannot be opened or read.</summary>
    public static int Read(string root, int pid, string leaf, Span<byte> buffer)
    {
        Span<byte> path = stackalloc byte[MaxPath];
        return Utf8.TryWrite(path, $"{root}/{pid}/{leaf}\0", out _) ? ReadAt(AT_FDCWD, path, buffer) : -1;
    }

    /// <summary>Reads a whole file of any path (a cgroup's <c>cgroup.procs</c>) into a pooled buffer that grows
    /// until the file fits, and hands the bytes to <paramref name="parse"/>; <paramref name="empty"/> when the file
    /// cannot be opened or read.</summary>
    public static T ReadAll<T>(string path, Func<ReadOnlySpan<byte>, T> parse, T empty, int initialSize = 4096)
    {
        var pathBytes = Encoding.UTF8.GetByteCount(path) + 1;
        var nulTerminated = pathBytes <= MaxPath ? stackalloc byte[MaxPath] : new byte[pathBytes];
        nulTerminated[Encoding.UTF8.GetBytes(path, nulTerminated)] = 0;
        for (var size = initialSize; ; size *= 2)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
            try
            {
                var length = ReadAt(AT_FDCWD, nulTerminated, buffer);
                if (length < 0)
                {
                    return empty;
                }

                // A full buffer may have cut the file: read it again, whole, into a larger one.
                if (length < buffer.Length)
                {
                    return parse(buffer.AsSpan(0, length));
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The target of a /proc/PID link (exe, cwd), or null when it cannot be read.</summary>
    public static string? ReadLink(string root, int pid, string leaf)
    {
        Span<byte> path = stackalloc byte[MaxPath];
        return Utf8.TryWrite(path, $"{root}/{pid}/{leaf}\0", out _) ? ReadLinkAt(AT_FDCWD, path) : null;
    }

    /// <summary>An O_DIRECTORY fd of /proc/PID, or -1 when there is no such process (or root).</summary>
    public static int OpenDirectory(string root, int pid)
    {
        Span<byte> path = stackalloc byte[MaxPath];
        if (!Utf8.TryWrite(path, $"{root}/{pid}\0", out _))
        {
            return -1;
        }

        fixed (byte* p = path)
        {
            return open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        }
    }

    /// <summary>Like <see cref="Read(string, int, string, Span{byte})"/>, for a NUL-terminated path relative
    /// to <paramref name="dirFd"/> (or absolute, with <c>AT_FDCWD</c>).</summary>
    public static int ReadAt(int dirFd, ReadOnlySpan<byte> path, Span<byte> buffer)
    {
        int fd;
        fixed (byte* p = path)
        {
            fd = openat(dirFd, p, O_RDONLY | O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            return -1;
        }

        try
        {
            var total = 0;
            fixed (byte* b = buffer)
            {
                while (total < buffer.Length)
                {
                    var n = (long)read(fd, b + total, buffer.Length - total);
                    if (n < 0 && errno == EINTR)
                    {
                        continue;
                    }

                    if (n <= 0)
                    {
                        return n < 0 && total == 0 ? -1 : total;
                    }

                    total += (int)n;
                }
            }

            return total;
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>Like <see cref="ReadLink(string, int, string)"/>, for a NUL-terminated path relative to
    /// <paramref name="dirFd"/> (or absolute, with <c>AT_FDCWD</c>).</summary>
    public static string? ReadLinkAt(int dirFd, ReadOnlySpan<byte> path)
    {
        var target = stackalloc byte[LinkTargetMax];
        long length;
        fixed (byte* p = path)
        {
            length = readlinkat(dirFd, p, target, LinkTargetMax);
        }

        return length <= 0 ? null : Encoding.UTF8.GetString(target, (int)Math.Min(length, LinkTargetMax));
    }

    /// <summary>Which file <paramref name="path"/> leads to, symbolic links followed, by device and inode.</summary>
    public static bool TryGetFileId(string path, out (ulong Device, ulong Inode) id)
    {
        id = default;
        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > 4095 || path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> native = stackalloc byte[bytes + 1];
        Encoding.UTF8.GetBytes(path, native);
        native[bytes] = 0;
        Tmds.Linux.stat st;
        fixed (byte* p = native)
        {
            if (stat(p, &st) != 0)
            {
                return false;
            }
        }

        id = ((ulong)st.st_dev, (ulong)st.st_ino);
        return true;
    }
}
