using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Processes;

internal static class KernelTime
{
    /// <summary>
    /// When the kernel stamped an event (CLOCK_MONOTONIC), on the sensor's wall clock: an exit is dated when
    /// the process exited, not when it was read, which can be later (the reader waits while a kill holds the
    /// monitor until the job's cgroup is empty). The wall clock is read with it, so a clock step is followed.
    /// </summary>
    public static DateTimeOffset ToWallClock(TimeProvider time, ulong timestampNs)
    {
        var now = time.GetUtcNow();
        var monotonicNow = MonotonicClock.NowNs();
        if (timestampNs == 0 || timestampNs > monotonicNow)
        {
            return now;
        }

        return now - TimeSpan.FromTicks((long)((monotonicNow - timestampNs) / 100));
    }
}
