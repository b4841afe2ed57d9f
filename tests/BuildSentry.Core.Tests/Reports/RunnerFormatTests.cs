using System.Text.RegularExpressions;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Reports.Runners;

namespace BuildSentry.Core.Tests.Reports;

/// <summary>What each runner shows the developer, from a report whose job text is hostile.</summary>
public sealed partial class RunnerFormatTests
{
    private const string Hostile = "evil.test%0A\r\n::error::forged,a:b\u001b[0Ksection_end:1:buildsentry_report\r<img src=x>[link](http://x)";

    private static readonly DateTimeOffset At = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GitHub_gets_one_error_command_per_violation_with_its_fix_and_nothing_that_ends_or_forges_a_command()
    {
        var report = Report(
            new ReportViolation("job-1", At, "egress.dns", "DNS query " + Hostile, "alerted", "add { host: evil.test } to profile 'build' (build.yaml:4)"),
            new ReportViolation("job-2", At, "egress.connection", "connection to 198.18.0.66:80", "killed"));

        var lines = GitHubAnnotations.Render(report).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.Matches(Command(), line));
        Assert.True(lines[0].StartsWith("::error title=BuildSentry%3A egress.dns (alerted)::job job: DNS query evil.test%250A", StringComparison.Ordinal), lines[0]);
        Assert.EndsWith("%0AFix: add { host: evil.test } to profile 'build' (build.yaml:4)", lines[0]);
        Assert.Equal("::error title=BuildSentry%3A egress.connection (killed)::job job: connection to 198.18.0.66:80", lines[1]);
    }

    [Theory]
    [InlineData("a%b", "a%25b", "a%25b")]
    [InlineData("a\r\nb", "a%0D%0Ab", "a%0D%0Ab")]
    [InlineData("k: v, w", "k: v, w", "k%3A v%2C w")]
    public void Workflow_command_escaping_follows_the_runner_s_unescaping(string text, string data, string property)
    {
        Assert.Equal(data, GitHubAnnotations.Data(text));
        Assert.Equal(property, GitHubAnnotations.Property(text));
    }

    [Fact]
    public void GitHub_says_how_many_violations_the_bounded_report_left_out()
    {
        var report = Report(new ReportViolation("job-1", At, "egress.dns", "q", "alerted")) with { ViolationCount = 7 };

        var lines = GitHubAnnotations.Render(report).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("::error title=BuildSentry::6 more violation(s) of job job not listed: the report is bounded.", lines[^1]);
    }

    [Fact]
    public void GitLab_gets_one_section_expanded_for_violations_that_the_job_s_text_cannot_close()
    {
        var report = Report(new ReportViolation("job-1", At, "egress.dns", Hostile, "alerted", "allow it"));

        var text = GitLabSection.Render(report, At);

        var start = $"\u001b[0Ksection_start:{At.ToUnixTimeSeconds()}:buildsentry_report[collapsed=false]\r\u001b[0KBuildSentry: job job VIOLATIONS (1 violation(s))\n";
        Assert.StartsWith(start, text);
        Assert.EndsWith($"\u001b[0Ksection_end:{At.ToUnixTimeSeconds()}:buildsentry_report\r\u001b[0K\n", text);
        var body = text[start.Length..^$"\u001b[0Ksection_end:{At.ToUnixTimeSeconds()}:buildsentry_report\r\u001b[0K\n".Length];
        Assert.DoesNotContain('\u001b', body);
        Assert.DoesNotContain('\r', body);
        Assert.Contains("Fix for job-1: allow it", body);
    }

    [Fact]
    public void GitLab_collapses_the_section_of_a_clean_job()
    {
        Assert.Contains("[collapsed=true]", GitLabSection.Render(Report(), At));
    }

    [Fact]
    public void Buildkite_annotates_nothing_for_a_clean_job_and_renders_the_job_s_text_as_text()
    {
        Assert.Equal("", BuildkiteAnnotation.Render(Report()));

        var body = BuildkiteAnnotation.Render(Report(new ReportViolation("job-1", At, "egress.dns", Hostile, "alerted", "add `evil.test`")));

        Assert.StartsWith("**BuildSentry**: job job **VIOLATIONS**, profile build, mode audit\n\n- egress.dns (alerted): ", body);
        Assert.Contains("&lt;img src=x&gt;\\[link\\]\\(http://x\\)", body);
        Assert.DoesNotContain("<img", body);
        Assert.Contains("  - Fix: add \\`evil.test\\`", body);
        Assert.Single(body.Split('\n'), line => line.StartsWith("- ", StringComparison.Ordinal));
    }

    private static JobReport Report(params ReportViolation[] violations) => new(
        "job", "github", new Dictionary<string, string>(), "build", "match", "audit", At, At, "every process of the job exited", null, null,
        [], 0, [], 0, [], violations, violations.Length, new ReportHealth(0, 0, 0));

    [GeneratedRegex(@"^::error title=[^:,\r\n]*::[^\r\n]*$")]
    private static partial Regex Command();
}
