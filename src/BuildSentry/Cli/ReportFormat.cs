using System.CommandLine;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Reports.Runners;

namespace BuildSentry.Cli;

/// <summary>The <c>--format</c> of the commands that print a job report, and the printing.</summary>
internal static class ReportFormat
{
    public const string Markdown = "markdown";
    public const string Json = "json";
    public const string GitHub = "github";
    public const string GitLab = "gitlab";
    public const string Buildkite = "buildkite";

    public static Option<string> Create()
    {
        var format = new Option<string>("--format")
        {
            Description = "markdown: the summary; json: the report; github: one ::error workflow command per violation; "
                + "gitlab: the summary in a collapsible job-log section; buildkite: an annotation body (nothing for a clean job).",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => Markdown,
        };
        format.AcceptOnlyFromAmong(Markdown, Json, GitHub, GitLab, Buildkite);
        return format;
    }

    /// <summary>The report in the format. Every value from the job comes out escaped, whatever the file held.</summary>
    public static string Render(JobReport report, string format) => format switch
    {
        Json => JobReportJson.Serialize(report) + "\n",
        GitHub => GitHubAnnotations.Render(report),
        GitLab => GitLabSection.Render(report, TimeProvider.System.GetUtcNow()),
        Buildkite => BuildkiteAnnotation.Render(report),
        _ => JobReportText.Render(report),
    };
}
