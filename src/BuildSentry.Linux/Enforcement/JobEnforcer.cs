using BuildSentry.Core.Enforcement;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Enforcement;

/// <summary>
/// Kills a job: through its cgroup (cgroup.kill, race-free, forks included) when it has one, and through
/// pidfd freeze-and-kill sweeps for members outside it, or for every member when there is no cgroup.
/// <see cref="Signal"/> is on the violation-to-kill critical path and never waits; <see cref="WaitForExit"/> waits with
/// poll(2)s that return as the last process exits, off the monitor's lock.
/// </summary>
public sealed partial class JobEnforcer(ILogger<JobEnforcer> logger, EnforcerOptions? options = null,
    ProcFs? proc = null, TimeProvider? time = null) : IEnforcer
{
    public const string CgroupMethod = "cgroup.kill";
    public const string SweepMethod = "pidfd sweep";

    private static readonly TimeSpan RekillAfter = TimeSpan.FromMilliseconds(3);

    private readonly EnforcerOptions _options = options ?? new EnforcerOptions();
    private readonly ProcFs _proc = proc ?? new ProcFs();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly string? _mount = options?.CgroupMount ?? CgroupMount.FindV2();

    /// <summary>The job's processes as the kernel's membership map holds them (the eBPF sensor); set before the first kill.</summary>
    public Func<JobRecord, IReadOnlyList<int>>? KernelMembers { get; set; }

    /// <summary>Signals the job and waits for its processes to exit (at most <see cref="EnforcerOptions.ExitWait"/>).</summary>
    public KillResult Kill(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        using var pending = Signal(job, members);
        return WaitForExit(pending);
    }

    /// <summary>SIGKILL through a pidfd, sent only when the pid is still the process of <paramref name="process"/>'s start
    /// time once the pidfd holds it.</summary>
    public bool KillProcess(ProcessKey process)
    {
        var pidfd = PidFd.Open(process.Pid);
        if (pidfd < 0)
        {
            return false;
        }

        try
        {
            var killed = _proc.TryGetKey(process.Pid) == process && PidFd.SendSignal(pidfd, 9);
            LogProcessKilled(logger, process.Pid, killed);
            return killed;
        }
        finally
        {
            PidFd.Close(pidfd);
        }
    }

    /// <summary>
    /// Signals every process of the job and returns without waiting for them to exit: the monitor calls this under
    /// its lock, and a slow death (uninterruptible sleep, a frozen process) must not hold up other jobs' verdicts.
    /// </summary>
    public PendingKill Signal(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        var started = _time.GetTimestamp();
        // A spared process is stopped before anything of its job dies: woken by its step's death, it would otherwise fork
        // its next step or completion hook among the processes being killed. Its identity is pid and start time.
        var spared = job.Spared is { } runner ? SparedRoot.Stop(_proc, runner) : null;
        if (job.Spared is not null)
        {
            members = [.. members.Where(m => m != job.Spared)];
        }

        if (KernelMembers?.Invoke(job) is { Count: > 0 } held)
        {
            // The kernel's membership map knows the job's newest processes before the monitor read their forks (and
            // those forked before their parent entered the cgroup): the kill must reach them too.
            var known = members.Select(m => m.Pid).ToHashSet();
            var extra = held.Where(pid => !known.Contains(pid)).Select(_proc.TryGetKey).OfType<ProcessKey>()
                .Where(key => key != job.Spared).ToList();
            if (extra.Count > 0)
            {
                members = [.. members, .. extra];
            }
        }

        var path = job.CgroupPath;
        try
        {
            return path is not null && Directory.Exists(path)
                ? SignalCgroup(job, path, members, started, spared)
                : SignalTree(job, members, started, spared);
        }
        catch
        {
            spared?.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the signalled processes are gone, at most <see cref="EnforcerOptions.ExitWait"/> after the signal.</summary>
    public KillResult WaitForExit(PendingKill pending)
    {
        var deadline = pending.StartedTimestamp + (long)(_options.ExitWait.TotalSeconds * _time.TimestampFrequency);
        var signalled = pending.Signalled;
        var error = signalled.Error;
        if (pending.CgroupPath is { } path)
        {
            error = WaitCgroupEmpty(path, deadline) ? error : $"{path} still has live processes after {_options.ExitWait.TotalMilliseconds} ms";
            ReturnSparedRoot(pending);
        }

        // The members killed outside the cgroup: its emptying says nothing about them.
        var aliveOutside = pending.Outside is { Held: > 0 } outside ? outside.WaitGone(deadline, _time) : 0;
        error ??= aliveOutside > 0
            ? $"{aliveOutside} of {pending.Outside!.Held} processes outside {pending.CgroupPath} still alive after {_options.ExitWait.TotalMilliseconds} ms"
            : null;
        var aliveSwept = pending.Swept is { Held: > 0 } swept ? swept.WaitGone(deadline, _time) : 0;
        error ??= aliveSwept > 0 ? $"{aliveSwept} of {pending.Swept!.Held} processes still alive after {_options.ExitWait.TotalMilliseconds} ms" : null;
        error ??= pending.SweepError;
        var result = signalled with { Error = error };
        LogKilled(logger, pending.JobId, result.Method, result.Signalled, _time.GetElapsedTime(pending.StartedTimestamp).TotalMilliseconds,
            result.Error ?? "none");
        return result;
    }

    private PendingKill SignalCgroup(JobRecord job, string path, IReadOnlyList<ProcessKey> members, long started, SparedRoot? spared)
    {
        // cgroup.kill takes the cgroup mutex, which a move into the job's cgroup (the placement thread's cgroup.procs
        // write) can hold for an RCU grace period. The newest known members are signalled first through pidfds
        // (identity checked), which take no cgroup lock: those in the cgroup are killed (cgroup.kill reaches their
        // children), those outside it (a move may be under way, and cgroup.kill would wait for it) are stopped, so they
        // can neither send nor fork, and killed with every descendant, found by /proc sweeps while they are stopped.
        // Reading cgroup.procs takes no mutex.
        var inside = JobCgroups.Processes(path).ToHashSet();
        using var firstInside = new ProcessSweep(_proc);
        var firstOutside = new ProcessSweep(_proc);
        if (spared is not null)
        {
            // It may be a child of a member swept here (buildsentry exec under a step's shell): never one of its descendants.
            firstOutside.Spare(spared);
        }

        foreach (var member in members.OrderByDescending(m => m.StartTime).Take(_options.SignalFirst))
        {
            (inside.Contains(member.Pid) ? firstInside : firstOutside).StopMember(member, job.Root.StartTime);
        }

        var signalledFirst = firstInside.KillAll();
        var sweptFirst = 0;
        if (firstOutside.Held > 0)
        {
            firstOutside.StopDescendants(_options.MaxSweeps);
            sweptFirst = firstOutside.KillAll();
            signalledFirst += sweptFirst;
        }

        var firstAt = _time.GetUtcNow();
        var rootInside = spared is not null && inside.Remove(spared.Pid);
        if (rootInside && spared!.MoveAside(path) is { Succeeded: false } aside)
        {
            // Not out of the cgroup's reach: the kill still kills, the spared process included.
            LogRootNotSpared(logger, job.Id, aside.Error ?? "unknown");
            inside.Add(spared.Pid);
            spared.Dispose();
            spared = null;
        }

        var killed = JobCgroups.Kill(path);
        var signalledAt = signalledFirst > 0 ? firstAt : _time.GetUtcNow();
        if (!killed.Succeeded)
        {
            LogCgroupKillFailed(logger, job.Id, path, killed.Error ?? killed.Status.ToString());
            firstOutside.Dispose();
            spared?.MoveBack(path);
            spared?.RemoveAside();
            return SignalTree(job, members, started, spared);
        }

        // Read after the kill: a process that left the cgroup before it is absent here and swept below. Members that
        // are dying (still naming the job's cgroup in /proc/PID/cgroup) are left to it; ones already gone cost a
        // failed pidfd_open and no scan, so members killed first need no exception here.
        var remaining = JobCgroups.Processes(path).ToHashSet();
        var relative = CgroupMembership.Relative(_mount, path);
        var escaped = members.Where(m => !remaining.Contains(m.Pid) && !firstOutside.Holds(m.Pid)
                                         && !CgroupMembership.IsIn(_proc.Root, m.Pid, relative)).ToList();
        var swept = escaped.Count == 0 ? null : SweepMembers(job, escaped, relative, spared);
        var method = swept is { Signalled: > 0 } || sweptFirst > 0 ? $"{CgroupMethod} + {SweepMethod}" : CgroupMethod;
        var sweptOutside = firstOutside.HeldPids.Count(pid => !inside.Contains(pid));
        var result = new KillResult(method, inside.Count + sweptOutside + (swept?.Signalled ?? 0), null, signalledAt, RootSpared: spared is not null);
        return new PendingKill(job.Id, started, result, path, firstOutside, swept?.Sweep) { SweepError = swept?.Error, Spared = spared };
    }

    /// <summary>
    /// Whether the cgroup emptied before the deadline. A killed process whose parent does not reap it stays a zombie and
    /// keeps the cgroup populated: dead all the same. A member the placement thread was moving in as the kill went out
    /// is neither killed nor swept: the cgroup is killed again each time it has not emptied within a short wait (a
    /// SIGKILL to a dying process is a no-op).
    /// </summary>
    private bool WaitCgroupEmpty(string path, long deadline)
    {
        while (true)
        {
            var soon = Math.Min(deadline, _time.GetTimestamp() + (long)(RekillAfter.TotalSeconds * _time.TimestampFrequency));
            var drained = CgroupEvents.WaitUnpopulated(path, soon, _time) || JobCgroups.Processes(path).All(IsZombie);
            if (drained || _time.GetTimestamp() >= deadline || !JobCgroups.Kill(path).Succeeded)
            {
                return drained;
            }
        }
    }

    private bool IsZombie(int pid) => !_proc.TryReadState(pid, out var state) || state is 'Z' or 'X';

    private PendingKill SignalTree(JobRecord job, IReadOnlyList<ProcessKey> members, long started, SparedRoot? spared)
    {
        var swept = SweepMembers(job, members, inCgroup: null, spared);
        // Every child it had is SIGKILLed: what it starts from now on is new.
        spared?.Resume();
        var result = new KillResult(SweepMethod, swept.Signalled, null, swept.SignalledAt, RootSpared: spared is not null);
        return new PendingKill(job.Id, started, result, null, null, swept.Sweep) { SweepError = swept.Error, Spared = spared };
    }

    /// <summary>Once the job's cgroup is empty (or given up on), its spared root goes back in and runs on.</summary>
    private void ReturnSparedRoot(PendingKill pending)
    {
        if (pending.Spared is not { } spared)
        {
            return;
        }

        var killedAside = pending.CgroupPath is { } path ? spared.MoveBack(path) : 0;
        spared.Resume();
        spared.RemoveAside();
        if (killedAside > 0)
        {
            LogForkedWhileStopped(logger, pending.JobId, killedAside);
        }
    }

    /// <summary>Stops the members and every descendant (a stopped process cannot fork), then kills them all.</summary>
    private SweepOutcome SweepMembers(JobRecord job, IReadOnlyList<ProcessKey> members, string? inCgroup, SparedRoot? spared = null)
    {
        var sweep = new ProcessSweep(_proc);
        if (spared is not null)
        {
            sweep.Spare(spared);
        }

        foreach (var member in members)
        {
            sweep.StopMember(member, job.Root.StartTime);
        }

        var sweeps = sweep.StopDescendants(_options.MaxSweeps);
        var signalled = sweep.KillAll();
        var signalledAt = _time.GetUtcNow();
        if (sweep.Reused > 0 || sweep.AcceptedUnknown > 0 || sweep.RefusedUnknown > 0)
        {
            LogIdentity(logger, job.Id, sweep.Reused, sweep.AcceptedUnknown, sweep.RefusedUnknown);
        }

        if (inCgroup is not null && sweep.Held > 0)
        {
            LogEscaped(logger, job.Id, sweep.Held, inCgroup);
        }

        var error = sweeps >= _options.MaxSweeps ? $"still finding new children after {sweeps} sweeps" : null;
        return new SweepOutcome(sweep, signalled, error, signalledAt);
    }

    private sealed record SweepOutcome(ProcessSweep Sweep, int Signalled, string? Error, DateTimeOffset SignalledAt);
}
