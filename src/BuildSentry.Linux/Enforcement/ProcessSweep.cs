using BuildSentry.Core.Events;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Enforcement;

/// <summary>
/// Freeze-and-kill of a process tree without a cgroup. Every process is first held by a pidfd whose
/// identity was checked (start time, parent), then SIGSTOPped so it cannot fork; children are found by
/// rescanning /proc until a sweep finds nothing new; only then is everything SIGKILLed. Once a SIGSTOP is
/// queued, a fork in progress restarts instead of completing (copy_process checks for pending signals under
/// the same lock that publishes the child), so a sweep after the stop sees every child there will be.
/// </summary>
internal sealed partial class ProcessSweep(ProcFs proc) : IDisposable
{
    private readonly Dictionary<int, int> _held = [];
    private readonly int _self = Environment.ProcessId;
    private SparedRoot? _spared;

    public int Held => _held.Count;

    /// <summary>The pids held (and stopped, or killed by <see cref="KillAll"/>).</summary>
    public IReadOnlyCollection<int> HeldPids => _held.Keys;

    public bool Holds(int pid) => _held.ContainsKey(pid);

    /// <summary>Keys whose pid now belongs to another process: never signalled.</summary>
    public int Reused { get; private set; }

    /// <summary>Members with an unknown start time that were accepted because they are younger than the job.</summary>
    public int AcceptedUnknown { get; private set; }

    public int RefusedUnknown { get; private set; }

    /// <summary>The job's spared root (stopped by its owner): never held or killed, but its children are swept as a
    /// held process's are, so none it started is missed.</summary>
    public void Spare(SparedRoot root) => _spared = root;

    /// <summary>
    /// Holds and stops a member. A key without a start time (0) cannot prove its identity; it is accepted only
    /// when the process now under that pid started no earlier than the job's root (<paramref name="jobStart"/>):
    /// the long-lived host processes a reused pid would most likely hit (sshd, the runner) are older than the job.
    /// </summary>
    public void StopMember(ProcessKey key, ulong jobStart)
    {
        if (key.StartTime == 0 && jobStart == 0)
        {
            RefusedUnknown++;
            return;
        }

        var outcome = TryHold(key.Pid, key.StartTime, jobStart, parent: 0);
        if (outcome == Outcome.Mismatch)
        {
            if (key.StartTime == 0)
            {
                RefusedUnknown++;
            }
            else
            {
                Reused++;
            }
        }
        else if (outcome == Outcome.Held && key.StartTime == 0)
        {
            AcceptedUnknown++;
        }
    }

    /// <summary>Rescans /proc until a sweep finds no new child of a held process; returns the sweeps made.</summary>
    public int StopDescendants(int maxSweeps)
    {
        var sweeps = 0;
        while (_held.Count > 0 && sweeps < maxSweeps)
        {
            sweeps++;
            if (!StopNewChildren())
            {
                break;
            }
        }

        return sweeps;
    }

    /// <summary>
    /// SIGKILLs every held process; a stopped process dies at once. Returns how many were signalled. Each one
    /// signalled (up to <see cref="MaxRaised"/>) then has its main thread given the highest CPU priority (nice -20): a killed process still has to run to exit
    /// (unmap its memory, close its sockets), and on a busy machine it would wait for a core behind the build's
    /// other work. Its pid cannot name another process yet: the pidfd was checked, and pids are not reused
    /// before the kernel's counter wraps.
    /// </summary>
    public int KillAll()
    {
        var signalled = 0;
        foreach (var (pid, pidfd) in _held)
        {
            if (PidFd.SendSignal(pidfd, SIGKILL))
            {
                if (signalled++ < MaxRaised)
                {
                    ThreadNice.Set(pid, -20);
                }
            }
        }

        return signalled;
    }

    /// <summary>
    /// At most this many killed processes are raised: a job's few are what the kill latency is about, while hundreds
    /// (a fork bomb) at nice -20 would take every core from everything else, the daemon's threads included, for as
    /// long as they take to exit.
    /// </summary>
    private const int MaxRaised = 16;

    /// <summary>How many held processes are still alive at the deadline.</summary>
    public int WaitGone(long deadlineTicks, TimeProvider time)
    {
        var pidfds = _held.Values.ToArray();
        return PidFd.WaitAllExited(pidfds, deadlineTicks, time);
    }

    public void Dispose()
    {
        foreach (var pidfd in _held.Values)
        {
            PidFd.Close(pidfd);
        }

        _held.Clear();
    }

    private enum Outcome
    {
        Held,
        Gone,
        Mismatch,
        Protected,
    }
}
