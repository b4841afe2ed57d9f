using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// The scheduling priority of the calling thread (Linux nice values are per thread). Only the capture thread is
/// raised: it wakes for the few packets the kernel filter passes, and under a build that keeps both cores busy it
/// was woken milliseconds late (the p99 of the violation-to-kill time). Raising the process sensor and the monitor
/// loop too cut the kill p50 by ~0.4 ms but cost 40 % more daemon CPU under a fork storm: at high priority they
/// preempted the build on every event instead of finding several queued. Needs CAP_SYS_NICE (root has it; the
/// systemd unit keeps it); without, nothing changes.
/// </summary>
public static partial class ThreadNice
{
    public const int CaptureThread = -10;

    /// <summary>Sets the calling thread's nice value; false when the kernel refused (no CAP_SYS_NICE).</summary>
    public static bool Set(int nice) => SetPriority(0 /* PRIO_PROCESS: a tid names one thread */, GetTid(), nice) == 0;

    /// <summary>Sets the nice value of the thread <paramref name="tid"/> (a process's pid names its main thread).</summary>
    public static bool Set(int tid, int nice) => SetPriority(0, tid, nice) == 0;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
