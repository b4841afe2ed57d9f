using BuildSentry.Core.Events;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Enforcement;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Tests.Support;

namespace BuildSentry.Linux.Tests.Enforcement;

/// <summary>A job whose root is the runner's own process: the kill kills everything of the job but the root.</summary>
[Collection(KillCollection.Name)]
public sealed class SparedRootKillTests
{
    private readonly RecordingLogger<JobEnforcer> _log = new();

    // What lives after the kill is asserted, not how fast hundreds of processes exit on a busy 2-core runner.
    private static readonly EnforcerOptions Patient = new() { ExitWait = TimeSpan.FromSeconds(5) };
    private readonly ProcFs _proc = new();

    /// <summary>
    /// The root (standing in for Runner.Worker) has children, grandchildren, a setsid'd double-forked daemon and a child
    /// that forks sleeps in a loop; once they are killed its `wait` returns and it starts a child of its own, as a runner
    /// starts its next step or completion hook.
    /// </summary>
    private static string Script(string marker) => $"""
        sleep 300 &
        sh -c 'sleep 300 & wait' &
        ( setsid sh -c 'echo $$ > "$DIR/daemon.tmp"; mv "$DIR/daemon.tmp" "$DIR/daemon"; exec sleep 300' & )
        sh -c 'i=0; while [ $i -lt 3000 ]; do sleep {marker} & i=$((i+1)); done; wait' &
        while [ ! -e "$DIR/daemon" ]; do sleep 0.01; done
        echo > "$DIR/ready"
        wait
        sleep 301 &
        echo $! > "$DIR/after.tmp"; mv "$DIR/after.tmp" "$DIR/after"
        wait
        """;

    [Fact]
    public void A_spared_root_outlives_the_cgroup_kill_of_its_forking_tree_and_its_next_child_is_born_in_the_job_cgroup()
    {
        Root.Require();
        var marker = Marker();
        using var tree = ProcessTree.Gated(Script(marker));
        using var placement = new CgroupPlacement(JobCgroups.Detect(), new RecordingLogger<CgroupPlacement>());
        var jobs = new TestJobs(placement);
        var job = jobs.Start(tree.RootKey, spareRoot: true);
        var path = job.CgroupPath;
        Assert.NotNull(path);
        tree.Release();
        tree.WaitReady();
        ProcessTree.WaitFor(() => Sleepers(marker).Count >= 50, "the fork loop to get going");
        var daemon = tree.DaemonKey();
        var everything = tree.Descendants(daemon);
        // The kernel's membership map names the root too: its sweep must pass it over as well.
        var enforcer = new JobEnforcer(_log, Patient) { KernelMembers = _ => [.. everything.Select(k => k.Pid)] };

        var result = enforcer.Kill(job, [tree.RootKey, daemon]);

        Assert.True(result.Succeeded, result.Error);
        Assert.True(result.RootSpared);
        Assert.StartsWith(JobEnforcer.CgroupMethod, result.Method);
        Assert.True(result.Signalled >= 50, $"only {result.Signalled} signalled");
        AssertOnlyTheRootLives(tree, daemon, marker);
        Assert.False(Directory.Exists(SparedRoot.AsidePath(path!)), "the cgroup the root waited in is left behind");

        // Back in the job's cgroup, where its next child is born, beside nothing of before the kill.
        var next = NextChild(tree);
        Assert.Equal(new[] { tree.RootKey.Pid, next.Pid }.Order(), JobCgroups.Processes(path!).Order());
        jobs.End(job);
    }

    [Fact]
    public void Without_a_cgroup_the_sweeps_spare_the_root_and_find_every_child_it_had()
    {
        Root.Require();
        var marker = Marker();
        using var tree = new ProcessTree(Script(marker));
        tree.WaitReady();
        ProcessTree.WaitFor(() => Sleepers(marker).Count >= 50, "the fork loop to get going");
        var job = new TestJobs(new NoPlacement()).Start(tree.RootKey, spareRoot: true);
        var daemon = tree.DaemonKey();

        // Only the root and the daemon are known: the root's children are found from it.
        var result = new JobEnforcer(_log, Patient).Kill(job, [tree.RootKey, daemon]);

        Assert.True(result.Succeeded, result.Error);
        Assert.True(result.RootSpared);
        Assert.Equal(JobEnforcer.SweepMethod, result.Method);
        AssertOnlyTheRootLives(tree, daemon, marker);
        NextChild(tree);
    }

    [Fact]
    public void A_job_that_does_not_spare_its_root_is_killed_root_and_all()
    {
        Root.Require();
        using var tree = ProcessTree.Gated(ProcessTree.Standard);
        using var placement = new CgroupPlacement(JobCgroups.Detect(), new RecordingLogger<CgroupPlacement>());
        var jobs = new TestJobs(placement);
        var job = jobs.Start(tree.RootKey);
        tree.Release();
        tree.WaitReady();

        var result = new JobEnforcer(_log).Kill(job, [tree.RootKey]);

        Assert.True(result.Succeeded, result.Error);
        Assert.False(result.RootSpared);
        Assert.False(ProcessTree.IsAlive(tree.RootKey));
        jobs.End(job);
    }

    private void AssertOnlyTheRootLives(ProcessTree tree, ProcessKey daemon, string marker)
    {
        Assert.True(ProcessTree.IsAlive(tree.RootKey), "the root was killed");
        Assert.False(ProcessTree.IsAlive(daemon), "the setsid'd daemon survived");
        Assert.DoesNotContain(Sleepers(marker), ProcessTree.IsAlive);
        // Resumed: the root reaps its killed children and goes on (stopped it would show T).
        ProcessTree.WaitFor(() => _proc.TryReadState(tree.RootKey.Pid, out var state) && state != 'T', "the root to be resumed");
        Thread.Sleep(100);
        Assert.DoesNotContain(Sleepers(marker), ProcessTree.IsAlive);
    }

    /// <summary>The child the root starts once its tree is gone: only its job's children are killed, never its future.</summary>
    private static ProcessKey NextChild(ProcessTree tree)
    {
        var after = Path.Combine(tree.Directory, "after");
        ProcessTree.WaitFor(() => File.Exists(after), "the spared root to start its next child");
        var next = ProcessTree.KeyOf(int.Parse(File.ReadAllText(after).Trim(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(ProcessTree.IsAlive(next));
        return next;
    }

    private static string Marker() => $"{Random.Shared.Next(100, 999)}.{Random.Shared.Next(1000, 9999)}";

    private static List<ProcessKey> Sleepers(string marker) => ProcessTree.Sleepers(marker);
}
