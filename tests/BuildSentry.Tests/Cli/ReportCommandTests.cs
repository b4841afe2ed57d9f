using BuildSentry.Core.Reports;

namespace BuildSentry.Tests.Cli;

public sealed class ReportCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("buildsentry-reports-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_job_id_prints_the_summary_of_its_report_from_the_reports_directory()
    {
        Write(Report("github-991-1-build"));

        var (exitCode, output, error) = CliRunner.Run("report", "github-991-1-build", "--reports-dir", _directory);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.StartsWith("# Job github-991-1-build: KILLED", output);
        Assert.Contains("| 203.0.113.9:443/tcp | exfil.example | DENIED |", output);
        Assert.Contains("## Sensor health", output);
    }

    [Fact]
    public void With_json_it_prints_the_report_as_JSON_that_reads_back_the_same()
    {
        var report = Report("job-1");
        Write(report);

        var (exitCode, output, _) = CliRunner.Run("report", "job-1", "--json", "--reports-dir", _directory);

        Assert.Equal(0, exitCode);
        Assert.Equal(JobReportJson.Serialize(report), JobReportJson.Serialize(JobReportJson.Deserialize(output)));
    }

    [Fact]
    public void A_path_to_a_report_file_is_read_as_given()
    {
        var path = Write(Report("job-2"));

        var (exitCode, output, _) = CliRunner.Run("report", path);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("# Job job-2:", output);
    }

    [Fact]
    public void The_reports_directory_comes_from_the_configuration_file()
    {
        Write(Report("job-3"));
        var config = Path.Combine(_directory, "buildsentry.yaml");
        File.WriteAllText(config, $"reports_dir: {_directory}\n");

        var (exitCode, output, _) = CliRunner.Run("report", "job-3", "--config", config);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("# Job job-3:", output);
    }

    [Fact]
    public void An_unknown_job_exits_1_naming_the_file_it_looked_for()
    {
        var (exitCode, output, error) = CliRunner.Run("report", "nope", "--reports-dir", _directory);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Contains("no report for 'nope'", error);
        Assert.Contains(Path.Combine(_directory, "nope.json"), error);
    }

    [Fact]
    public void A_file_that_is_not_a_report_exits_1()
    {
        var path = Path.Combine(_directory, "bad.json");
        File.WriteAllText(path, "{\"jobId\": 5");

        var (exitCode, _, error) = CliRunner.Run("report", path);

        Assert.Equal(1, exitCode);
        Assert.Contains("is not a BuildSentry job report", error);
    }

    [Theory]
    [InlineData("../etc/passwd-ish")]
    [InlineData("..")]
    [InlineData("a b")]
    public void An_argument_that_is_neither_a_job_id_nor_a_path_is_a_usage_error(string job)
    {
        var (exitCode, _, error) = CliRunner.Run("report", job, "--reports-dir", _directory);

        Assert.Equal(job.Contains('/') ? 1 : 2, exitCode);
        Assert.StartsWith("error:", error);
    }

    [Fact]
    public void A_missing_argument_is_a_usage_error()
    {
        Assert.Equal(2, CliRunner.Run("report").ExitCode);
    }

    [Fact]
    public void Hostile_strings_in_a_tampered_report_are_printed_escaped()
    {
        var report = Report("job-4") with
        {
            Metadata = new Dictionary<string, string> { ["\u001b[2Jkey"] = "line\nbreak" },
            Mode = "kill\r\u001b[31m",
        };
        Write(report);

        foreach (var args in new[] { new[] { "report", "job-4", "--reports-dir", _directory }, ["report", "job-4", "--json", "--reports-dir", _directory] })
        {
            var (exitCode, output, _) = CliRunner.Run(args);
            Assert.Equal(0, exitCode);
            Assert.DoesNotContain(output, c => c < 0x20 && c != '\n');
            Assert.DoesNotContain("line\nbreak", output);
        }
    }

    private string Write(JobReport report)
    {
        var path = Path.Combine(_directory, report.JobId + ".json");
        File.WriteAllText(path, JobReportJson.Serialize(report));
        return path;
    }

    private static JobReport Report(string jobId)
    {
        var start = new DateTimeOffset(2026, 11, 29, 5, 0, 0, TimeSpan.Zero);
        return new JobReport(jobId, "github-actions", new Dictionary<string, string> { ["repository"] = "acme/payments" },
            "payments-build", "repository acme/payments", "kill", start, start.AddMinutes(3), "killed", new ReportKill(start.AddMinutes(2), "policy", "cgroup.kill"),
            "/sys/fs/cgroup/job", [new ReportProcess(10, 1, "/usr/bin/curl", ["curl", "https://exfil.example"], start, start.AddMinutes(2), -9)], 0,
            [new ReportDestination("203.0.113.9", 443, "tcp", ["exfil.example"], [], false, null, "no rule", 1, "10 /usr/bin/curl")], 0,
            [new ReportDnsName("exfil.example", false, null, "no rule", 1)],
            [new ReportViolation("a-1", start.AddMinutes(2), "egress.connection", "curl to exfil.example", "killed")], 1,
            new ReportHealth(0, 0, 0));
    }
}
