using System.Diagnostics;
using System.Text.Json;
using BuildSentry.Testing;
using BuildSentry.Testing.Runners;

namespace BuildSentry.EndToEnd;

/// <summary>
/// The third way a job is found: a .NET runner worker whose tracking id the daemon reads over the
/// worker's diagnostics port (the id is set through the managed API, so it is not in /proc/PID/environ).
/// </summary>
public sealed class RunnerWorkerTests(FakeRunnerWorkerBuild worker) : IClassFixture<FakeRunnerWorkerBuild>
{
    [Fact]
    public async Task A_runner_worker_becomes_a_job_from_its_tracking_id_and_the_job_ends_with_it()
    {
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        var trackingId = $"github_e2e_{Random.Shared.Next(100_000, 999_999)}";
        var jobId = $"github-{trackingId}";
        using var process = Command.Start(worker.AppHost, [trackingId]);
        Assert.Equal("ready", await process.StandardOutput.ReadLineAsync());

        var job = await WaitForJobAsync(daemon, jobId);
        Assert.Equal(process.Id, job.GetProperty("rootPid").GetInt32());
        Assert.Equal("github", job.GetProperty("ci").GetString());

        process.Kill();
        await process.WaitForExitAsync();
        var path = Path.Combine(daemon.ReportsDirectory, jobId + ".json");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!File.Exists(path) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var report = JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement;
        Assert.Equal("RunnerWorker", report.GetProperty("metadata").GetProperty("detected_by").GetString());
        Assert.Equal("every process of the job exited", report.GetProperty("endReason").GetString());
    }

    private static async Task<JsonElement> WaitForJobAsync(DaemonProcess daemon, string jobId)
    {
        var watch = Stopwatch.StartNew();
        string last = "";
        while (watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            var status = await daemon.CliAsync("status", "--json");
            last = status.StandardOutput;
            if (status.Succeeded)
            {
                var jobs = JsonDocument.Parse(last).RootElement.GetProperty("jobs");
                foreach (var job in jobs.EnumerateArray())
                {
                    if (job.GetProperty("id").GetString() == jobId)
                    {
                        return job.Clone();
                    }
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"no job {jobId} after 20 s; last status {last}\n{daemon.Output}");
    }
}
