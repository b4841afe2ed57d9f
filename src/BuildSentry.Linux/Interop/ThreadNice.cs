using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// The scheduling priority of the calling thread (Linux nice values are per thread). Two threads are raised, the
/// two that read what the kernel reports as it happens:
/// <list type="bullet">
/// <item>the capture thread: a violating packet is judged on it and its job's kill signalled from it, so under a build that keeps
/// every core busy it must not wait behind the build for a core. It keeps the default slice: with the shortest,
/// the reader, woken by the exits a kill causes, would preempt it mid-kill;</item>
/// <item>the process sensor's reader: behind the build it reads an exec's /proc entry after a short-lived
/// process has exited (the process is then reported without its program) and lets the proc connector's buffer
/// overflow. The nice value alone is not enough, because a running thread keeps its core until its slice is used
/// up; the reader also asks for the shortest slice (<see cref="Raise"/>).</item>
/// </list>
/// The cost is a wake per event and the reads that succeed: docs/performance.md has the figures. The monitor loop
/// stays at 0 (control requests and timers). Needs CAP_SYS_NICE (root has it; the systemd unit keeps it); without,
/// nothing changes, and `status` says so (processReaderScheduling, captureScheduling).
/// </summary>
public static partial class ThreadNice
{
    public const int CaptureThread = -10;

    public const int ProcessSensorThread = -10;

    /// <summary>Sets the calling thread's nice value; false when the kernel refused (no CAP_SYS_NICE).</summary>
    public static bool Set(int nice) => SetPriority(0 /* PRIO_PROCESS: a tid names one thread */, ThreadId.Current(), nice) == 0;

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
