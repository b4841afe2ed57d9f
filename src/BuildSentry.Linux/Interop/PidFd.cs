using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// pidfd_open and pidfd_send_signal (Linux 5.3). A pidfd names one process, not a pid number: a signal
/// sent through it can never reach a process that reused the pid. The syscall numbers are the same on
/// every architecture since the unified table (x86-64, arm64).
/// </summary>
internal static unsafe partial class PidFd
{
    private const long SysPidfdSendSignal = 424;
    private const long SysPidfdOpen = 434;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long arg1, long arg2, long arg3, long arg4);

    /// <summary>A close-on-exec pidfd for <paramref name="pid"/>, or -1 when there is no such process.</summary>
    public static int Open(int pid) => (int)Syscall(SysPidfdOpen, pid, 0, 0, 0);

    public static bool SendSignal(int pidfd, int signal) => Syscall(SysPidfdSendSignal, pidfd, signal, 0, 0) == 0;

    /// <summary>A pidfd becomes readable once its process has exited (zombie or reaped).</summary>
    public static bool HasExited(int pidfd)
    {
        var pfd = new pollfd { fd = pidfd, events = POLLIN };
        return poll(&pfd, 1, 0) > 0;
    }

    /// <summary>Waits until every pidfd has exited or the deadline passes; returns how many are still alive.
    /// Exited entries are swapped to the end of <paramref name="pidfds"/>, so the span's order changes.</summary>
    public static int WaitAllExited(Span<int> pidfds, long deadlineTicks, TimeProvider time)
    {
        var pending = pidfds.Length;
        var polls = new pollfd[pending];
        while (pending > 0)
        {
            for (var i = 0; i < pending; i++)
            {
                polls[i] = new pollfd { fd = pidfds[i], events = POLLIN };
            }

            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadlineTicks);
            var ready = 0;
            fixed (pollfd* p = polls)
            {
                ready = poll(p, (ulong_t)(ulong)pending, (int)Math.Clamp(Math.Ceiling(remaining.TotalMilliseconds), 0, int.MaxValue));
            }

            // EINTR is routine here (SIGCHLD of the killed processes); errno is not reliable after it, and the
            // shrinking timeout bounds the loop anyway.
            if (ready < 0)
            {
                continue;
            }

            if (ready == 0)
            {
                return pending;
            }

            for (var i = pending - 1; i >= 0; i--)
            {
                if (polls[i].revents != 0)
                {
                    pending--;
                    (pidfds[i], pidfds[pending]) = (pidfds[pending], pidfds[i]);
                }
            }
        }

        return 0;
    }

    public static void Close(int pidfd) => close(pidfd);
}
