using System.Collections.Concurrent;
using System.Diagnostics;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Enforcement;

/// <summary>
/// Gives each job its own cgroup v2 directory and moves its processes in, root first, so the enforcer can
/// kill it with cgroup.kill. The directory is made at once (mkdir); the moves, adoptions and removals run in
/// order on a thread of their own: a write to cgroup.procs can wait for an RCU grace period (the kernel's
/// thread-group lock, milliseconds), and made on the process sensor's thread it would hold every process event
/// and every network finding behind it at each job's start.
/// A cgroup still holding processes when its job ends (a daemonized leftover) is kept and retried on every
/// later Place and Release; <see cref="RemoveLeftovers"/> clears empty ones a previous run left behind.
/// </summary>
public sealed partial class CgroupPlacement : IJobPlacement, IDisposable
{
    private readonly JobCgroups cgroups;
    private readonly ILogger<CgroupPlacement> logger;
    private readonly ICgroupSlots? slots;
    private readonly ProcFs _proc;
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);

    // Per job, the processes known to be in its cgroup and the CLOCK_MONOTONIC time from which that holds (see
    // Adopt). Filled only while the tracker adopts (a job's first seconds) and dropped at Release. Locked: the
    // worker fills it, and Adopt answers most forks from it on the caller's thread without waking the worker.
    private readonly Dictionary<string, Dictionary<ProcessKey, ulong>> _insideSince = new(StringComparer.Ordinal);
    private readonly int _self = Environment.ProcessId;
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _worker;
    private long _outstanding;
    private long _bornInside;
    private bool _warnedUnavailable;
    private long _moves;
    private long _slowMoves;
    private long _longestMoveTicks;
    private bool _saidSlow;

    public CgroupPlacement(JobCgroups cgroups, ILogger<CgroupPlacement> logger, ProcFs? proc = null, ICgroupSlots? slots = null)
    {
        this.cgroups = cgroups;
        this.logger = logger;
        this.slots = slots;
        _proc = proc ?? new ProcFs();
        _worker = new Thread(Work) { IsBackground = true, Name = "cgroup-placement" };
        _worker.Start();
    }

    /// <summary>Cgroups of ended jobs that still had processes when last tried.</summary>
    public IReadOnlyCollection<string> Pending
    {
        get
        {
            lock (_pending)
            {
                return [.. _pending];
            }
        }
    }

    /// <summary>Forks found born inside their job's cgroup by their time stamp alone (nothing read).</summary>
    public long BornInside => Interlocked.Read(ref _bornInside);

    /// <summary>
    /// A move into a cgroup that takes this long waited in the kernel: on kernels whose cgroup.procs writes take the
    /// host-wide threadgroup lock, every move waits for an RCU grace period, and a kill that meets a move under way
    /// waits for it. Since Linux 6.18 the cgroup2 mount option favordynmods makes the move lock only the moved thread
    /// group, far below this bound (docs/performance.md). The first slow move is logged once with that advice.
    /// </summary>
    public TimeSpan SlowMove { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Processes moved into job cgroups.</summary>
    public long Moves => Interlocked.Read(ref _moves);

    /// <summary>Moves that took <see cref="SlowMove"/> or longer.</summary>
    public long SlowMoves => Interlocked.Read(ref _slowMoves);

    /// <summary>The longest move so far.</summary>
    public TimeSpan LongestMove => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestMoveTicks));

    public string? Place(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        // The daemon itself and init are never moved: a job of nothing else gets no cgroup.
        var movable = members.Where(m => m.Pid > 1 && m.Pid != _self).OrderBy(m => m == job.Root ? 0 : 1).ToArray();
        if (movable.Length == 0)
        {
            return null;
        }

        var created = cgroups.Create(job.Id, cgroups.IsAvailable ? slots?.Take(job.Id) : null);
        if (created.Status == CgroupStatus.Unavailable)
        {
            if (!_warnedUnavailable)
            {
                _warnedUnavailable = true;
                LogUnavailable(logger, created.Error ?? "unknown");
            }

            return null;
        }

        if (!created.Succeeded)
        {
            LogCreateFailed(logger, job.Id, created.Error ?? "unknown");
            slots?.Release(job.Id);
            return null;
        }

        var jobId = job.Id;
        var path = created.Path!;
        Enqueue(() =>
        {
            RetryPending();
            var inside = new Dictionary<ProcessKey, ulong>();
            lock (_insideSince)
            {
                _insideSince[jobId] = inside;
            }

            foreach (var member in movable)
            {
                if (!job.KillRequested && Move(jobId, path, member))
                {
                    lock (_insideSince)
                    {
                        inside[member] = MonotonicClock.NowNs();
                    }
                }
            }
        });
        return path;
    }

    /// <summary>
    /// A child is born in its parent's cgroup. The kernel stamps a fork for the proc connector while the
    /// parent's thread group is locked against migration (copy_process calls proc_fork_connector before
    /// cgroup_post_fork releases cgroup_threadgroup_change), so a fork stamped after the parent's move
    /// returned was decided after it: that child is inside, and nothing need be read. Any other fork is
    /// checked with one read of /proc/PID/cgroup, and moved only when it is outside. Queued behind the
    /// job's own placement, so the parent's move is known by then.
    /// </summary>
    public void Adopt(JobRecord job, ProcessForked fork)
    {
        if (job.CgroupPath is not { } path)
        {
            return;
        }

        var jobId = job.Id;
        if (!TryKnownInside(jobId, fork))
        {
            // A job being killed is not moved into any more: its members outside are swept by pidfd.
            Enqueue(() =>
            {
                if (!job.KillRequested)
                {
                    AdoptNow(jobId, path, fork);
                }
            });
        }
    }

    /// <summary>Records the child as inside when its fork was stamped after its parent was known inside.</summary>
    private bool TryKnownInside(string jobId, ProcessForked fork)
    {
        lock (_insideSince)
        {
            if (fork.KernelTimeNs == 0 || _insideSince.GetValueOrDefault(jobId) is not { } inside
                || !inside.TryGetValue(fork.Parent, out var parentSince) || fork.KernelTimeNs <= parentSince)
            {
                return false;
            }

            inside[fork.Child] = fork.KernelTimeNs;
        }

        Interlocked.Increment(ref _bornInside);
        return true;
    }

    public void Release(JobRecord job)
    {
        var jobId = job.Id;
        var path = job.CgroupPath;
        lock (_insideSince)
        {
            _insideSince.Remove(jobId);
        }

        Enqueue(() =>
        {
            RetryPending();
            if (path is not null && Directory.Exists(path) && !JobCgroups.Remove(path).Succeeded)
            {
                lock (_pending)
                {
                    _pending.Add(path);
                }

                LogLeftOver(logger, jobId, path, JobCgroups.Processes(path).Count);
            }

            slots?.Release(jobId);
        });
    }

    /// <summary>Waits until every queued move, adoption and removal is done (tests, and the daemon's stop).</summary>
    public bool WaitIdle(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Interlocked.Read(ref _outstanding) > 0)
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return true;
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _worker.Join(TimeSpan.FromSeconds(10));
        _work.Dispose();
    }

    private void Enqueue(Action work)
    {
        Interlocked.Increment(ref _outstanding);
        if (!_work.TryAdd(work))
        {
            Interlocked.Decrement(ref _outstanding);
        }
    }

    private void Work()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            try
            {
                work();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                LogWorkFailed(logger, ex.Message);
            }
            finally
            {
                Interlocked.Decrement(ref _outstanding);
            }
        }
    }

    private void AdoptNow(string jobId, string path, ProcessForked fork)
    {
        // Asked again here: the parent may have been moved since the fork was queued.
        if (TryKnownInside(jobId, fork))
        {
            return;
        }

        if (CgroupMembership.IsIn(_proc.Root, fork.Child.Pid, CgroupMembership.Relative(cgroups.Mount, path))
            || Move(jobId, path, fork.Child))
        {
            lock (_insideSince)
            {
                _insideSince.GetValueOrDefault(jobId)?.TryAdd(fork.Child, MonotonicClock.NowNs());
            }
        }
    }

    /// <summary>
    /// Removes every empty job cgroup under the parent, e.g. at start-up after a crash, including those inside the
    /// slots of daemons no longer running (and those slots); a running daemon's slots are left alone. Returns how many.
    /// </summary>
    public int RemoveLeftovers(string mount)
    {
        var parent = Path.Combine(mount, JobCgroups.Parent);
        if (!Directory.Exists(parent))
        {
            return 0;
        }

        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(parent))
        {
            if (SlotOwner(Path.GetFileName(dir)) is { } owner)
            {
                if (Directory.Exists($"/proc/{owner}"))
                {
                    continue;
                }

                removed += Directory.EnumerateDirectories(dir).Count(job => JobCgroups.Remove(job).Succeeded);
            }

            removed += JobCgroups.Remove(dir).Succeeded ? 1 : 0;
        }

        return removed;
    }

    /// <summary>The daemon pid in a slot's name (<c>slot-PID-TAG</c>), or null for a job's own cgroup.</summary>
    public static int? SlotOwner(string name)
    {
        var parts = name.Split('-');
        return parts.Length == 3 && parts[0] == "slot" && int.TryParse(parts[1], out var pid) && int.TryParse(parts[2], out _) ? pid : null;
    }

    /// <summary>Counts a move and its duration (placement worker only).</summary>
    private void Timed(string jobId, ProcessKey member, long ticks)
    {
        Interlocked.Increment(ref _moves);
        if (ticks > Interlocked.Read(ref _longestMoveTicks))
        {
            Interlocked.Exchange(ref _longestMoveTicks, ticks);
        }

        var took = Stopwatch.GetElapsedTime(0, ticks);
        if (took < SlowMove)
        {
            return;
        }

        Interlocked.Increment(ref _slowMoves);
        if (!_saidSlow)
        {
            _saidSlow = true;
            LogSlowMove(logger, member.ToString(), jobId, took.TotalMilliseconds);
        }
    }

    /// <summary>
    /// Moves one verified member. The daemon itself and init are never moved. Identity is checked through a
    /// pidfd held across the write: if it is still alive afterwards, the pid named that process throughout.
    /// </summary>
    private bool Move(string jobId, string path, ProcessKey member)
    {
        if (member.Pid <= 1 || member.Pid == _self)
        {
            return false;
        }

        var pidfd = PidFd.Open(member.Pid);
        if (pidfd < 0)
        {
            return false;
        }

        try
        {
            if (!_proc.TryReadStat(member.Pid, out var stat) || (member.StartTime != 0 && stat.StartTime != member.StartTime)
                || PidFd.HasExited(pidfd))
            {
                return false;
            }

            var began = Stopwatch.GetTimestamp();
            var moved = JobCgroups.MoveProcess(path, member.Pid);
            if (!moved.Succeeded)
            {
                LogMoveFailed(logger, jobId, member.ToString(), moved.Error ?? "unknown");
                return false;
            }

            Timed(jobId, member, Stopwatch.GetTimestamp() - began);

            if (PidFd.HasExited(pidfd))
            {
                LogMoveRaced(logger, jobId, member.ToString(), path);
            }

            return true;
        }
        finally
        {
            PidFd.Close(pidfd);
        }
    }

    private void RetryPending()
    {
        lock (_pending)
        {
            _pending.RemoveWhere(path => !Directory.Exists(path) || JobCgroups.Remove(path).Succeeded);
        }
    }
}
