using System.Globalization;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Enforcement;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Tests.Support;

namespace BuildSentry.Linux.Tests.Enforcement;

[Collection(KillCollection.Name)]
public sealed class JobEnforcerTests
{
    private readonly RecordingLogger<JobEnforcer> _log = new();

    [Fact]
    public void A_job_cgroup_is_killed_whole_including_a_setsid_double_fork_and_a_bystander_survives()
    {
        Root.Require();
        using var bystander = new ProcessTree("exec sleep 300");
        using var tree = ProcessTree.Gated(ProcessTree.Standard);
        var placement = new CgroupPlacement(JobCgroups.Detect(), new RecordingLogger<CgroupPlacement>());
        var jobs = new TestJobs(placement);
        var job = jobs.Start(tree.RootKey);
        Assert.NotNull(job.CgroupPath);
        tree.Release();
        tree.WaitReady();
        var daemon = tree.DaemonKey();
        var everything = tree.Descendants(daemon);
        Assert.True(everything.Count >= 5, $"expected the root, a sub-shell and three sleeps; found {everything.Count}");

        var result = new JobEnforcer(_log).Kill(job, [tree.RootKey]);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(JobEnforcer.CgroupMethod, result.Method);
        Assert.Equal(everything.Count, result.Signalled);
        Assert.All(everything, key => Assert.False(ProcessTree.IsAlive(key), $"{key} survived"));
        Assert.Empty(JobCgroups.Processes(job.CgroupPath!));
        Assert.True(ProcessTree.IsAlive(bystander.RootKey));
        jobs.End(job);
        Assert.False(Directory.Exists(job.CgroupPath));
    }

    [Fact]
    public void Without_a_cgroup_the_sweeps_kill_the_tree_and_a_reparented_daemon_and_a_bystander_survives()
    {
        Root.Require();
        using var bystander = new ProcessTree("exec sleep 300");
        using var tree = new ProcessTree(ProcessTree.Standard);
        tree.WaitReady();
        var job = new TestJobs(new NoPlacement()).Start(tree.RootKey);
        var daemon = tree.DaemonKey();
        Assert.NotEqual(tree.RootKey.Pid, new ProcFs().TryReadStat(daemon.Pid, out var stat) ? stat.Ppid : -1);
        var everything = tree.Descendants(daemon);

        var result = new JobEnforcer(_log).Kill(job, [tree.RootKey, daemon]);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(JobEnforcer.SweepMethod, result.Method);
        Assert.Equal(everything.Count, result.Signalled);
        Assert.All(everything, key => Assert.False(ProcessTree.IsAlive(key), $"{key} survived"));
        Assert.True(ProcessTree.IsAlive(bystander.RootKey));
    }

    [Fact]
    public void A_stale_key_whose_pid_now_names_another_process_is_never_signalled()
    {
        Root.Require();
        using var bystander = new ProcessTree("exec sleep 300");
        var job = new TestJobs(new NoPlacement()).Start(bystander.RootKey);
        var stale = bystander.RootKey with { StartTime = bystander.RootKey.StartTime - 1 };

        var result = new JobEnforcer(_log).Kill(job, [stale]);

        Assert.Equal(0, result.Signalled);
        Assert.True(ProcessTree.IsAlive(bystander.RootKey));
        Assert.NotEqual("T", State(bystander.RootKey.Pid));
        Assert.Contains(_log.Entries, e => e.EventId == 4004 && e.Message.Contains("1 member pids were reused"));
    }

    [Fact]
    public void A_key_without_start_time_is_refused_when_its_process_is_older_than_the_job()
    {
        Root.Require();
        using var older = new ProcessTree("exec sleep 300");
        Thread.Sleep(30);
        using var jobRoot = new ProcessTree("exec sleep 300");
        var job = new TestJobs(new NoPlacement()).Start(jobRoot.RootKey);

        var result = new JobEnforcer(_log).Kill(job, [older.RootKey with { StartTime = 0 }, jobRoot.RootKey with { StartTime = 0 }]);

        Assert.Equal(1, result.Signalled);
        Assert.True(ProcessTree.IsAlive(older.RootKey));
        Assert.False(ProcessTree.IsAlive(jobRoot.RootKey));
    }

    [Fact]
    public void The_daemon_itself_and_init_are_never_signalled_even_when_named_as_members()
    {
        Root.Require();
        using var jobRoot = new ProcessTree("exec sleep 300");
        var job = new TestJobs(new NoPlacement()).Start(jobRoot.RootKey);
        var self = ProcessTree.KeyOf(Environment.ProcessId);

        var result = new JobEnforcer(_log).Kill(job, [self, ProcessTree.KeyOf(1), jobRoot.RootKey]);

        Assert.Equal(1, result.Signalled);
        Assert.True(ProcessTree.IsAlive(ProcessTree.KeyOf(1)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_process_that_keeps_forking_is_killed_completely(bool withCgroup)
    {
        Root.Require();
        var marker = $"{Random.Shared.Next(100, 999)}.{Random.Shared.Next(1000, 9999)}";
        var bomb = $"echo > \"$DIR/ready\"; i=0; while [ $i -lt 1500 ]; do sleep {marker} & i=$((i+1)); done; wait";
        using var tree = withCgroup ? ProcessTree.Gated(bomb) : new ProcessTree(bomb);
        var placement = withCgroup
            ? new CgroupPlacement(JobCgroups.Detect(), new RecordingLogger<CgroupPlacement>())
            : (Core.Jobs.IJobPlacement)new NoPlacement();
        var jobs = new TestJobs(placement);
        var job = jobs.Start(tree.RootKey);
        if (withCgroup)
        {
            tree.Release();
        }

        tree.WaitReady();
        ProcessTree.WaitFor(() => Sleepers(marker).Count >= 50, "the fork loop to get going");

        var result = new JobEnforcer(_log).Kill(job, [tree.RootKey]);

        Assert.True(result.Succeeded, result.Error);
        Assert.True(result.Signalled >= 50, $"only {result.Signalled} signalled");
        Assert.DoesNotContain(Sleepers(marker), ProcessTree.IsAlive);
        Thread.Sleep(100);
        Assert.DoesNotContain(Sleepers(marker), ProcessTree.IsAlive);
        jobs.End(job);
        Assert.False(withCgroup && Directory.Exists(job.CgroupPath));
    }

    private static List<ProcessKey> Sleepers(string marker) => ProcessTree.Sleepers(marker);

    [Fact]
    public void A_killed_member_is_given_the_highest_cpu_priority_to_exit()
    {
        Root.Require();
        using var tree = new ProcessTree("sleep 300 & echo $! > \"$DIR/child\"; echo > \"$DIR/ready\"; exec sleep 300");
        tree.WaitReady();
        var child = ProcessTree.KeyOf(int.Parse(File.ReadAllText(Path.Combine(tree.Directory, "child")).Trim(), CultureInfo.InvariantCulture));
        Assert.Equal(0, Scheduling.NiceOfProcess(child.Pid));
        var job = new TestJobs(new NoPlacement()).Start(tree.RootKey);

        var result = new JobEnforcer(_log).Kill(job, [child]);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(1, result.Signalled);
        // Its parent (now a sleep) never waits: the dead child stays a zombie, whose stat keeps the nice value it died with.
        ProcessTree.WaitFor(() => State(child.Pid) == "Z", "the killed child to become a zombie");
        Assert.Equal(-20, Scheduling.NiceOfProcess(child.Pid));
        Assert.True(ProcessTree.IsAlive(tree.RootKey));
    }

    private static string State(int pid) => StatFields.OfProcess(pid)[0];
}
