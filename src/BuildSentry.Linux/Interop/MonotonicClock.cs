using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>CLOCK_MONOTONIC, the clock of the proc connector's event time stamps (ktime_get_ns). Read with
/// clock_gettime itself (Tmds.LibC does not bind it), not through Stopwatch, whose clock is not a contract.</summary>
internal static partial class MonotonicClock
{
    private const int ClockMonotonic = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, out Timespec time);

    public static ulong NowNs()
    {
        if (ClockGetTime(ClockMonotonic, out var ts) != 0)
        {
            throw new InvalidOperationException($"clock_gettime(CLOCK_MONOTONIC) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (ulong)ts.Seconds * 1_000_000_000UL + (ulong)ts.Nanoseconds;
    }
}
