using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// The scheduling priority of the calling thread (Linux nice values are per thread). Two threads are raised, the
/// two that read what the kernel reports as it happens:
/// <list type="bullet">
/// <item>the capture thread: it wakes for the few packets the kernel filter passes, and under a build that keeps
/// both cores busy it was woken milliseconds late (the p99 of the violation-to-kill time);</item>
/// <item>the process sensor's reader: at nice 0 it waited behind the build for a core, and by the time it read
/// an exec's /proc entry the process had often exited. Under the benchmark's build workload 976 of 2,000 listed
/// processes of a job had no program at nice 0, 129 (forked shells that never exec'd) at -10; under unpaced exec
/// chains (30,000 execs/s) 36 – 40 % of the events were lost at nice 0 and none at -10. The price is the reads
/// that now succeed and a wake per event (no longer several queued per wake): about 40 % more daemon CPU under
/// that workload (9.8 % of its CPU at nice 0, 13.2 – 14.3 % at -10); its wall-time ratio stayed within the
/// run-to-run noise (1.17 at nice 0, 1.06 – 1.22 at -10).</item>
/// </list>
/// The monitor loop stays at 0 (control requests and timers). Needs CAP_SYS_NICE (root has it; the systemd unit
/// keeps it); without, nothing changes.
/// </summary>
public static partial class ThreadNice
{
    public const int CaptureThread = -10;

    public const int ProcessSensorThread = -10;

    /// <summary>Sets the calling thread's nice value; false when the kernel refused (no CAP_SYS_NICE).</summary>
    public static bool Set(int nice) => SetPriority(0 /* PRIO_PROCESS: a tid names one thread */, GetTid(), nice) == 0;

    /// <summary>Sets the nice value of the thread <paramref name="tid"/> (a process's pid names its main thread).</summary>
    public static bool Set(int tid, int nice) => SetPriority(0, tid, nice) == 0;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
