using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// The scheduling priority of the calling thread (Linux nice values are per thread). The sensor and monitor threads
/// sleep almost all the time; when a packet or an exit arrives, a build that keeps both cores busy delayed them by
/// several milliseconds (the p99 of the violation-to-kill time). Raising them changes who waits, not how much CPU
/// the daemon uses. Needs CAP_SYS_NICE (root has it; the systemd unit keeps it); without, nothing changes.
/// </summary>
public static partial class ThreadNice
{
    public const int SensorThreads = -10;

    /// <summary>Sets the calling thread's nice value; false when the kernel refused (no CAP_SYS_NICE).</summary>
    public static bool Set(int nice) => SetPriority(0 /* PRIO_PROCESS: a tid names one thread */, GetTid(), nice) == 0;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
