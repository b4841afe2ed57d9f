using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// The scheduling priority of the calling thread (Linux nice values are per thread). Two threads are raised, the
/// two that read what the kernel reports as it happens:
/// <list type="bullet">
/// <item>the capture thread: it wakes for the few packets the kernel filter passes, and under a build that keeps
/// both cores busy it was woken milliseconds late (the p99 of the violation-to-kill time). It keeps the default
/// slice: with the shortest (bench run 27) the reader, woken by the exits a kill causes, preempted it mid-kill
/// (packet to signal p99 1.15 – 1.25 ms, against 0.51 – 1.12 in run 26 and 0.72 – 1.07 in run 28, where only the
/// reader had it);</item>
/// <item>the process sensor's reader: at nice 0 it waited behind the build for a core, and by the time it read
/// an exec's /proc entry the process had often exited. Under the benchmark's build workload 976 of 2,000 listed
/// processes of a job had no program at nice 0, 129 (forked shells that never exec'd) at -10; under unpaced exec
/// chains (30,000 execs/s) 36 – 40 % of the events were lost at nice 0 and none at -10. The price is the reads
/// that now succeed and a wake per event (no longer several queued per wake): about 40 % more daemon CPU under
/// that workload (9.8 % of its CPU at nice 0, 13.2 – 14.3 % at -10); its wall-time ratio stayed within the
/// run-to-run noise (1.17 at nice 0, 1.06 – 1.22 at -10). Nice -10 alone was not enough: with the default slice
/// a busy loop kept its core until its slice ran out, and beside one busy loop per core the reader read 142 – 199
/// of 200 /bin/true in full per round at -10 (a plain thread 59 – 150). With the shortest slice as well
/// (<see cref="Raise"/>) it read 394 – 399 of 400, and bench 2's execs read too late fell from 328 – 376 to 57 – 69
/// per run with no clear change in daemon CPU (13.1 – 14.0 % in runs 27, 29 and 31).</item>
/// </list>
/// The monitor loop stays at 0 (control requests and timers). Needs CAP_SYS_NICE (root has it; the systemd unit
/// keeps it); without, nothing changes, and `status` says so (processReaderScheduling, captureScheduling).
/// </summary>
public static partial class ThreadNice
{
    public const int CaptureThread = -10;

    public const int ProcessSensorThread = -10;

    /// <summary>Sets the calling thread's nice value; false when the kernel refused (no CAP_SYS_NICE).</summary>
    public static bool Set(int nice) => SetPriority(0 /* PRIO_PROCESS: a tid names one thread */, GetTid(), nice) == 0;

    /// <summary>Sets the nice value of the thread <paramref name="tid"/> (a process's pid names its main thread).</summary>
    public static bool Set(int tid, int nice) => SetPriority(0, tid, nice) == 0;

    /// <summary>
    /// The scheduler slice the process sensor's reader asks for: the kernel's shortest, 0.1 ms (the default is 0.7 ms times
    /// 1 + log2 of the CPU count, 1.4 ms on two cores). Since Linux 6.12 (EEVDF custom slices) a waking thread
    /// whose slice is shorter than the running one's may preempt it at once; with the default slice the running
    /// thread keeps its core until its own slice is used up, whatever the nice values. A nice value sets a
    /// thread's share of a core, the slice how long it waits for one: the process sensor's reader needs the
    /// latter, its share is small. Older kernels ignore the field for normal threads.
    /// </summary>
    public const ulong RaisedSliceNs = 100_000;

    /// <summary>
    /// Sets the calling thread's nice value and asks for the shortest slice (<see cref="RaisedSliceNs"/>); where
    /// the kernel refuses the slice (no sched_setattr: an older kernel, a seccomp filter), the nice value alone.
    /// Says what the thread got.
    /// </summary>
    public static ThreadScheduling Raise(int nice) =>
        SetScheduling(0 /* the calling thread */, nice, RaisedSliceNs) ? ThreadScheduling.NiceAndShortSlice
        : Set(nice) ? ThreadScheduling.Nice
        : ThreadScheduling.Default;

    /// <summary>
    /// Sets a thread's nice value and scheduler slice through sched_setattr (SCHED_OTHER); a slice of 0 restores
    /// the kernel's default. False when the kernel refused.
    /// </summary>
    public static unsafe bool SetScheduling(int tid, int nice, ulong sliceNs)
    {
        var attr = new SchedAttr { Size = (uint)sizeof(SchedAttr), Policy = 0 /* SCHED_OTHER */, Nice = nice, Runtime = sliceNs };
        return Syscall(SysSchedSetattr, tid, (nint)(&attr), 0) == 0;
    }

    // sched_setattr predates the unified syscall table: its number differs by architecture.
    private static readonly long SysSchedSetattr = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 274 : 314;

    /// <summary>struct sched_attr as of its first version (48 bytes); the kernel accepts any known size.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime;
        public ulong Deadline;
        public ulong Period;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long arg1, nint arg2, long arg3);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}

/// <summary>What a thread that asked to be raised got (<see cref="ThreadNice.Raise"/>).</summary>
public enum ThreadScheduling
{
    /// <summary>Nothing: the kernel refused both (no CAP_SYS_NICE).</summary>
    Default,

    /// <summary>The nice value, with the default slice.</summary>
    Nice,

    /// <summary>The nice value and the shortest slice.</summary>
    NiceAndShortSlice,
}
