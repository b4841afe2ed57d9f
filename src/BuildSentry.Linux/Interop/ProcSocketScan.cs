using System.Runtime.InteropServices;
using System.Text.Unicode;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// Finds the descriptor of a process that refers to a socket inode: getdents64 on /proc/PID/fd and a
/// readlinkat per entry relative to that directory. The path-based walk it replaces (an enumeration that
/// stat()s every link, then a readlink of the full path) cost four times as much, and attribution runs it
/// for every process of a job, then every process of the host, while the socket may be closing.
/// </summary>
internal static unsafe partial class ProcSocketScan
{
    private const int DirentBufferBytes = 8192;
    private const int LinkBytes = 64; // "socket:[4294967295]" is 19 bytes: a longer target is not a socket

    /// <summary>The descriptor number, or -1 when the process is gone or holds no such socket.</summary>
    public static int FindSocket(string root, int pid, uint inode)
    {
        Span<byte> path = stackalloc byte[256];
        Span<byte> target = stackalloc byte[32];
        if (!Utf8.TryWrite(path, $"{root}/{pid}/fd\0", out _) || !Utf8.TryWrite(target, $"socket:[{inode}]", out var targetLength))
        {
            return -1;
        }

        int dir;
        fixed (byte* p = path)
        {
            dir = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        }

        if (dir < 0)
        {
            return -1;
        }

        try
        {
            return Scan(dir, target[..targetLength]);
        }
        finally
        {
            close(dir);
        }
    }

    private static int Scan(int dir, ReadOnlySpan<byte> target)
    {
        var entries = stackalloc byte[DirentBufferBytes];
        var link = stackalloc byte[LinkBytes];
        while (true)
        {
            var read = (int)GetDents64(dir, entries, DirentBufferBytes);
            if (read <= 0)
            {
                return -1;
            }

            // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
            for (var offset = 0; offset + 19 < read;)
            {
                var record = entries + offset;
                var length = *(ushort*)(record + 16);
                if (length < 20 || offset + length > read)
                {
                    return -1;
                }

                var name = record + 19;
                var linkLength = (int)readlinkat(dir, name, link, LinkBytes);
                if (linkLength == target.Length && new ReadOnlySpan<byte>(link, linkLength).SequenceEqual(target)
                    && TryParseDescriptor(name, length - 19, out var fd))
                {
                    return fd;
                }

                offset += length;
            }
        }
    }

    private static bool TryParseDescriptor(byte* name, int max, out int fd)
    {
        fd = 0;
        var digits = 0;
        for (; digits < max && name[digits] != 0; digits++)
        {
            var digit = name[digits] - (byte)'0';
            if (digit is < 0 or > 9 || fd > (int.MaxValue - digit) / 10)
            {
                return false;
            }

            fd = (fd * 10) + digit;
        }

        return digits > 0;
    }

    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    private static partial nint GetDents64(int fd, byte* buffer, nint count);
}
