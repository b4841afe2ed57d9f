using BuildSentry.Core.Events;
using BuildSentry.Linux.Kernel;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

[Collection(SensorCollection.Name)]
public sealed class KernelSensorMarkerTests
{
    [Fact]
    public void The_job_markers_of_a_new_program_are_read_from_its_environment_and_nothing_else_of_it()
    {
        using var harness = new KernelSensorHarness();
        var runId = $"{Random.Shared.NextInt64(1, long.MaxValue)}";
        var env = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = runId, ["BS_SECRET"] = "hunter2" };
        using var sleeper = Support.Processes.Start("/bin/sleep", ["1"], env);

        var exec = harness.WaitFor<ProcessExecuted>(e => e.Process.Pid == sleeper.Id);
        Assert.Equal(runId, exec.Details.JobMarkers["GITHUB_RUN_ID"]);
        Assert.Equal("true", exec.Details.JobMarkers["GITHUB_ACTIONS"]);
        Assert.False(exec.Details.JobMarkers.ContainsKey("BS_SECRET"));
        sleeper.WaitForExit();
    }

    [Fact]
    public void The_environment_of_a_child_of_a_settled_job_process_is_not_read()
    {
        var parent = Environment.ProcessId;
        using var harness = new KernelSensorHarness(new KernelProcessSensorOptions { ParentJobSettled = ppid => ppid == parent });
        var env = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = "9" };
        using var sleeper = Support.Processes.Start("/bin/sleep", ["1"], env);

        var exec = harness.WaitFor<ProcessExecuted>(e => e.Process.Pid == sleeper.Id);
        Assert.Empty(exec.Details.JobMarkers);
        Assert.Equal(Environment.CurrentDirectory, exec.Details.Cwd);
        sleeper.WaitForExit();
    }
}
