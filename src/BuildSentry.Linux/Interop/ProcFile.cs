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

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; -1 when the file cannot be opened or read.</summary>
    public static int Read(string root, int pid, string leaf, Span<byte> buffer)
    {
        Span<byte> path = stackalloc byte[MaxPath];
        if (!TryFormat(path, root, pid, leaf))
        {
            return -1;
        }

        int fd;
        fixed (byte* p = path)
        {
            fd = open(p, O_RDONLY | O_CLOEXEC, 0);
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

    /// <summary>The target of a /proc/PID link (exe, cwd), or null when it cannot be read.</summary>
    public static string? ReadLink(string root, int pid, string leaf)
    {
        Span<byte> path = stackalloc byte[MaxPath];
        if (!TryFormat(path, root, pid, leaf))
        {
            return null;
        }

        const int targetMax = 4096;
        var target = stackalloc byte[targetMax];
        long length;
        fixed (byte* p = path)
        {
            length = readlink(p, target, targetMax);
        }

        return length <= 0 ? null : Encoding.UTF8.GetString(target, (int)Math.Min(length, targetMax));
    }

    private static bool TryFormat(Span<byte> path, string root, int pid, string leaf) =>
        Utf8.TryWrite(path, $"{root}/{pid}/{leaf}\0", out _);
}
