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
/// This is on the violation-to-kill critical path: nothing sleeps; the waits for death are poll(2)s that
/// return as the last process exits.
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

    public KillResult Kill(JobRecord job, IReadOnlyList<ProcessKey> members)
    {
        var started = _time.GetTimestamp();
        var deadline = started + (long)(_options.ExitWait.TotalSeconds * _time.TimestampFrequency);
        var path = job.CgroupPath;
        var result = path is not null && Directory.Exists(path)
            ? KillCgroup(job, path, members, deadline)
            : KillTree(job, members, inCgroup: null, deadline);
        LogKilled(logger, job.Id, result.Method, result.Signalled, _time.GetElapsedTime(started).TotalMilliseconds,
            result.Error ?? "none");
        return result;
    }

    private KillResult KillCgroup(JobRecord job, string path, IReadOnlyList<ProcessKey> members, long deadline)
    {
        // A write to cgroup.kill takes the cgroup mutex, which a move into a job's cgroup (the placement thread's
        // cgroup.procs write) holds while it waits for an RCU grace period (10 - 17 ms here): a job killed within its
        // first tens of milliseconds waited for the move (the write took up to 6.5 ms, p99 3.4 ms, in 150 kills at 0 ms
        // link delay). The newest known members are signalled first through pidfds (identity checked), which take no
        // cgroup lock: those in the cgroup are killed (cgroup.kill reaches their children), those outside it (a move
        // may be under way) are stopped, so they can neither send nor fork, and killed with their children by a
        // pidfd sweep. cgroup.kill then reaches every process in the cgroup, forks included. Reading cgroup.procs
        // takes no mutex.
        var inside = JobCgroups.Processes(path).ToHashSet();
        using var firstInside = new ProcessSweep(_proc);
        using var firstOutside = new ProcessSweep(_proc);
        foreach (var member in members.OrderByDescending(m => m.StartTime).Take(_options.SignalFirst))
        {
            (inside.Contains(member.Pid) ? firstInside : firstOutside).StopMember(member, job.Root.StartTime);
        }

        // Members outside the cgroup are being moved into it, and cgroup.kill waits for that move: in bench run 18 the
        // 30 % of kills that found one took p50 2.2 / p99 7.6 ms from the signal to the last exit, against 0.2 / 1.7
        // for the rest. They are killed now instead, with every descendant: found by /proc sweeps while stopped, so
        // none can fork meanwhile.
        var signalledFirst = firstInside.KillAll();
        var sweptFirst = 0;
        if (firstOutside.Held > 0)
        {
            firstOutside.StopDescendants(_options.MaxSweeps);
            sweptFirst = firstOutside.KillAll();
            signalledFirst += sweptFirst;
        }

        var firstAt = _time.GetUtcNow();
        var killed = JobCgroups.Kill(path);
        var signalledAt = signalledFirst > 0 ? firstAt : _time.GetUtcNow();
        if (!killed.Succeeded)
        {
            LogCgroupKillFailed(logger, job.Id, path, killed.Error ?? killed.Status.ToString());
            return KillTree(job, members, inCgroup: null, deadline);
        }

        // Read after the kill: a process that left the cgroup before it is absent here and swept below. Members that
        // are dying (still naming the job's cgroup in /proc/PID/cgroup) are left to it; ones already gone cost a
        // failed pidfd_open and no scan, so members killed first need no exception here.
        var remaining = JobCgroups.Processes(path).ToHashSet();
        var relative = CgroupMembership.Relative(_mount, path);
        var escaped = members.Where(m => !remaining.Contains(m.Pid) && !firstOutside.Holds(m.Pid)
                                         && !CgroupMembership.IsIn(_proc.Root, m.Pid, relative)).ToList();
        var swept = escaped.Count == 0 ? null : KillTree(job, escaped, relative, deadline);
        // A killed process whose parent does not reap it stays a zombie and keeps the cgroup populated: dead all the same.
        // A member the placement thread was moving in as the kill went out is neither killed nor swept: the cgroup
        // is killed again each time it has not emptied within a short wait (a SIGKILL to a dying process is a no-op).
        bool drained;
        while (true)
        {
            var soon = Math.Min(deadline, _time.GetTimestamp() + (long)(RekillAfter.TotalSeconds * _time.TimestampFrequency));
            drained = CgroupEvents.WaitUnpopulated(path, soon, _time) || JobCgroups.Processes(path).All(IsZombie);
            if (drained || _time.GetTimestamp() >= deadline || !JobCgroups.Kill(path).Succeeded)
            {
                break;
            }
        }

        // The members swept first were outside the cgroup: its emptying says nothing about them.
        var aliveOutside = firstOutside.Held > 0 ? firstOutside.WaitGone(deadline, _time) : 0;
        var error = !drained ? $"{path} still has live processes after {_options.ExitWait.TotalMilliseconds} ms"
            : aliveOutside > 0 ? $"{aliveOutside} of {firstOutside.Held} processes outside {path} still alive after {_options.ExitWait.TotalMilliseconds} ms"
            : swept?.Error;
        var method = swept is { Signalled: > 0 } || sweptFirst > 0 ? $"{CgroupMethod} + {SweepMethod}" : CgroupMethod;
        var sweptOutside = firstOutside.HeldPids.Count(pid => !inside.Contains(pid));
        return new KillResult(method, inside.Count + sweptOutside + (swept?.Signalled ?? 0), error, signalledAt);
    }

    private bool IsZombie(int pid) => !_proc.TryReadState(pid, out var state) || state is 'Z' or 'X';

    private KillResult KillTree(JobRecord job, IReadOnlyList<ProcessKey> members, string? inCgroup, long deadline)
    {
        using var sweep = new ProcessSweep(_proc);
        foreach (var member in members)
        {
            sweep.StopMember(member, job.Root.StartTime);
        }

        var sweeps = sweep.StopDescendants(_options.MaxSweeps);
        var signalled = sweep.KillAll();
        var signalledAt = _time.GetUtcNow();
        var alive = sweep.WaitGone(deadline, _time);
        if (sweep.Reused > 0 || sweep.AcceptedUnknown > 0 || sweep.RefusedUnknown > 0)
        {
            LogIdentity(logger, job.Id, sweep.Reused, sweep.AcceptedUnknown, sweep.RefusedUnknown);
        }

        if (inCgroup is not null && sweep.Held > 0)
        {
            LogEscaped(logger, job.Id, sweep.Held, inCgroup);
        }

        var error = alive > 0 ? $"{alive} of {signalled} processes still alive after {_options.ExitWait.TotalMilliseconds} ms" : null;
        error ??= sweeps >= _options.MaxSweeps ? $"still finding new children after {sweeps} sweeps" : null;
        return new KillResult(SweepMethod, signalled, error, signalledAt);
    }
}
