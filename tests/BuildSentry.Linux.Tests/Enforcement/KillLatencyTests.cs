using System.Diagnostics;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Enforcement;
using BuildSentry.Linux.Tests.Support;
using Xunit.Abstractions;

namespace BuildSentry.Linux.Tests.Enforcement;

/// <summary>Measures, does not assert: from Kill called to the last process of a small tree gone.</summary>
[Collection(KillCollection.Name)]
public sealed class KillLatencyTests(ITestOutputHelper output)
{
    private const int Trials = 100;
    private const string Tree = "sleep 300 & sleep 300 & sh -c 'sleep 300 & wait' & echo > \"$DIR/ready\"; wait";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Kill_latency_is_reported_for_each_method(bool withCgroup)
    {
        Root.Require();
        var enforcer = new JobEnforcer(new RecordingLogger<JobEnforcer>());
        var jobs = new TestJobs(withCgroup
            ? new CgroupPlacement(JobCgroups.Detect(), new RecordingLogger<CgroupPlacement>())
            : new NoPlacement());
        var samples = new List<double>(Trials);
        for (var i = 0; i < Trials; i++)
        {
            using var tree = withCgroup ? ProcessTree.Gated(Tree) : new ProcessTree(Tree);
            var job = jobs.Start(tree.RootKey);
            if (withCgroup)
            {
                tree.Release();
            }

            tree.WaitReady();
            ProcessTree.WaitFor(() => tree.Descendants().Count == 5, "the inner sleep to start");
            var watch = Stopwatch.StartNew();
            var result = enforcer.Kill(job, [tree.RootKey]);
            samples.Add(watch.Elapsed.TotalMilliseconds);
            Assert.True(result.Succeeded, result.Error);
            Assert.Equal(5, result.Signalled);
            tree.Root.WaitForExit();
            jobs.End(job);
        }

        samples.Sort();
        output.WriteLine($"{(withCgroup ? JobEnforcer.CgroupMethod : JobEnforcer.SweepMethod)}: {Trials} kills of 5 processes, " +
            $"p50 {samples[Trials / 2]:F3} ms, p99 {samples[Trials * 99 / 100]:F3} ms, max {samples[^1]:F3} ms");
    }
}
