using System.Diagnostics;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Tests.Support;

namespace BuildSentry.Linux.Tests.Cgroups;

public sealed class JobCgroupsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Children_forked_inside_a_job_cgroup_are_born_there_and_killed_with_it(bool freezeFallback)
    {
        Root.Require();
        var cgroups = JobCgroups.Detect();
        Assert.True(cgroups.IsAvailable, "cgroup v2 is expected on this machine (see /proc/mounts).");
        var jobId = $"test-{Guid.NewGuid():N}";
        var created = cgroups.Create(jobId);
        Assert.True(created.Succeeded, created.Error);
        var path = created.Path!;

        var flag = Path.Combine(Path.GetTempPath(), jobId);
        using var outsider = Support.Processes.Start("/bin/sleep", ["300"]);
        using var shell = Support.Processes.Start(
            "/bin/sh", ["-c", $"while [ ! -e {flag} ]; do sleep 0.05; done; sleep 300 & sleep 300 & wait"]);
        try
        {
            Assert.True(JobCgroups.MoveProcess(path, shell.Id).Succeeded);
            File.WriteAllText(flag, "");
            var members = WaitFor(() => JobCgroups.Processes(path), m => m.Count >= 3);
            Assert.Contains(shell.Id, members);
            Assert.All(members, pid => Assert.Contains($"0::/{JobCgroups.Parent}/{jobId}", File.ReadAllText($"/proc/{pid}/cgroup")));

            var killed = freezeFallback ? JobCgroups.KillFrozen(path) : JobCgroups.Kill(path);
            Assert.True(killed.Succeeded, killed.Error);
            Assert.True(shell.WaitForExit(TimeSpan.FromSeconds(10)));
            WaitFor(() => JobCgroups.Processes(path), m => m.Count == 0);
            Assert.False(outsider.HasExited);
            Assert.True(JobCgroups.Remove(path).Succeeded);
            Assert.False(Directory.Exists(path));
        }
        finally
        {
            outsider.Kill();
            shell.Kill(entireProcessTree: true);
            File.Delete(flag);
        }
    }

    [Fact]
    public void A_frozen_job_cgroup_stops_its_processes_until_thawed()
    {
        Root.Require();
        var created = JobCgroups.Detect().Create($"test-{Guid.NewGuid():N}");
        using var sleeper = Support.Processes.Start("/bin/sleep", ["300"]);
        try
        {
            Assert.True(JobCgroups.MoveProcess(created.Path!, sleeper.Id).Succeeded);
            Assert.True(JobCgroups.Freeze(created.Path!).Succeeded);
            WaitFor(() => File.ReadAllText(Path.Combine(created.Path!, "cgroup.events")), e => e.Contains("frozen 1"));
            Assert.True(JobCgroups.Freeze(created.Path!, frozen: false).Succeeded);
            Assert.False(JobCgroups.Remove(created.Path!).Succeeded);
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
            WaitFor(() => JobCgroups.Processes(created.Path!), m => m.Count == 0);
            JobCgroups.Remove(created.Path!);
        }
    }

    [Fact]
    public void Without_cgroup_v2_every_job_gets_an_unavailable_result()
    {
        var result = new JobCgroups(null).Create("github-1");
        Assert.Equal(CgroupStatus.Unavailable, result.Status);
        Assert.NotNull(result.Error);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("")]
    public void A_job_id_that_is_not_a_plain_name_is_refused(string jobId)
    {
        Assert.Equal(CgroupStatus.Failed, new JobCgroups("/tmp").Create(jobId).Status);
    }

    [Fact]
    public void The_v2_mount_is_found_in_a_hybrid_layout_and_escapes_are_undone()
    {
        var mounts = Path.GetTempFileName();
        File.WriteAllText(mounts,
            "cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\ncgroup2 /sys/fs/cgroup/uni\\040fied cgroup2 rw 0 0\n");
        Assert.Equal("/sys/fs/cgroup/uni fied", CgroupMount.FindV2(mounts));
        File.WriteAllText(mounts, "cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\n");
        Assert.Null(CgroupMount.FindV2(mounts));
        File.Delete(mounts);
    }

    private static T WaitFor<T>(Func<T> read, Func<T, bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"Still {value} after {watch.Elapsed}.");
            }

            Thread.Sleep(20);
        }
    }
}
