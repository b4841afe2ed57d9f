using BuildSentry.Core.Events;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Enforcement;
using BuildSentry.Linux.Tests.Support;

namespace BuildSentry.Linux.Tests.Enforcement;

public sealed class CgroupPlacementTests
{
    private readonly RecordingLogger<CgroupPlacement> _log = new();

    [Fact]
    public void Without_cgroup_v2_jobs_are_placed_nowhere_and_one_warning_is_logged()
    {
        var placement = new CgroupPlacement(new JobCgroups(null), _log);
        var jobs = new TestJobs(placement);

        Assert.Null(jobs.Start(new(Environment.ProcessId, 1)).CgroupPath);
        Assert.Null(jobs.Start(new(Environment.ProcessId + 1, 1)).CgroupPath);

        Assert.Single(_log.Entries, e => e.EventId == 4101);
    }

    [Fact]
    public void A_fork_the_kernel_stamped_after_its_parent_was_moved_is_known_inside_without_a_read_and_is_inside()
    {
        Root.Require();
        using var harness = new SensorHarness();
        var cgroups = JobCgroups.Detect();
        var placement = new CgroupPlacement(cgroups, _log);
        var jobs = new TestJobs(placement);
        using var tree = ProcessTree.Gated("sleep 300 & echo > \"$DIR/ready\"; wait");
        var job = jobs.Start(tree.RootKey);
        Assert.NotNull(job.CgroupPath);

        tree.Release();
        tree.WaitReady();
        var child = Assert.Single(tree.Descendants(), k => k != tree.RootKey);
        var fork = harness.WaitFor<ProcessForked>(f => f.Child == child);
        Assert.Equal(tree.RootKey, fork.Parent);
        Assert.NotEqual(0UL, fork.KernelTimeNs);
        placement.Adopt(job, fork);
        Assert.True(placement.WaitIdle(TimeSpan.FromSeconds(10)));

        Assert.Equal(1, placement.BornInside);
        Assert.True(CgroupMembership.IsIn("/proc", child.Pid, CgroupMembership.Relative(cgroups.Mount, job.CgroupPath!)),
            "the kernel put the child in its parent's new cgroup, as the time stamps said");
        jobs.End(job);
    }

    [Fact]
    public void A_fork_from_before_its_parent_was_moved_is_checked_and_moved_in()
    {
        Root.Require();
        using var harness = new SensorHarness();
        var cgroups = JobCgroups.Detect();
        var placement = new CgroupPlacement(cgroups, _log);
        var jobs = new TestJobs(placement);
        using var tree = new ProcessTree("sleep 300 & echo > \"$DIR/ready\"; wait");
        tree.WaitReady();
        var child = Assert.Single(tree.Descendants(), k => k != tree.RootKey);
        var fork = harness.WaitFor<ProcessForked>(f => f.Child == child);

        // Only the root is known to the job when it is placed, as when its fork events are still queued.
        var job = jobs.Start(tree.RootKey);
        var relative = CgroupMembership.Relative(cgroups.Mount, job.CgroupPath!);
        Assert.False(CgroupMembership.IsIn("/proc", child.Pid, relative));
        placement.Adopt(job, fork);
        Assert.True(placement.WaitIdle(TimeSpan.FromSeconds(10)));

        Assert.Equal(0, placement.BornInside);
        Assert.True(CgroupMembership.IsIn("/proc", child.Pid, relative));
        jobs.End(job);
    }

