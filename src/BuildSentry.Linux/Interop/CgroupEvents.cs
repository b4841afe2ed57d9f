using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// Waits on a cgroup's cgroup.events for "populated 0". kernfs wakes a poller (POLLPRI) whenever the file
/// changes, so the wait costs no sleeping or spinning: it returns as soon as the last process has exited.
/// </summary>
internal static unsafe class CgroupEvents
{
    private const int BufferBytes = 256;

    /// <summary>True once the cgroup has no process left; false at the deadline or when the file cannot be read.</summary>
    public static bool WaitUnpopulated(string cgroupPath, long deadlineTicks, TimeProvider time)
    {
        var path = Encoding.UTF8.GetBytes(Path.Combine(cgroupPath, "cgroup.events") + "\0");
        int fd;
        fixed (byte* p = path)
        {
            fd = open(p, O_RDONLY | O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            return false;
        }

        try
        {
            while (true)
            {
                var populated = ReadPopulated(fd);
                if (populated != true)
                {
                    return populated == false;
                }

                var remaining = time.GetElapsedTime(time.GetTimestamp(), deadlineTicks);
                if (remaining <= TimeSpan.Zero)
                {
                    return false;
                }

                // A failed poll (EINTR: the dying processes' SIGCHLDs reach this daemon too) just re-reads;
                // the deadline bounds the loop. The kernel sends at most one cgroup.events notification per 10 ms
                // per file (CGROUP_FILE_NOTIFY_MIN_INTV): a cgroup emptied within 10 ms of being populated is
                // notified up to 10 ms late. The file itself is current, so it is re-read every millisecond.
                var pfd = new pollfd { fd = fd, events = POLLPRI };
                poll(&pfd, 1, (int)Math.Min(Math.Ceiling(remaining.TotalMilliseconds), 1));
            }
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>Reading re-arms the poll: kernfs reports a change relative to the last read of this fd.</summary>
    private static bool? ReadPopulated(int fd)
    {
        var buffer = stackalloc byte[BufferBytes];
        if (lseek(fd, 0, SEEK_SET) < 0)
        {
            return null;
        }

        var length = (int)read(fd, buffer, BufferBytes);
        if (length <= 0)
        {
            return null;
        }

        var text = new ReadOnlySpan<byte>(buffer, length);
        if (text.IndexOf("populated 0"u8) >= 0)
        {
            return false;
        }

        return text.IndexOf("populated 1"u8) >= 0 ? true : null;
    }
}
