using System.Runtime.InteropServices;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// The processes the exec program stopped until the DNS forwarder listens in their network namespace (jobpolicy.h:
/// a held job's first program in a new container or <c>unshare --net</c>), and their continuation. An entry is taken
/// by deleting it, so each stopped process is continued once, by whoever takes it (this side or the kernel's own
/// re-check); SIGCONT goes through a pidfd, and only to the process of the recorded start time.
/// </summary>
public sealed unsafe class NamespaceStops
{
    private const int SigCont = 18;
    private readonly int _stopsFd;
    private readonly int _switchFd;
    private readonly ProcFs _proc;
    private long _continued;
    private long _timedOut;
    private long _longestNs;

    internal NamespaceStops(int stopsFd, int switchFd, ProcFs proc)
    {
        (_stopsFd, _switchFd, _proc) = (stopsFd, switchFd, proc);
    }

    /// <summary>Processes continued, of them those continued because their wait passed its bound, and the longest
    /// wait until a continuation.</summary>
    public long Continued => Interlocked.Read(ref _continued);

    public long TimedOut => Interlocked.Read(ref _timedOut);

    public TimeSpan LongestWait => TimeSpan.FromTicks(Interlocked.Read(ref _longestNs) / 100);

    /// <summary>Whether the exec program stops processes at all: on only while someone continues them.</summary>
    /// <exception cref="InvalidOperationException">They cannot be switched on (off cannot fail: an array's entry).</exception>
    public void Enable(bool on)
    {
        var key = 0u;
        var value = on ? 1u : 0u;
        if (Libbpf.MapUpdate(_switchFd, &key, &value, 0) is var result and not 0 && on)
        {
            throw new InvalidOperationException($"switching the stops at exec failed: errno {Libbpf.Errno(result)}");
        }
    }

    /// <summary>Continues the processes stopped for network namespace <paramref name="inode"/>: its forwarder listens,
    /// or will not.</summary>
    public int ContinueIn(uint inode) => Continue(stop => stop.Netns == inode, timeout: false);

    /// <summary>Continues the processes stopped for job slot <paramref name="slot"/>, which ended.</summary>
    public int ContinueJob(uint slot) => Continue(stop => stop.Job == slot, timeout: false);

    /// <summary>Continues every stopped process (the daemon lets go: <see cref="Enable"/> off first).</summary>
    public int ContinueAll() => Continue(_ => true, timeout: false);

    /// <summary>Continues the processes stopped longer than <paramref name="bound"/>: a build never waits on the
    /// daemon for more.</summary>
    public int ContinueWaitingLongerThan(TimeSpan bound)
    {
        var before = MonotonicClock.NowNs() - (ulong)bound.Ticks * 100;
        return Continue(stop => stop.StoppedNs < before, timeout: true);
    }

    private int Continue(Func<Stop, bool> which, bool timeout)
    {
        var chosen = new List<(int Tgid, Stop Stop)>();
        int current = 0, next;
        var first = true;
        while (Libbpf.MapGetNextKey(_stopsFd, first ? null : &current, &next) == 0)
        {
            first = false;
            current = next;
            Stop stop;
            if (Libbpf.MapLookup(_stopsFd, &next, &stop) == 0 && which(stop))
            {
                chosen.Add((next, stop));
            }
        }

        var continued = 0;
        foreach (var (tgid, stop) in chosen)
        {
            var key = tgid;
            // Deleted by this side: the kernel's own re-check did not take it, so nobody else continues it.
            if (Libbpf.MapDelete(_stopsFd, &key) != 0)
            {
                continue;
            }

            if (Resume(tgid, stop.StartNs))
            {
                continued++;
                Interlocked.Increment(ref _continued);
                if (timeout)
                {
                    Interlocked.Increment(ref _timedOut);
                }

                var waited = (long)(MonotonicClock.NowNs() - stop.StoppedNs);
                long longest;
                while (waited > (longest = Interlocked.Read(ref _longestNs))
                       && Interlocked.CompareExchange(ref _longestNs, waited, longest) != longest)
                {
                }
            }
        }

        return continued;
    }

    /// <summary>SIGCONT through a pidfd, once the pid is known to be still the stopped process (pids are reused).</summary>
    private bool Resume(int tgid, ulong startNs)
    {
        var pidfd = PidFd.Open(tgid);
        if (pidfd < 0)
        {
            return false;
        }

        try
        {
            return _proc.TryGetKey(tgid) is { } key && key.StartTime == KernelRecordParser.ToTicks(startNs) && PidFd.SendSignal(pidfd, SigCont);
        }
        finally
        {
            PidFd.Close(pidfd);
        }
    }

    /// <summary>struct netns_stop.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Stop
    {
        public uint Netns;
        public uint Job;
        public ulong StartNs;
        public ulong StoppedNs;
    }
}
