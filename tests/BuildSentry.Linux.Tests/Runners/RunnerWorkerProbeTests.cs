using BuildSentry.Testing.Runners;
using System.Text;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Runners;

namespace BuildSentry.Linux.Tests.Runners;

public sealed class RunnerWorkerProbeTests(FakeRunnerWorkerBuild worker) : IClassFixture<FakeRunnerWorkerBuild>
{
    [Fact]
    public void A_tracking_id_set_through_the_managed_api_is_read_over_diagnostics_ipc_but_is_not_in_proc_environ()
    {
        var trackingId = $"track-{Guid.NewGuid():N}";
        using var process = Support.Processes.Start(worker.AppHost, [trackingId], new Dictionary<string, string>
        {
            ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI-secret",
        });
        try
        {
            Assert.Equal("ready", process.StandardOutput.ReadLine());
            var procFs = new ProcFs();
            var key = procFs.TryGetKey(process.Id)!.Value;
            var details = procFs.ReadDetails(process.Id, key.StartTime);
            Assert.Equal(CiSystems.GitHub, RunnerWorkerProbe.Recognize(details));

            Assert.False(details.JobMarkers.ContainsKey("RUNNER_TRACKING_ID"));
            var environ = Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{process.Id}/environ"));
            Assert.DoesNotContain(trackingId, environ);

            var discovered = RunnerWorkerProbe.TryDiscover(key, details);
            Assert.NotNull(discovered);
            Assert.Equal(key, discovered.Worker);
            Assert.Equal(new JobMetadata(CiSystems.GitHub, JobIds.Create(CiSystems.GitHub, trackingId)) { TrackingId = trackingId },
                discovered.Metadata);
            Assert.DoesNotContain("secret", System.Text.Json.JsonSerializer.Serialize<SensorEvent>(discovered));
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public void A_process_that_is_not_named_like_a_worker_is_not_probed()
    {
        var procFs = new ProcFs();
        var self = procFs.TryGetKey(Environment.ProcessId)!.Value;
        Assert.Null(RunnerWorkerProbe.TryDiscover(self, procFs.ReadDetails(self.Pid)));
    }

    [Theory]
    [InlineData("/opt/runner/bin/Runner.Worker", "Runner.Worker", "github")]
    [InlineData("/usr/bin/dotnet", "dotnet", "github", "/usr/bin/dotnet", "/opt/runner/bin/Runner.Worker.dll")]
    [InlineData("/agent/bin/Agent.Worker", "Agent.Worker", "azure")]
    [InlineData("/usr/bin/bash", "bash", null, "bash", "-c", "Runner.Worker")]
    public void Workers_are_recognised_by_name(string exe, string comm, string? ci, params string[] argv)
    {
        var details = ProcessDetails.Unknown with { Exe = exe, Comm = comm, Argv = argv };
        Assert.Equal(ci, RunnerWorkerProbe.Recognize(details));
    }

    [Fact]
    public void A_worker_that_has_exited_is_not_discovered()
    {
        var details = ProcessDetails.Unknown with { Exe = "/x/Runner.Worker" };
        Assert.Null(RunnerWorkerProbe.TryDiscover(new ProcessKey(int.MaxValue, 1), details));
    }
}
