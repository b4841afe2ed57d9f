using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Enforcement;

/// <summary>
/// Gives each job its own cgroup v2 directory and moves its processes in, root first, so the enforcer can
/// kill it with cgroup.kill. Called from the monitor's single loop, so it keeps no locks.
/// A cgroup still holding processes when its job ends (a daemonized leftover) is kept and retried on every
/// later Place and Release; <see cref="RemoveLeftovers"/> clears empty ones a previous run left behind.
/// </summary>
public sealed partial class CgroupPlacement(JobCgroups cgroups, ILogger<CgroupPlacement> logger, ProcFs? proc = null,
    ICgroupSlots? slots = null) : IJobPlacement
{
    private readonly ProcFs _proc = proc ?? new ProcFs();
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);

    // Per job, the processes known to be in its cgroup and the CLOCK_MONOTONIC time from which that holds (see
    // Adopt). Filled only while the tracker adopts (a job's first seconds) and dropped at Release.
    private readonly Dictionary<string, Dictionary<ProcessKey, ulong>> _insideSince = new(StringComparer.Ordinal);
    private readonly int _self = Environment.ProcessId;
    private bool _warnedUnavailable;

    /// <summary>Cgroups of ended jobs that still had processes when last tried.</summary>
    public IReadOnlyCollection<string> Pending => _pending;

    public string? Place(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        RetryPending();
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

        var moved = 0;
        var inside = new Dictionary<ProcessKey, ulong>();
        foreach (var member in members.OrderBy(m => m == job.Root ? 0 : 1))
        {
            if (Move(job, created.Path!, member))
            {
                moved++;
                inside[member] = MonotonicClock.NowNs();
            }
        }

        _insideSince[job.Id] = inside;

        if (moved == 0)
        {
            JobCgroups.Remove(created.Path!);
            slots?.Release(job.Id);
            return null;
        }

        return created.Path;
    }

    /// <summary>
    /// A child is born in its parent's cgroup. The kernel stamps a fork for the proc connector while the
    /// parent's thread group is locked against migration (copy_process calls proc_fork_connector before
    /// cgroup_post_fork releases cgroup_threadgroup_change), so a fork stamped after the parent's move
    /// returned was decided after it: that child is inside, and nothing need be read. Any other fork is
    /// checked with one read of /proc/PID/cgroup, and moved only when it is outside.
    /// </summary>
    public void Adopt(JobRecord job, ProcessForked fork)
    {
        if (job.CgroupPath is not { } path)
        {
            return;
        }

        var inside = _insideSince.GetValueOrDefault(job.Id);
        if (inside is not null && fork.KernelTimeNs != 0 && inside.TryGetValue(fork.Parent, out var parentSince)
            && fork.KernelTimeNs > parentSince)
        {
            inside[fork.Child] = fork.KernelTimeNs;
            BornInside++;
            return;
        }

        if (CgroupMembership.IsIn(_proc.Root, fork.Child.Pid, CgroupMembership.Relative(cgroups.Mount, path))
            || Move(job, path, fork.Child))
        {
            inside?.TryAdd(fork.Child, MonotonicClock.NowNs());
        }
    }

    /// <summary>Forks found born inside their job's cgroup by their time stamp alone (nothing read).</summary>
    public long BornInside { get; private set; }

    public void Release(JobRecord job)
    {
        _insideSince.Remove(job.Id);
        RetryPending();
        if (job.CgroupPath is { } path && Directory.Exists(path) && !JobCgroups.Remove(path).Succeeded)
        {
            _pending.Add(path);
            LogLeftOver(logger, job.Id, path, JobCgroups.Processes(path).Count);
        }

        slots?.Release(job.Id);
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

    /// <summary>
    /// Moves one verified member. The daemon itself and init are never moved. Identity is checked through a
    /// pidfd held across the write: if it is still alive afterwards, the pid named that process throughout.
    /// </summary>
    private bool Move(JobRecord job, string path, ProcessKey member)
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

            var moved = JobCgroups.MoveProcess(path, member.Pid);
            if (!moved.Succeeded)
            {
                LogMoveFailed(logger, job.Id, member.ToString(), moved.Error ?? "unknown");
                return false;
            }

            if (PidFd.HasExited(pidfd))
            {
                LogMoveRaced(logger, job.Id, member.ToString(), path);
            }

            return true;
        }
        finally
        {
            PidFd.Close(pidfd);
        }
    }

    private void RetryPending() => _pending.RemoveWhere(path => !Directory.Exists(path) || JobCgroups.Remove(path).Succeeded);
}