    [Fact]
    public void Moves_are_counted_and_timed_and_the_first_slow_one_is_said_once_with_the_kernel_advice()
    {
        Root.Require();
        // Every move counts as slow here (threshold zero): the advice is logged at the first and not again.
        var placement = new CgroupPlacement(JobCgroups.Detect(), _log) { SlowMove = TimeSpan.Zero };
        var jobs = new TestJobs(placement);
        using var first = new ProcessTree("sleep 300 & echo > \"$DIR/ready\"; wait");
        using var second = new ProcessTree("sleep 300 & echo > \"$DIR/ready\"; wait");
        first.WaitReady();
        second.WaitReady();
        var a = jobs.Start(first.RootKey);
        var b = jobs.Start(second.RootKey);
        Assert.True(placement.WaitIdle(TimeSpan.FromSeconds(10)));

        Assert.Equal(2, placement.Moves);
        Assert.Equal(2, placement.SlowMoves);
        Assert.True(placement.LongestMove > TimeSpan.Zero);
        var said = Assert.Single(_log.Entries, e => e.EventId == 4107);
        Assert.Contains("favordynmods", said.Message, StringComparison.Ordinal);
        Assert.Contains(a.Id, said.Message, StringComparison.Ordinal);
        jobs.End(a);
        jobs.End(b);

        // With a threshold no move reaches, moves are counted and timed, and nothing is said.
        var log = new RecordingLogger<CgroupPlacement>();
        var quiet = new CgroupPlacement(JobCgroups.Detect(), log) { SlowMove = TimeSpan.FromHours(1) };
        var more = new TestJobs(quiet);
        using var third = new ProcessTree("sleep 300 & echo > \"$DIR/ready\"; wait");
        third.WaitReady();
        var c = more.Start(third.RootKey);
        Assert.True(quiet.WaitIdle(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, quiet.Moves);
        Assert.Equal(0, quiet.SlowMoves);
        Assert.DoesNotContain(log.Entries, e => e.EventId == 4107);
        more.End(c);
    }

    [Fact]
    public void The_daemon_itself_is_never_moved_and_a_job_of_only_the_daemon_gets_no_cgroup()
    {
        Root.Require();
        var self = ProcessTree.KeyOf(Environment.ProcessId);
        var before = File.ReadAllText("/proc/self/cgroup");

        var job = new TestJobs(new CgroupPlacement(JobCgroups.Detect(), _log)).Start(self);

        Assert.Null(job.CgroupPath);
        Assert.Equal(before, File.ReadAllText("/proc/self/cgroup"));
    }

    /// <summary>
    /// Signalled first (among the newest members), it is swept before cgroup.kill, which a move in progress would
    /// hold up; with signalling first turned off, by the sweep after cgroup.kill.
    /// </summary>
    [Theory]
    [InlineData(16)]
    [InlineData(0)]
    public void A_member_outside_the_job_cgroup_is_killed_with_its_children_by_a_pidfd_sweep(int signalFirst)
    {
        Root.Require();
        using var escaped = new ProcessTree("sleep 300 & echo > \"$DIR/ready\"; wait");
        escaped.WaitReady();
        using var tree = new ProcessTree("exec sleep 300");
        var jobs = new TestJobs(new CgroupPlacement(JobCgroups.Detect(), _log));
        var job = jobs.Start(tree.RootKey);
        Assert.NotNull(job.CgroupPath);
        var outside = escaped.Descendants();

        var result = new JobEnforcer(new RecordingLogger<JobEnforcer>(), new EnforcerOptions { SignalFirst = signalFirst })
            .Kill(job, [tree.RootKey, escaped.RootKey]);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal($"{JobEnforcer.CgroupMethod} + {JobEnforcer.SweepMethod}", result.Method);
        Assert.Equal(1 + outside.Count, result.Signalled);
        Assert.False(ProcessTree.IsAlive(tree.RootKey));
        Assert.All(outside, key => Assert.False(ProcessTree.IsAlive(key)));
        jobs.End(job);
        Assert.False(Directory.Exists(job.CgroupPath));
    }

    [Fact]
    public void A_cgroup_that_still_holds_processes_when_its_job_ends_is_removed_once_they_are_gone()
    {
        Root.Require();
        var placement = new CgroupPlacement(JobCgroups.Detect(), _log);
        var jobs = new TestJobs(placement);
        using var leftover = new ProcessTree("exec sleep 300");
        var job = jobs.Start(leftover.RootKey);
        var path = job.CgroupPath!;

        jobs.End(job);
        Assert.True(Directory.Exists(path));
        Assert.Contains(path, placement.Pending);
        Assert.Contains(_log.Entries, e => e.EventId == 4105);

        leftover.Root.Kill();
        leftover.Root.WaitForExit();
        ProcessTree.WaitFor(() => JobCgroups.Processes(path).Count == 0, "the leftover to exit");
        using var next = new ProcessTree("exec sleep 300");
        var nextJob = jobs.Start(next.RootKey);

        Assert.False(Directory.Exists(path));
        Assert.Empty(placement.Pending);
        next.Root.Kill();
        next.Root.WaitForExit();
        ProcessTree.WaitFor(() => JobCgroups.Processes(nextJob.CgroupPath!).Count == 0, "the next job to exit");
        jobs.End(nextJob);
        Assert.False(Directory.Exists(nextJob.CgroupPath));
    }

    [Fact]
    public void Leftovers_are_removed_with_the_slots_of_dead_daemons_while_a_live_daemon_keeps_its_slots()
    {
        Requirements.Root();
        var mount = CgroupMount.FindV2() ?? throw new InvalidOperationException("cgroup v2 is not mounted");
        var parent = Path.Combine(mount, JobCgroups.Parent);
        using var dead = System.Diagnostics.Process.Start("true")!;
        dead.WaitForExit();
        var deadSlot = Path.Combine(parent, $"slot-{dead.Id}-{Random.Shared.Next(1_000_000)}");
        var liveSlot = Path.Combine(parent, $"slot-{Environment.ProcessId}-{Random.Shared.Next(1_000_000)}");
        var oldJob = Path.Combine(parent, $"github-left-{Guid.NewGuid():N}");
        foreach (var dir in new[] { Path.Combine(deadSlot, "github-1-build"), Path.Combine(liveSlot, "github-2-build"), oldJob })
        {
            Directory.CreateDirectory(dir);
        }

        try
        {
            new CgroupPlacement(JobCgroups.Detect(), _log).RemoveLeftovers(mount);

            Assert.False(Directory.Exists(deadSlot));
            Assert.False(Directory.Exists(oldJob));
            Assert.True(Directory.Exists(Path.Combine(liveSlot, "github-2-build")));
        }
        finally
        {
            JobCgroups.Remove(Path.Combine(liveSlot, "github-2-build"));
            JobCgroups.Remove(liveSlot);
        }
    }
}
