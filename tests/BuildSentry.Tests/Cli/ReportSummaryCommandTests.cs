using static BuildSentry.Tests.Cli.EvidenceReports;

namespace BuildSentry.Tests.Cli;

public sealed class ReportSummaryCommandTests : IDisposable
{
    private readonly EvidenceReports _reports = new();

    public ReportSummaryCommandTests()
    {
        _reports.Write(Job("web-1", 0, [To("198.18.0.10", 443, "registry.test")]));
        _reports.Write(Job("web-2", 60, [To("198.18.0.10", 443, "registry.test"), To("198.18.0.66", 80, "evil.test") with { Allowed = false, Attempts = 3 }]));
        _reports.Write(Job("web-3", 120, [To("198.18.0.10", 443, "registry.test")], workflow: "release"));
        _reports.Write(Job("api-1", 30, [To("192.0.2.7", 5432)], repository: "acme/api"));
    }

    public void Dispose() => _reports.Dispose();

    [Fact]
    public void Summarises_jobs_violations_and_destinations_per_repository_and_workflow()
    {
        var (exitCode, output, error) = CliRunner.Run("report", "--summary", _reports.Path);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Equal(
            """
            acme/api / ci: 1 job, 0 with violations
              192.0.2.7:5432/tcp  1 job, 2 attempts
            acme/web / ci: 2 jobs, 1 with violations
              evil.test:80/tcp  1 job, 3 attempts, DENIED in some
              registry.test:443/tcp  2 jobs, 4 attempts
            acme/web / release: 1 job, 0 with violations
              registry.test:443/tcp  1 job, 2 attempts
            4 job reports summarised

            """,
            output);
    }

    [Fact]
    public void Repository_and_since_narrow_the_jobs()
    {
        var (_, output, _) = CliRunner.Run("report", "--summary", _reports.Path, "--repository", "acme/w*", "--since", "2026-11-02T09:00Z");

        Assert.Equal("acme/web / ci: 1 job, 1 with violations", output.Split('\n')[0]);
        Assert.Contains("acme/web / release: 1 job", output);
        Assert.DoesNotContain("acme/api", output);
        Assert.EndsWith("2 job reports summarised\n", output);
    }

    [Theory]
    [InlineData("--since", "yesterday")]
    [InlineData("--json")]
    [InlineData("job-1")]
    public void Wrong_combinations_are_usage_errors(params string[] more)
    {
        Assert.Equal(2, CliRunner.Run(["report", "--summary", _reports.Path, .. more]).ExitCode);
    }

    [Fact]
    public void A_file_that_is_not_a_report_is_named_and_exits_1_after_summarising_the_rest()
    {
        File.WriteAllText(Path.Combine(_reports.Path, "broken.json"), "{");

        var (exitCode, output, error) = CliRunner.Run("report", "--summary", _reports.Path);

        Assert.Equal(1, exitCode);
        Assert.Contains("broken.json: not a BuildSentry job report", error);
        Assert.EndsWith("4 job reports summarised; 1 file could not be read\n", output);
    }
}
