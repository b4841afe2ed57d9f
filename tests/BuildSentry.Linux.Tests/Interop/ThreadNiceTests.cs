using System.Runtime.InteropServices;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Tests.Support;

namespace BuildSentry.Linux.Tests.Interop;

/// <summary>
/// <see cref="ThreadNice.Raise"/> on threads of their own, each of which ends after the test: what a thread is
/// refused here (a seccomp filter, a dropped capability) applies to that thread alone, never to the test host.
/// </summary>
public sealed partial class ThreadNiceTests
{
    private const int Nice = -5;

    [Fact]
    public void Raise_sets_the_nice_value_and_the_shortest_slice()
    {
        Root.Require();
        var (got, nice, slice) = RaiseOnAThreadOfItsOwn(restrict: null);
        Assert.Equal(ThreadScheduling.NiceAndShortSlice, got);
        Assert.Equal(Nice, nice);
        Assert.Equal(ThreadNice.RaisedSliceNs, slice);
    }

    [Fact]
    public void Where_sched_setattr_is_refused_Raise_sets_the_nice_value_alone_and_says_so()
    {
        Root.Require();
        var (got, nice, slice) = RaiseOnAThreadOfItsOwn(DenySchedSetattr);
        Assert.Equal(ThreadScheduling.Nice, got);
        Assert.Equal(Nice, nice);
        Assert.NotEqual(ThreadNice.RaisedSliceNs, slice);
    }

    [Fact]
    public void Without_CAP_SYS_NICE_Raise_changes_nothing_and_says_so()
    {
        Root.Require();
        var (got, nice, slice) = RaiseOnAThreadOfItsOwn(DropSysNice);
        Assert.Equal(ThreadScheduling.Default, got);
        Assert.Equal(0, nice);
        Assert.NotEqual(ThreadNice.RaisedSliceNs, slice);
    }

    private static (ThreadScheduling Got, int Nice, ulong Slice) RaiseOnAThreadOfItsOwn(Action? restrict)
    {
        (ThreadScheduling, int, ulong) result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                restrict?.Invoke();
                var got = ThreadNice.Raise(Nice);
                var tid = GetTid();
                result = (got, Scheduling.NiceOfThread(tid), Scheduling.SliceOfThread(tid));
            }
            catch (Exception ex)
            {
                error = ex;
            }
        });
        thread.Start();
        thread.Join();
        return error is null ? result : throw new InvalidOperationException("The thread failed.", error);
    }

    /// <summary>A seccomp filter on the calling thread only (no TSYNC): sched_setattr fails with EPERM.</summary>
    private static unsafe void DenySchedSetattr()
    {
        var number = (uint)(RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 274 : 314);
        var program = stackalloc SockFilter[]
        {
            new(0x20, 0, 0, 0), // ld [0]: seccomp_data.nr
            new(0x15, 0, 1, number), // jeq number, 0, 1
            new(0x06, 0, 0, 0x0005_0000 | 1), // ret SECCOMP_RET_ERRNO | EPERM
            new(0x06, 0, 0, 0x7fff_0000), // ret SECCOMP_RET_ALLOW
        };
        var fprog = new SockFprog { Length = 4, Filter = program };
        Check(Prctl(38 /* PR_SET_NO_NEW_PRIVS */, 1, 0), "PR_SET_NO_NEW_PRIVS");
        Check(Prctl(22 /* PR_SET_SECCOMP */, 2 /* SECCOMP_MODE_FILTER */, (nint)(&fprog)), "PR_SET_SECCOMP");
    }

    /// <summary>Clears CAP_SYS_NICE from the calling thread's effective set (capabilities are per thread).</summary>
    private static unsafe void DropSysNice()
    {
        const int CapSysNice = 23;
        var header = new CapHeader { Version = 0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, Pid = 0 };
        var data = stackalloc CapData[2];
        Check(CapGet(&header, data), "capget");
        data[0].Effective &= ~(1u << CapSysNice);
        Check(CapSet(&header, data), "capset");
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"{call} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private readonly record struct SockFilter(ushort Code, byte Jt, byte Jf, uint K);

    private unsafe struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    private struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    /// <summary>struct __user_cap_data_struct: effective, permitted, inheritable (capget fills all three; capset
    /// takes them back unchanged but for the effective bit).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 12)]
    private struct CapData
    {
        public uint Effective;
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nint arg2, nint arg3, nint arg4 = 0, nint arg5 = 0);

    [LibraryImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static unsafe partial int CapGet(CapHeader* header, CapData* data);

    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static unsafe partial int CapSet(CapHeader* header, CapData* data);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
