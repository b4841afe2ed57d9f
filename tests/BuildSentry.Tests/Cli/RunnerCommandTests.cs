using BuildSentry.Core.Reports;

namespace BuildSentry.Tests.Cli;

/// <summary>The commands runner hooks call, as far as they work without a daemon: formats of a finished report, usage.</summary>
public sealed class RunnerCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("buildsentry-runner-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("github", "::error title=BuildSentry%3A egress.connection (killed)::job job-7: curl to exfil.example%0AFix: allow exfil.example\n")]
    [InlineData("buildkite", "**BuildSentry**: job job-7 **KILLED**, profile build, mode kill\n\n- egress.connection (killed): curl to exfil.example\n  - Fix: allow exfil.example\n")]
    public void A_finished_report_prints_in_a_runner_s_format(string format, string expected)
    {
        var path = Path.Combine(_directory, "job-7.json");
        File.WriteAllText(path, JobReportJson.Serialize(Report()));

        var (exitCode, output, error) = CliRunner.Run("report", path, "--format", format);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void An_unknown_format_is_a_usage_error()
    {
        var (exitCode, _, error) = CliRunner.Run("report", "job-7", "--format", "teamcity", "--reports-dir", _directory);

        Assert.Equal(2, exitCode);
        Assert.Contains("teamcity", error);
    }

    [Fact]
    public void Exec_without_a_command_is_a_usage_error()
    {
        var (exitCode, _, error) = CliRunner.Run("exec");

        Assert.Equal(2, exitCode);
        Assert.Contains("command", error);
    }

    [Fact]
    public void Exec_fails_closed_with_exit_3_when_the_daemon_is_unreachable_and_never_runs_the_command()
    {
        var marker = Path.Combine(_directory, "ran");

        var (exitCode, _, error) = CliRunner.Run("exec", "--socket", Path.Combine(_directory, "none.sock"), "--", "touch", marker);

        Assert.Equal(3, exitCode);
        Assert.Contains("the job could not be registered (exit 3)", error);
        Assert.False(File.Exists(marker));
    }

    private static JobReport Report()
    {
        var at = new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);
        return new JobReport("job-7", "github", new Dictionary<string, string>(), "build", "match", "kill", at, at.AddMinutes(1), "killed",
            new ReportKill(at, "job-7-1", "cgroup.kill"), null, [], 0, [], 0, [],
            [new ReportViolation("job-7-1", at, "egress.connection", "curl to exfil.example", "killed", "allow exfil.example")], 1,
            new ReportHealth(0, 0, 0));
    }
}
