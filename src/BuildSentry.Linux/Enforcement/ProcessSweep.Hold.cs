using BuildSentry.Linux.Interop;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Enforcement;

internal sealed partial class ProcessSweep
{
    private const int Init = 1;

    /// <summary>
    /// One /proc scan: every live process whose parent is held is held and stopped, and so on down the tree
    /// as found in this scan. True when it found anything new (its own children may have been missed).
    /// </summary>
    private bool StopNewChildren()
    {
        var children = new Dictionary<int, List<(int Pid, ulong Start)>>();
        foreach (var pid in proc.EnumeratePids())
        {
            if (!_held.ContainsKey(pid) && proc.TryReadStat(pid, out var stat) && stat.Ppid > 0)
            {
                if (!children.TryGetValue(stat.Ppid, out var list))
                {
                    children[stat.Ppid] = list = [];
                }

                list.Add((pid, stat.StartTime));
            }
        }

        var found = false;
        var parents = new Queue<int>(_spared is null ? _held.Keys : _held.Keys.Append(_spared.Pid));
        while (parents.TryDequeue(out var parent))
        {
            if (!children.TryGetValue(parent, out var list))
            {
                continue;
            }

            foreach (var (pid, start) in list)
            {
                if (TryHold(pid, start, notBefore: 0, parent) == Outcome.Held)
                {
                    found = true;
                    parents.Enqueue(pid);
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Opens a pidfd, then checks through /proc that it names the expected process, then checks the pidfd (and
    /// the parent's) has not exited: a live pidfd proves the pid was not reused between open and check, so a
    /// mismatch or an exit means the process is left alone.
    /// </summary>
    private Outcome TryHold(int pid, ulong expectedStart, ulong notBefore, int parent)
    {
        if (pid <= Init || pid == _self || pid == _spared?.Pid || _held.ContainsKey(pid))
        {
            return Outcome.Protected;
        }

        var pidfd = PidFd.Open(pid);
        if (pidfd < 0)
        {
            return Outcome.Gone;
        }

        var outcome = Verify(pidfd, pid, expectedStart, notBefore, parent);
        if (outcome == Outcome.Held && PidFd.SendSignal(pidfd, SIGSTOP))
        {
            _held[pid] = pidfd;
            return Outcome.Held;
        }

        PidFd.Close(pidfd);
        return outcome == Outcome.Held ? Outcome.Gone : outcome;
    }

    private Outcome Verify(int pidfd, int pid, ulong expectedStart, ulong notBefore, int parent)
    {
        if (!proc.TryReadStat(pid, out var stat))
        {
            return Outcome.Gone;
        }

        var identity = expectedStart != 0 ? stat.StartTime == expectedStart : stat.StartTime >= notBefore;
        if (!identity || (parent != 0 && stat.Ppid != parent))
        {
            return PidFd.HasExited(pidfd) ? Outcome.Gone : Outcome.Mismatch;
        }

        if (PidFd.HasExited(pidfd) || (parent != 0 && PidFd.HasExited(parent == _spared?.Pid ? _spared.PidFd : _held[parent])))
        {
            return Outcome.Gone;
        }

        return Outcome.Held;
    }
}
